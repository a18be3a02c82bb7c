#include "util/tree_archive.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "util/fs.h"
#include "util/sha256.h"

namespace slipway::tree_archive {
namespace {

namespace stdfs = std::filesystem;

// Builds archive bytes by hand, hostile ones included, with a correct trailer unless told.
class Crafted {
 public:
  Crafted() { Raw(std::string("SLWTREE\x01", 8)); }
  Crafted& Dir(const std::string& path, uint16_t mode = 0755) {
    Head('d', path, mode);
    return *this;
  }
  Crafted& File(const std::string& path, const std::string& data, uint16_t mode = 0644) {
    Head('f', path, mode);
    Int(1700000000LL * 1000000000, 8);
    Int(data.size(), 8);
    Raw(data);
    return *this;
  }
  Crafted& Link(const std::string& path, const std::string& target) {
    Head('l', path, 0);
    Int(target.size(), 2);
    Raw(target);
    return *this;
  }
  // The finished archive; `count` overrides the entry count of the trailer.
  std::string Finish(std::optional<uint64_t> count = std::nullopt) {
    std::string out = bytes_;
    std::string trailer = "z";
    for (int i = 7; i >= 0; --i) trailer += static_cast<char>(count.value_or(entries_) >> (8 * i));
    out += trailer;
    Sha256 hash;
    hash.Update(out);
    const Sha256Digest digest = hash.Final();
    out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
    return out;
  }
  Crafted& Raw(const std::string& bytes) {
    bytes_ += bytes;
    return *this;
  }

 private:
  void Head(char kind, const std::string& path, uint16_t mode) {
    bytes_ += kind;
    Int(path.size(), 2);
    Raw(path);
    Int(mode, 2);
    ++entries_;
  }
  void Int(uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) bytes_ += static_cast<char>(value >> (8 * i));
  }
  std::string bytes_;
  uint64_t entries_ = 0;
};

// A source over a string, handing out at most `piece` bytes a call (to exercise buffering).
ByteSource StringSource(const std::string& bytes, size_t piece = 7) {
  auto offset = std::make_shared<size_t>(0);
  return [&bytes, offset, piece](char* data, size_t size) -> Result<size_t> {
    const size_t n = std::min({size, piece, bytes.size() - *offset});
    std::memcpy(data, bytes.data() + *offset, n);
    *offset += n;
    return n;
  };
}

class TreeArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("tree_archive_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = *dir;
    src_ = dir_ / "src";
    out_ = dir_ / "out";
    outside_ = dir_ / "outside";
    stdfs::create_directories(src_);
    stdfs::create_directories(out_);
    stdfs::create_directories(outside_);
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(dir_).ok()); }

  void Write(const stdfs::path& path, const std::string& text, mode_t mode = 0644) {
    stdfs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
  }
  static std::string Slurp(const stdfs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static mode_t Mode(const stdfs::path& path) {
    struct stat st;
    EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  // Packs `paths` of src_ into a string.
  std::string Pack(const std::vector<std::string>& paths) {
    std::string bytes;
    Writer writer([&](std::string_view chunk) {
      bytes.append(chunk);
      return Status::Ok();
    });
    for (const auto& path : paths) EXPECT_TRUE(writer.Add(src_, path).ok()) << path;
    EXPECT_TRUE(writer.Finish().ok());
    return bytes;
  }
  Result<Summary> Unpack(const std::string& bytes) { return Extract(StringSource(bytes), out_); }

  stdfs::path dir_, src_, out_, outside_;
};

TEST_F(TreeArchiveTest, RoundTripKeepsFilesDirectoriesSymlinksModesAndTimes) {
  Write(src_ / "dist/hello-O2", "binary O2", 0755);
  Write(src_ / "dist/notes.txt", "private", 0640);
  Write(src_ / "dist/empty", "", 0600);
  Write(src_ / "reports/deep/a/b/smoke.xml", "<testsuite/>");
  stdfs::create_directories(src_ / "dist/empty-dir");
  stdfs::create_symlink("hello-O2", src_ / "dist/hello");
  stdfs::create_symlink("/nonexistent/target", src_ / "dist/dangling");
  Write(src_ / "frozen/file", "read-only directory's file", 0444);
  ASSERT_EQ(chmod((src_ / "frozen").c_str(), 0555), 0);
  Write(src_ / "big.bin", std::string(600 * 1024, 'x') + "end");  // several chunks
  const timespec times[2] = {{0, UTIME_OMIT}, {1600000000, 123456789}};
  ASSERT_EQ(utimensat(AT_FDCWD, (src_ / "dist/hello-O2").c_str(), times, AT_SYMLINK_NOFOLLOW), 0);

  const std::string bytes = Pack({"dist", "reports/deep/a/b/smoke.xml", "frozen", "big.bin"});
  auto summary = Unpack(bytes);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->files, 6u);
  EXPECT_EQ(summary->symlinks, 2u);
  EXPECT_EQ(summary->directories, 3u);  // dist, dist/empty-dir, frozen
  EXPECT_EQ(summary->file_bytes, 9u + 7 + 0 + 12 + 26 + 600 * 1024 + 3);

  EXPECT_EQ(Slurp(out_ / "dist/hello-O2"), "binary O2");
  EXPECT_EQ(Mode(out_ / "dist/hello-O2"), 0755u);
  EXPECT_EQ(Mode(out_ / "dist/notes.txt"), 0640u);
  EXPECT_EQ(Slurp(out_ / "dist/empty"), "");
  EXPECT_TRUE(stdfs::is_directory(out_ / "dist/empty-dir"));
  EXPECT_EQ(stdfs::read_symlink(out_ / "dist/hello"), "hello-O2");
  EXPECT_EQ(stdfs::read_symlink(out_ / "dist/dangling"), "/nonexistent/target");
  EXPECT_EQ(Slurp(out_ / "reports/deep/a/b/smoke.xml"), "<testsuite/>");
  EXPECT_EQ(Mode(out_ / "frozen"), 0555u);
  EXPECT_EQ(Mode(out_ / "frozen/file"), 0444u);
  EXPECT_EQ(Slurp(out_ / "big.bin"), Slurp(src_ / "big.bin"));
  struct stat st;
  ASSERT_EQ(lstat((out_ / "dist/hello-O2").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1600000000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 123456789);

  auto verified = Verify(StringSource(bytes, 4096));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->entries(), summary->entries());
  ASSERT_EQ(chmod((out_ / "frozen").c_str(), 0755), 0);  // so TearDown can remove it
  ASSERT_EQ(chmod((src_ / "frozen").c_str(), 0755), 0);
}

