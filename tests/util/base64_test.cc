#include "util/base64.h"

#include <gtest/gtest.h>

namespace slipway {
namespace {

TEST(Base64Test, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("\xff\xfe\r\n"), "//4NCg==");
}

TEST(Base64Test, DecodesWhatItEncodesForEveryByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (size_t length = 0; length <= bytes.size(); length += 37) {
    const std::string part = bytes.substr(bytes.size() - length);
    EXPECT_EQ(Base64Decode(Base64Encode(part)), part) << length;
  }
  EXPECT_EQ(Base64Decode("Zm9vYmE="), "fooba");
}

TEST(Base64Test, RefusesTextThatIsNotCanonicalBase64) {
  for (const char* bad :
       {"Zg", "Zg=", "Z===", "====", "Zm9v!A==", "Zm=v", "Zh==", "Zm9=", "Zm9vYmFy\n"}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace slipway
