#include "util/fs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace slipway {
namespace {

namespace stdfs = std::filesystem;

class FsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("fs_test.");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = *dir;
  }
  void TearDown() override { ASSERT_TRUE(RemoveTree(dir_).ok()); }

  void Write(const stdfs::path& p, const std::string& text, mode_t mode = 0644) {
    stdfs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    ASSERT_EQ(chmod(p.c_str(), mode), 0);
  }
  static std::string Slurp(const stdfs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static mode_t Mode(const stdfs::path& p) {
    struct stat st;
    EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
  static std::string LinkTarget(const stdfs::path& p) {
    std::error_code ec;
    return stdfs::read_symlink(p, ec).string();
  }

  stdfs::path dir_;
};

TEST_F(FsTest, MakeTempDirIsPrivateAndUnique) {
  auto a = MakeTempDir("x.");
  auto b = MakeTempDir("x.");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(Mode(*a), 0700u);
  EXPECT_EQ(a->filename().string().rfind("x.", 0), 0u);
  EXPECT_TRUE(RemoveTree(*a).ok());
  EXPECT_TRUE(RemoveTree(*b).ok());
  EXPECT_EQ(MakeTempDir("a/b").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsTest, MakeTempDirHonoursTmpdir) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  setenv("TMPDIR", dir_.c_str(), 1);
  auto t = MakeTempDir("in.");
  if (old) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->parent_path(), dir_);
}

TEST_F(FsTest, RemoveTreeHandlesReadOnlyDirsAndKeepsSymlinkTargets) {
  Write(dir_ / "outside/keep.txt", "keep");
  Write(dir_ / "tree/a/b/c.txt", "c", 0444);
  ASSERT_EQ(symlink((dir_ / "outside").c_str(), (dir_ / "tree/a/link").c_str()), 0);
  ASSERT_EQ(chmod((dir_ / "tree/a/b").c_str(), 0555), 0);
  ASSERT_EQ(chmod((dir_ / "tree/a").c_str(), 0500), 0);
  ASSERT_TRUE(RemoveTree(dir_ / "tree").ok());
  EXPECT_FALSE(stdfs::exists(dir_ / "tree"));
  EXPECT_EQ(Slurp(dir_ / "outside/keep.txt"), "keep");
  EXPECT_TRUE(RemoveTree(dir_ / "tree").ok());              // missing is fine
  EXPECT_TRUE(RemoveTree(dir_ / "outside/keep.txt").ok());  // a single file
  EXPECT_FALSE(stdfs::exists(dir_ / "outside/keep.txt"));
}