TEST_F(TreeArchiveTest, SameTreeGivesTheSameBytes) {
  Write(src_ / "b/2", "2");
  Write(src_ / "b/1", "1");
  Write(src_ / "a", "a");
  EXPECT_EQ(Pack({"a", "b"}), Pack({"a", "b"}));
}

TEST_F(TreeArchiveTest, EmptyArchiveRoundTrips) {
  auto summary = Unpack(Pack({}));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->entries(), 0u);
}

TEST_F(TreeArchiveTest, SetuidAndStickyBitsAreNotCarried) {
  Write(src_ / "tool", "x", 04755);
  ASSERT_TRUE(Unpack(Pack({"tool"})).ok());
  EXPECT_EQ(Mode(out_ / "tool"), 0755u);
}

TEST_F(TreeArchiveTest, WriterRefusesPathsOutsideItsRoot) {
  Write(dir_ / "secret", "outside");
  Writer writer([](std::string_view) { return Status::Ok(); });
  for (const char* path : {"../secret", "/etc/passwd", "", "a/../../secret", "./x", "a//b"}) {
    Writer one([](std::string_view) { return Status::Ok(); });
    Status added = one.Add(src_, path);
    EXPECT_EQ(added.code(), StatusCode::kInvalidArgument) << path;
  }
  EXPECT_EQ(writer.Add(src_, "missing").code(), StatusCode::kNotFound);
}

TEST_F(TreeArchiveTest, ExtractReplacesFilesAndSymlinksWithoutWritingThroughThem) {
  Write(outside_ / "target", "must not change");
  Write(out_ / "dist/app", "old build");
  stdfs::create_symlink(outside_ / "target", out_ / "dist/link");
  const std::string bytes =
      Crafted().File("dist/app", "new build").File("dist/link", "replaces the link").Finish();
  auto summary = Unpack(bytes);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(Slurp(out_ / "dist/app"), "new build");
  EXPECT_FALSE(stdfs::is_symlink(out_ / "dist/link"));
  EXPECT_EQ(Slurp(out_ / "dist/link"), "replaces the link");
  EXPECT_EQ(Slurp(outside_ / "target"), "must not change");
}

// Hostile archives: each is refused with kInvalidArgument and writes nothing outside out_.
TEST_F(TreeArchiveTest, RefusesPathsThatLeaveTheRoot) {
  for (const std::string& path : std::vector<std::string>{
           "/etc/evil", "../evil", "a/../../evil", "a/./b", "a//b", "a/", std::string("a\0b", 3)}) {
    const std::string bytes = Crafted().File(path, "evil").Finish();
    auto extracted = Unpack(bytes);
    EXPECT_EQ(extracted.status().code(), StatusCode::kInvalidArgument) << path;
    EXPECT_EQ(Verify(StringSource(bytes)).status().code(), StatusCode::kInvalidArgument) << path;
  }
  EXPECT_FALSE(stdfs::exists(dir_ / "evil"));
  EXPECT_TRUE(stdfs::is_empty(outside_));
}

