// `slipway server` whose database becomes read-only while it runs: writes answer 503 naming the
// cause, reads go on, /healthz says degraded; once the database is writable again, writes work
// and the server is healthy, without a restart.
//
// Tests run as root, whom file modes do not stop, and a mount cannot be made read-only while
// the server holds files open on it for writing (EBUSY). What stops root's writes through
// descriptors already open is the immutable attribute (chattr +i, ext4/xfs/btrfs): it is set on
// the database and its write-ahead log (not on the -shm index, which SQLite maps into memory).
// Where the file system lacks the attribute, or it does not stop writes, the test is skipped
// with the reason (tests/api/health_test.cc covers the answers with a fault-injecting store).
#include <linux/fs.h>
#include <sys/ioctl.h>

#include <cstring>

#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

// Sets or clears the immutable attribute of `path`; errno's text when the file system refuses.
std::string SetImmutable(const fs::path& path, bool immutable) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  int flags = 0;
  std::string error;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
    error = std::strerror(errno);
  } else {
    flags = immutable ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    if (::ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0) error = std::strerror(errno);
  }
  ::close(fd);
  return error;
}

class ServerReadOnlyTest : public ServerE2eTest {
 protected:
  void TearDown() override {
    for (const fs::path& path : immutable_) (void)SetImmutable(path, false);  // else no clean-up
    ServerE2eTest::TearDown();
  }

  // Whether an immutable file here refuses a write through a descriptor opened before; the
  // reason when not.
  std::string ImmutableStopsWrites() {
    fs::create_directories(data_dir());
    const fs::path probe = data_dir() / "probe";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return std::strerror(errno);
    std::string why = SetImmutable(probe, true);
    if (why.empty()) {
      if (::write(fd, "x", 1) == 1) why = "an immutable file still takes writes here";
      (void)SetImmutable(probe, false);
    }
    ::close(fd);
    fs::remove(probe);
    return why;
  }

  void MakeDatabase(bool read_only) {
    for (const char* name : {"slipway.db", "slipway.db-wal"}) {
      const fs::path path = data_dir() / name;
      ASSERT_TRUE(fs::exists(path)) << path;
      ASSERT_EQ(SetImmutable(path, read_only), "") << path;
      if (read_only) immutable_.push_back(path);
    }
    if (!read_only) immutable_.clear();
  }

  std::vector<fs::path> immutable_;
};

TEST_F(ServerReadOnlyTest, ReadOnlyDatabaseRefusesWritesWith503AndKeepsServingReads) {
  if (std::string why = ImmutableStopsWrites(); !why.empty()) {
    GTEST_SKIP() << "cannot make a file read-only for root here (" << why << ")";
  }
  CommitPipeline("name: ro\non: {manual: {}}\njobs:\n  build:\n    steps: [{run: echo hi}]\n");
  StartServer({"--local-agents", "0"});
  AddProject();
  const int number = StartRun();
  ASSERT_GT(number, 0);
  ASSERT_EQ(Call("GET", "/healthz", "", "").json.value("status", ""), "ok");

  ASSERT_NO_FATAL_FAILURE(MakeDatabase(/*read_only=*/true));
  ApiAnswer refused =
      Call("POST", "/api/v1/projects", Json{{"name", "other"}, {"repo", repo_.string()}}.dump());
  EXPECT_EQ(refused.status, 503) << refused;
  EXPECT_EQ(refused.json["error"].value("code", ""), "unavailable") << refused;
  const std::string message = refused.json["error"].value("message", "");
  EXPECT_CONTAINS(message, "slipway.db is read-only");
  EXPECT_CONTAINS(message, "reads still work");
  ApiAnswer run_refused = Call("POST", "/api/v1/projects/demo/runs", "{}");
  EXPECT_EQ(run_refused.status, 503) << run_refused;

  // Reads go on, and /healthz tells why the server is degraded.
  ExpectDegradedWithReads("read-only", 1, number);

  // Writable again: the next write works and the server is healthy, without a restart.
  ASSERT_NO_FATAL_FAILURE(MakeDatabase(/*read_only=*/false));
  ApiAnswer later = Call("POST", "/api/v1/projects/demo/runs", "{}");
  EXPECT_EQ(later.status, 201) << later;
  EXPECT_EQ(Call("GET", "/healthz", "", "").json.value("status", ""), "ok");
  EXPECT_EQ(Call("GET", "/api/v1/projects/demo/runs").json["runs"].size(), 2u);
}

}  // namespace
}  // namespace slipway::e2e