TEST_F(FsTest, CopyFileCopiesContentsModeAndTime) {
  Write(dir_ / "src.sh", "#!/bin/sh\necho hi\n", 0751);
  struct timespec times[2] = {{1000000000, 0}, {1200000000, 5}};
  ASSERT_EQ(utimensat(AT_FDCWD, (dir_ / "src.sh").c_str(), times, 0), 0);
  ASSERT_TRUE(CopyFile(dir_ / "src.sh", dir_ / "dst.sh").ok());
  EXPECT_EQ(Slurp(dir_ / "dst.sh"), "#!/bin/sh\necho hi\n");
  EXPECT_EQ(Mode(dir_ / "dst.sh"), 0751u);
  struct stat st;
  ASSERT_EQ(stat((dir_ / "dst.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1200000000);
}

TEST_F(FsTest, CopyFileReplacesReadOnlyFilesAndSymlinksWithoutWritingThrough) {
  Write(dir_ / "src", "new");
  Write(dir_ / "ro", "old", 0444);
  ASSERT_TRUE(CopyFile(dir_ / "src", dir_ / "ro").ok());
  EXPECT_EQ(Slurp(dir_ / "ro"), "new");

  Write(dir_ / "victim", "untouched");
  ASSERT_EQ(symlink((dir_ / "victim").c_str(), (dir_ / "link").c_str()), 0);
  ASSERT_TRUE(CopyFile(dir_ / "src", dir_ / "link").ok());
  EXPECT_EQ(Slurp(dir_ / "victim"), "untouched");
  EXPECT_EQ(Slurp(dir_ / "link"), "new");
  EXPECT_TRUE(LinkTarget(dir_ / "link").empty());  // now a regular file

  EXPECT_EQ(CopyFile(dir_ / "missing", dir_ / "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(CopyFile(dir_, dir_ / "x").code(), StatusCode::kInvalidArgument);
}

TEST_F(FsTest, CopyFileLargeFile) {
  std::string big(5 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  Write(dir_ / "big", big);
  ASSERT_TRUE(CopyFile(dir_ / "big", dir_ / "big2").ok());
  EXPECT_EQ(Slurp(dir_ / "big2"), big);
}

TEST_F(FsTest, CopyTreeCopiesNestedDirsModesAndSymlinks) {
  const stdfs::path src = dir_ / "src";
  Write(src / "a.txt", "a", 0600);
  Write(src / "bin/run", "run", 0755);
  Write(src / "deep/er/still/f", "f", 0640);
  stdfs::create_directories(src / "empty");
  ASSERT_EQ(symlink("a.txt", (src / "rel-link").c_str()), 0);
  ASSERT_EQ(symlink("/nonexistent/target", (src / "dangling").c_str()), 0);
  ASSERT_EQ(symlink("deep", (src / "dir-link").c_str()), 0);
  ASSERT_EQ(mkfifo((src / "fifo").c_str(), 0600), 0);
  ASSERT_EQ(chmod((src / "deep/er").c_str(), 0555), 0);  // read-only dir with content

  const stdfs::path dst = dir_ / "out/nested/copy";
  ASSERT_TRUE(CopyTree(src, dst).ok());
  EXPECT_EQ(Slurp(dst / "a.txt"), "a");
  EXPECT_EQ(Mode(dst / "a.txt"), 0600u);
  EXPECT_EQ(Mode(dst / "bin/run"), 0755u);
  EXPECT_EQ(Slurp(dst / "deep/er/still/f"), "f");
  EXPECT_EQ(Mode(dst / "deep/er/still/f"), 0640u);
  EXPECT_EQ(Mode(dst / "deep/er"), 0555u);
  EXPECT_TRUE(stdfs::is_directory(dst / "empty"));
  EXPECT_EQ(LinkTarget(dst / "rel-link"), "a.txt");
  EXPECT_EQ(LinkTarget(dst / "dangling"), "/nonexistent/target");
  EXPECT_EQ(LinkTarget(dst / "dir-link"), "deep");
  EXPECT_FALSE(stdfs::exists(stdfs::symlink_status(dst / "fifo")));

  // Copying again merges into the existing (partly read-only) tree.
  Write(src / "a.txt", "a2", 0600);
  ASSERT_TRUE(CopyTree(src, dst).ok());
  EXPECT_EQ(Slurp(dst / "a.txt"), "a2");
  ASSERT_EQ(chmod((src / "deep/er").c_str(), 0755), 0);
}

TEST_F(FsTest, CopyTreeRejectsCopyIntoItself) {
  Write(dir_ / "src/a", "a");
  EXPECT_EQ(CopyTree(dir_ / "src", dir_ / "src/sub").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CopyTree(dir_ / "src", dir_ / "src").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CopyTree(dir_ / "src/a", dir_ / "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CopyTree(dir_ / "none", dir_ / "x").code(), StatusCode::kNotFound);
  EXPECT_TRUE(CopyTree(dir_ / "src", dir_ / "src2").ok());  // a sibling with a shared prefix
}

TEST_F(FsTest, WriteFileAtomicCreatesAndReplaces) {
  const stdfs::path p = dir_ / "state.json";
  ASSERT_TRUE(WriteFileAtomic(p, "one").ok());
  EXPECT_EQ(Slurp(p), "one");
  EXPECT_EQ(Mode(p), 0644u);
  const stdfs::path keep = dir_ / "hardlink";
  ASSERT_EQ(link(p.c_str(), keep.c_str()), 0);
  ASSERT_TRUE(WriteFileAtomic(p, std::string(100000, 'x'), 0600).ok());
  EXPECT_EQ(Slurp(p), std::string(100000, 'x'));
  EXPECT_EQ(Mode(p), 0600u);
  EXPECT_EQ(Slurp(keep), "one");  // replaced by rename: the old inode is untouched
  int entries = 0;
  for (const auto& e : stdfs::directory_iterator(dir_)) entries += e.exists() ? 1 : 0;
  EXPECT_EQ(entries, 2);  // no temp file left behind
  EXPECT_FALSE(WriteFileAtomic(dir_ / "no/such/dir/f", "x").ok());
}

TEST_F(FsTest, ReadFileEnforcesLimit) {
  Write(dir_ / "ten", "0123456789");
  auto exact = ReadFile(dir_ / "ten", 10);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, "0123456789");
  auto over = ReadFile(dir_ / "ten", 9);
  EXPECT_EQ(over.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(over.status().message().find((dir_ / "ten").string()), std::string::npos);
  EXPECT_NE(over.status().message().find("9 bytes"), std::string::npos);
  Write(dir_ / "empty", "");
  EXPECT_EQ(*ReadFile(dir_ / "empty", 0), "");
  EXPECT_EQ(ReadFile(dir_ / "missing", 10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadFile(dir_, 10).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsTest, ReadFileOfProcFileReportingSizeZero) {
  auto r = ReadFile("/proc/self/status", 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->find("Name:"), std::string::npos);
  EXPECT_EQ(ReadFile("/proc/self/status", 4).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace slipway
