// `slipway server` on a full disk: writes answer 503 naming the problem, reads go on, /healthz
// says degraded; once space is free again, writes work and the server is healthy.
//
// The disk is a 16 MiB tmpfs mounted on the data directory and filled with a file. Mounting
// needs CAP_SYS_ADMIN (root in most containers); where it is refused the test is skipped with
// the reason (tests/api/health_test.cc covers the same answers with a fault-injecting store).
#include <sys/mount.h>

#include <cstring>

#include "e2e/server_harness.h"

namespace slipway::e2e {
namespace {

class ServerDegradedTest : public ServerE2eTest {
 protected:
  void TearDown() override {
    KillServer();  // nothing may hold files on the mount when it goes
    if (mounted_) ::umount2(data_dir().c_str(), MNT_DETACH);
    ServerE2eTest::TearDown();
  }

  // Mounts a small tmpfs on data_dir(); false (with errno's text in `why`) when refused.
  bool MountSmallDisk(std::string* why) {
    fs::create_directories(data_dir());
    if (::mount("tmpfs", data_dir().c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=700") !=
        0) {
      *why = std::strerror(errno);
      return false;
    }
    mounted_ = true;
    return true;
  }

  // Writes zeros to `path` until the disk is full; returns how many bytes fit.
  static size_t FillDisk(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_GE(fd, 0) << path;
    const std::string chunk(64 * 1024, '\0');
    size_t total = 0;
    for (size_t size = chunk.size(); fd >= 0 && size > 0;) {
      const ssize_t wrote = ::write(fd, chunk.data(), size);
      if (wrote > 0) {
        total += static_cast<size_t>(wrote);
      } else if (size > 1) {
        size /= 2;  // fill the last partial pages too
      } else {
        break;
      }
    }
    if (fd >= 0) ::close(fd);
    return total;
  }

  bool mounted_ = false;
};

TEST_F(ServerDegradedTest, FullDiskRefusesWritesWith503AndKeepsServingReads) {
  std::string why;
  if (!MountSmallDisk(&why)) GTEST_SKIP() << "cannot mount a tmpfs here (" << why << ")";
  CommitPipeline("name: full\non: {manual: {}}\njobs:\n  build:\n    steps: [{run: echo hi}]\n");
  StartServer({"--local-agents", "0"});
  AddProject();
  const int number = StartRun();
  ASSERT_GT(number, 0);
  ASSERT_EQ(Call("GET", "/healthz", "", "").json.value("status", ""), "ok");

  ASSERT_GT(FillDisk(data_dir() / "filler"), 0u);
  // SQLite reuses the space its write-ahead log already has, so the first writes may still
  // fit: add projects until one does not (every one that fits is a real, stored project).
  ApiAnswer refused;
  int added = 0;
  for (int i = 0; i < 2000; ++i) {
    refused = Call("POST", "/api/v1/projects",
                   Json{{"name", "p" + std::to_string(i)}, {"repo", repo_.string()}}.dump());
    if (refused.status != 201) break;
    ++added;
  }
  ASSERT_EQ(refused.status, 503) << refused << "\nafter " << added << " projects were added";
  const std::string message = refused.json["error"].value("message", "");
  EXPECT_CONTAINS(message, "full");
  ApiAnswer run_refused = Call("POST", "/api/v1/projects/demo/runs", "{}");
  EXPECT_EQ(run_refused.status, 503) << run_refused;

  // Reads go on, and /healthz tells why the server is degraded.
  ExpectDegradedWithReads("full", static_cast<size_t>(added + 1), number);

  // Space again: the next write works and the server is healthy.
  fs::remove(data_dir() / "filler");
  ApiAnswer later = Call("POST", "/api/v1/projects/demo/runs", "{}");
  EXPECT_EQ(later.status, 201) << later;
  EXPECT_EQ(Call("GET", "/healthz", "", "").json.value("status", ""), "ok");
}

}  // namespace
}  // namespace slipway::e2e