TEST_F(TreeArchiveTest, RefusesToWriteThroughASymlinkTheArchiveMade) {
  const std::string bytes =
      Crafted().Link("escape", outside_.string()).File("escape/evil", "evil").Finish();
  auto extracted = Unpack(bytes);
  EXPECT_EQ(extracted.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(extracted.status().message().find("'escape' is a symlink"), std::string::npos)
      << extracted.status().message();
  EXPECT_TRUE(stdfs::is_empty(outside_));
}

TEST_F(TreeArchiveTest, RefusesToWriteThroughASymlinkAlreadyThere) {
  stdfs::create_symlink(outside_, out_ / "dist");
  for (const std::string& bytes :
       {Crafted().File("dist/evil", "evil").Finish(), Crafted().Dir("dist/sub").Finish(),
        Crafted().Link("dist/l", "/etc/passwd").Finish(), Crafted().Dir("dist").Finish()}) {
    auto extracted = Unpack(bytes);
    EXPECT_EQ(extracted.status().code(), StatusCode::kInvalidArgument)
        << extracted.status().ToString();
  }
  EXPECT_TRUE(stdfs::is_empty(outside_));
  EXPECT_TRUE(stdfs::is_symlink(out_ / "dist"));
}

TEST_F(TreeArchiveTest, RefusesAFileWhereADirectoryIsAndTheReverse) {
  stdfs::create_directories(out_ / "dir/child");
  Write(out_ / "file", "x");
  EXPECT_EQ(Unpack(Crafted().File("dir", "x").Finish()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Unpack(Crafted().Dir("file").Finish()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Unpack(Crafted().File("file/below", "x").Finish()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(stdfs::is_directory(out_ / "dir/child"));
}

TEST_F(TreeArchiveTest, RefusesMalformedArchives) {
  const std::string good = Crafted().Dir("d").File("d/f", "data").Link("l", "d/f").Finish();
  ASSERT_TRUE(Verify(StringSource(good)).ok());
  struct Case {
    const char* what;
    std::string bytes;
  };
  std::string corrupted = good;
  corrupted[corrupted.size() / 2] ^= 0x20;
  std::string bad_kind = good;
  bad_kind[8] = 'x';
  const std::vector<Case> cases = {
      {"empty", ""},
      {"wrong magic", "SLWTREE\x02" + good.substr(8)},
      {"a corrupted byte", corrupted},
      {"an unknown kind", bad_kind},
      {"bytes after the trailer", good + "x"},
      {"a wrong entry count", Crafted().Dir("d").Finish(/*count=*/2)},
      {"a mode above 0777", Crafted().File("f", "x", 04755).Finish()},
      {"a symlink with a mode", Crafted().Raw("l").Raw(std::string("\0\1l\0\1\0\1x", 8)).Finish()},
      {"an empty symlink target", Crafted().Raw("l").Raw(std::string("\0\1l\0\0\0\0", 7)).Finish()},
      {"a file longer than the stream", Crafted()
                                            .Raw("f")
                                            .Raw(std::string("\0\1f\1\244", 5))
                                            .Raw(std::string(8, '\0'))
                                            .Raw(std::string("\0\0\0\0\0\0\1\0", 8))
                                            .Raw("short")
                                            .Finish()},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Verify(StringSource(c.bytes)).status().code(), StatusCode::kInvalidArgument)
        << c.what;
    EXPECT_EQ(Unpack(c.bytes).status().code(), StatusCode::kInvalidArgument) << c.what;
  }
  for (size_t cut = 0; cut < good.size(); ++cut) {
    const std::string truncated = good.substr(0, cut);
    EXPECT_EQ(Verify(StringSource(truncated)).status().code(), StatusCode::kInvalidArgument)
        << "truncated to " << cut << " bytes";
  }
}

TEST_F(TreeArchiveTest, LimitsAreEnforced) {
  const std::string bytes = Crafted().File("a", "12345").File("b", "67890").Finish();
  EXPECT_EQ(Verify(StringSource(bytes), {.max_entries = 1}).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(Verify(StringSource(bytes), {.max_file_bytes = 9}).status().code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(Verify(StringSource(bytes), {.max_entries = 2, .max_file_bytes = 10}).ok());
}

TEST_F(TreeArchiveTest, SourceErrorsPassThroughUnchanged) {
  const std::string bytes = Crafted().File("a", std::string(100, 'a')).Finish();
  size_t served = 0;
  ByteSource failing = [&](char* data, size_t size) -> Result<size_t> {
    if (served >= 40) return Unavailable("connection reset");
    const size_t n = std::min<size_t>(size, 10);
    std::memcpy(data, bytes.data() + served, n);
    served += n;
    return n;
  };
  auto verified = Verify(failing);
  EXPECT_EQ(verified.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(verified.status().message(), "connection reset");
}

TEST_F(TreeArchiveTest, FilesRoundTripThroughWriteArchiveFileAndExtractFile) {
  Write(src_ / "dist/app", "app", 0700);
  auto written = WriteArchiveFile(dir_ / "a.slwa", src_, {"dist"});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  auto extracted = ExtractFile(dir_ / "a.slwa", out_);
  ASSERT_TRUE(extracted.ok()) << extracted.status().ToString();
  EXPECT_EQ(Slurp(out_ / "dist/app"), "app");
  EXPECT_EQ(Mode(out_ / "dist/app"), 0700u);
}

}  // namespace
}  // namespace slipway::tree_archive
