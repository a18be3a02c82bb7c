#include "util/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "util/fs.h"

namespace slipway {
namespace {

constexpr char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), kEmpty);
  EXPECT_EQ(Sha256Hex("abc"), kAbc);
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  Sha256 h;
  h.Update("a");
  h.Update("");
  h.Update("bc");
  EXPECT_EQ(HexEncode(h.Final()), kAbc);
  // After Final the object starts over.
  EXPECT_EQ(HexEncode(h.Final()), kEmpty);
  h.Update("abc");
  Sha256 moved = std::move(h);
  EXPECT_EQ(HexEncode(moved.Final()), kAbc);
}

TEST(Sha256, MillionAs) {
  Sha256 h;
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.Update(chunk);
  EXPECT_EQ(HexEncode(h.Final()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(HexEncode, LowerCase) {
  const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(HexEncode(std::span<const uint8_t>(bytes)), "000fa5ff");
  EXPECT_EQ(HexEncode(std::span<const uint8_t>()), "");
}

class Sha256FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("sha256_test.");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(dir_).ok()); }
  std::filesystem::path dir_;
};

TEST_F(Sha256FileTest, MatchesSha256sum) {
  // 3 MiB + 7 bytes of varied data: several full reads and a partial one.
  std::string data;
  for (size_t i = 0; i < (size_t{3} << 20) + 7; ++i)
    data += static_cast<char>((i * 131) ^ (i >> 9));
  const auto path = dir_ / "big.bin";
  std::ofstream(path, std::ios::binary) << data;
  auto hex = Sha256File(path);
  ASSERT_TRUE(hex.ok()) << hex.status().ToString();
  EXPECT_EQ(*hex, Sha256Hex(data));

  // Cross-check with coreutils when it is installed (it is on Debian).
  const std::string cmd = "sha256sum '" + path.string() + "' 2>/dev/null";
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char out[65] = {};
    const size_t n = fread(out, 1, 64, p);
    pclose(p);
    if (n == 64) {
      EXPECT_EQ(*hex, std::string(out, 64));
    }
  }
}

TEST_F(Sha256FileTest, EmptyAndMissing) {
  std::ofstream(dir_ / "empty");
  EXPECT_EQ(*Sha256File(dir_ / "empty"), kEmpty);
  auto missing = Sha256File(dir_ / "missing");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos);
}

}  // namespace
}  // namespace slipway
