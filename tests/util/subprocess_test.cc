#include "util/subprocess.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "util/cancel.h"

namespace slipway {
namespace {

using Kind = ProcessOutcome::Kind;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

const std::vector<std::string> kEnv = {"PATH=/usr/bin:/bin", "LC_ALL=C"};

struct Captured {
  ProcessOutcome outcome;
  std::string output;
};

Captured RunSh(const std::string& script, ProcessSpec spec = {},
               const CancelToken* cancel = nullptr) {
  spec.argv = {"sh", "-c", script};
  if (spec.env.empty()) spec.env = kEnv;
  Captured run;
  run.outcome = RunProcess(
      spec, [&](std::string_view chunk) { run.output.append(chunk); }, cancel);
  return run;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "subprocess_test.XXXXXX");
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

bool GroupGone(pid_t pgid) { return ProcessGroupMembers(pgid).empty(); }

TEST(RunProcessTest, ReportsExitCode) {
  Captured run = RunSh("exit 3");
  EXPECT_EQ(run.outcome.kind, Kind::kExited);
  EXPECT_EQ(run.outcome.exit_code, 3);
  EXPECT_GT(run.outcome.pgid, 1);
  EXPECT_TRUE(run.outcome.error.empty());
  EXPECT_FALSE(run.outcome.group_left_behind);
}

TEST(RunProcessTest, ReportsSignal) {
  Captured run = RunSh("kill -TERM $$");
  EXPECT_EQ(run.outcome.kind, Kind::kSignaled);
  EXPECT_EQ(run.outcome.signal, SIGTERM);
}

TEST(RunProcessTest, InterleavesStdoutAndStderrInOrder) {
  Captured run = RunSh("echo out1; echo err1 >&2; echo out2; echo err2 >&2");
  EXPECT_EQ(run.outcome.kind, Kind::kExited);
  EXPECT_EQ(run.output, "out1\nerr1\nout2\nerr2\n");
}

TEST(RunProcessTest, CapturesLargeOutputWithoutDeadlock) {
  size_t bytes = 0;
  size_t zeros = 0;
  ProcessSpec spec;
  spec.argv = {"head", "-c", "52428800", "/dev/zero"};
  spec.env = kEnv;
  ProcessOutcome outcome = RunProcess(
      spec,
      [&](std::string_view chunk) {
        bytes += chunk.size();
        for (char c : chunk) zeros += c == '\0';
      },
      nullptr);
  EXPECT_EQ(outcome.kind, Kind::kExited);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(bytes, 52428800u);
  EXPECT_EQ(zeros, bytes);
}

TEST(RunProcessTest, UsesExactlyTheGivenEnvironment) {
  ProcessSpec spec;
  spec.argv = {"env"};
  spec.env = {"PATH=/usr/bin:/bin", "A=1", "B=two words"};
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view c) { output.append(c); }, nullptr);
  EXPECT_EQ(outcome.kind, Kind::kExited);
  EXPECT_EQ(output, "PATH=/usr/bin:/bin\nA=1\nB=two words\n");
}

TEST(RunProcessTest, RunsInWorkingDirectory) {
  TempDir dir;
  ProcessSpec spec;
  spec.cwd = dir.path();
  Captured run = RunSh("pwd -P; echo hi > here.txt", spec);
  EXPECT_EQ(run.outcome.exit_code, 0);
  EXPECT_EQ(run.output, std::filesystem::canonical(dir.path()).string() + "\n");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "here.txt"));
}

TEST(RunProcessTest, ResolvesProgramInTheChildsPath) {
  TempDir dir;
  const auto tool = dir.path() / "my-tool";
  std::ofstream(tool) << "#!/bin/sh\necho tool ran with $1\n";
  std::filesystem::permissions(tool, std::filesystem::perms::owner_all);
  ProcessSpec spec;
  spec.argv = {"my-tool", "x"};
  spec.env = {"PATH=/nonexistent:" + dir.path().string() + ":/usr/bin:/bin"};
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view c) { output.append(c); }, nullptr);
  EXPECT_EQ(outcome.kind, Kind::kExited);
  EXPECT_EQ(output, "tool ran with x\n");
}

TEST(RunProcessTest, RelativeProgramPathIsRelativeToCwd) {
  TempDir dir;
  std::ofstream(dir.path() / "script.sh") << "#!/bin/sh\necho relative\n";
  std::filesystem::permissions(dir.path() / "script.sh", std::filesystem::perms::owner_all);
  ProcessSpec spec;
  spec.argv = {"./script.sh"};
  spec.env = kEnv;
  spec.cwd = dir.path();
  std::string output;
  ProcessOutcome outcome = RunProcess(
      spec, [&](std::string_view c) { output.append(c); }, nullptr);
  EXPECT_EQ(outcome.kind, Kind::kExited);
  EXPECT_EQ(output, "relative\n");
}

TEST(RunProcessTest, UnknownProgramFailsToStart) {
  ProcessSpec spec;
  spec.argv = {"no-such-program-slipway-test"};
  spec.env = kEnv;
  ProcessOutcome outcome = RunProcess(spec, {}, nullptr);
  EXPECT_EQ(outcome.kind, Kind::kFailedToStart);
  EXPECT_THAT(outcome.error, HasSubstr("command not found: no-such-program-slipway-test"));
  EXPECT_EQ(outcome.pgid, -1);
}

TEST(RunProcessTest, MissingAbsoluteProgramFailsToStart) {
  ProcessSpec spec;
  spec.argv = {"/no/such/program"};
  spec.env = kEnv;
  ProcessOutcome outcome = RunProcess(spec, {}, nullptr);
  EXPECT_EQ(outcome.kind, Kind::kFailedToStart);
  EXPECT_THAT(outcome.error, HasSubstr("cannot execute /no/such/program"));
}

TEST(RunProcessTest, NonExecutableFileFailsToStart) {
  TempDir dir;
  std::ofstream(dir.path() / "data.txt") << "not a program\n";
  ProcessSpec spec;
  spec.argv = {(dir.path() / "data.txt").string()};
  spec.env = kEnv;
  ProcessOutcome outcome = RunProcess(spec, {}, nullptr);
  EXPECT_EQ(outcome.kind, Kind::kFailedToStart);
  EXPECT_THAT(outcome.error, HasSubstr("Permission denied"));
}

TEST(RunProcessTest, MissingWorkingDirectoryFailsToStart) {
  ProcessSpec spec;
  spec.argv = {"true"};
  spec.env = kEnv;
  spec.cwd = "/no/such/dir";
  ProcessOutcome outcome = RunProcess(spec, {}, nullptr);
  EXPECT_EQ(outcome.kind, Kind::kFailedToStart);
  EXPECT_THAT(outcome.error, HasSubstr("working directory /no/such/dir"));
}

TEST(RunProcessTest, StdinIsDevNull) {
  Captured run = RunSh("cat; echo end");
  EXPECT_EQ(run.outcome.exit_code, 0);
  EXPECT_EQ(run.output, "end\n");
}

TEST(RunProcessTest, NoDescriptorLeaksIntoChild) {
  const int leaky = open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 3);
  Captured run = RunSh("ls /proc/$$/fd");
  close(leaky);
  EXPECT_EQ(run.outcome.exit_code, 0);
  EXPECT_THAT(run.output, ::testing::Not(HasSubstr(std::to_string(leaky) + "\n")));
}

TEST(RunProcessTest, ResetsSignalMaskAndDispositions) {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigset_t old_mask;
  pthread_sigmask(SIG_BLOCK, &block, &old_mask);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_pipe {};
  sigaction(SIGPIPE, &ignore, &old_pipe);

  // A blocked SIGUSR1 would stay pending and let sh reach `exit 0`.
  Captured usr1 = RunSh("kill -USR1 $$; exit 0");
  // An ignored SIGPIPE would make `yes` complain about EPIPE instead of dying quietly.
  Captured pipe = RunSh("yes | head -n 1");

  sigaction(SIGPIPE, &old_pipe, nullptr);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  EXPECT_EQ(usr1.outcome.kind, Kind::kSignaled);
  EXPECT_EQ(usr1.outcome.signal, SIGUSR1);
  EXPECT_EQ(pipe.output, "y\n");
}

TEST(RunProcessTest, TimeoutKillsWholeGroupIncludingBackgroundChildren) {
  ProcessSpec spec;
  spec.timeout = milliseconds(200);
  spec.kill_grace = milliseconds(5000);
  Captured run = RunSh("sleep 1000 & sleep 1000 & echo started; sleep 1000", spec);
  EXPECT_EQ(run.outcome.kind, Kind::kTimedOut);
  EXPECT_EQ(run.output, "started\n");
  EXPECT_EQ(run.outcome.signal, SIGTERM);
  EXPECT_TRUE(GroupGone(run.outcome.pgid));
  EXPECT_FALSE(run.outcome.group_left_behind);
}

TEST(RunProcessTest, TimeoutEscalatesToSigkillWhenTermIsIgnored) {
  ProcessSpec spec;
  spec.timeout = milliseconds(100);
  spec.kill_grace = milliseconds(300);
  // `trap "" TERM` is inherited by the background sleep as an ignored disposition.
  Captured run = RunSh("trap '' TERM; sleep 1000 & echo ready; while :; do sleep 1; done", spec);
  EXPECT_EQ(run.outcome.kind, Kind::kTimedOut);
  EXPECT_EQ(run.outcome.signal, SIGKILL);
  EXPECT_GE(run.outcome.duration, milliseconds(400));
  EXPECT_TRUE(GroupGone(run.outcome.pgid));
}

TEST(RunProcessTest, TrapHandlerGetsToFinishAndPrintDuringGrace) {
  ProcessSpec spec;
  spec.timeout = milliseconds(200);
  spec.kill_grace = milliseconds(20000);
  Captured run =
      RunSh("trap 'echo cleaning up; exit 7' TERM; echo ready; while :; do sleep 0.05; done", spec);
  EXPECT_EQ(run.outcome.kind, Kind::kTimedOut);
  EXPECT_EQ(run.outcome.exit_code, 7);
  // sh may also report the killed `sleep` ("Terminated") before running the trap.
  EXPECT_THAT(run.output, ::testing::StartsWith("ready\n"));
  EXPECT_THAT(run.output, ::testing::EndsWith("cleaning up\n"));
  EXPECT_LT(run.outcome.duration, milliseconds(20000));
  EXPECT_TRUE(GroupGone(run.outcome.pgid));
}

TEST(RunProcessTest, CancelFromAnotherThreadEndsTheGroup) {
  CancelToken cancel;
  ProcessSpec spec;
  spec.kill_grace = milliseconds(30000);  // returning early proves SIGTERM did the job
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));
    cancel.Cancel();
  });
  Captured run = RunSh("sleep 1000 & sleep 1000", spec, &cancel);
  canceller.join();
  EXPECT_EQ(run.outcome.kind, Kind::kCancelled);
  EXPECT_LT(run.outcome.duration, milliseconds(30000));
  EXPECT_TRUE(GroupGone(run.outcome.pgid));
}

TEST(RunProcessTest, AlreadyCancelledTokenStartsNothing) {
  CancelToken cancel;
  cancel.Cancel();
  Captured run = RunSh("echo should not run", {}, &cancel);
  EXPECT_EQ(run.outcome.kind, Kind::kCancelled);
  EXPECT_EQ(run.outcome.pgid, -1);
  EXPECT_EQ(run.output, "");
}

TEST(RunProcessTest, BackgroundChildHoldingThePipeDoesNotHang) {
  ProcessSpec spec;
  spec.timeout = milliseconds(60000);
  Captured run = RunSh("sleep 1000 & echo done", spec);
  EXPECT_EQ(run.outcome.kind, Kind::kExited);
  EXPECT_EQ(run.outcome.exit_code, 0);
  EXPECT_EQ(run.output, "done\n");
  EXPECT_LT(run.outcome.duration, milliseconds(60000));
  // The background sleep is still there until the caller removes it.
  EXPECT_TRUE(run.outcome.group_left_behind);
  EXPECT_FALSE(GroupGone(run.outcome.pgid));
  EXPECT_TRUE(KillProcessGroup(run.outcome.pgid, milliseconds(5000)).ok());
  EXPECT_TRUE(GroupGone(run.outcome.pgid));
}

TEST(RunProcessTest, ManyConcurrentRuns) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        Captured run = RunSh("echo " + std::to_string(t * 100 + i));
        if (run.outcome.exit_code == 0 && run.output == std::to_string(t * 100 + i) + "\n") {
          ok.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
}

TEST(KillProcessGroupTest, GoneGroupIsOk) {
  Captured run = RunSh("exit 0");
  EXPECT_TRUE(KillProcessGroup(run.outcome.pgid, milliseconds(1000)).ok());
}

TEST(KillProcessGroupTest, RefusesDangerousGroups) {
  EXPECT_EQ(KillProcessGroup(0, milliseconds(10)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KillProcessGroup(1, milliseconds(10)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KillProcessGroup(getpgrp(), milliseconds(10)).code(), StatusCode::kInvalidArgument);
}

TEST(KillProcessGroupTest, EscalatesForLeftoversThatIgnoreTerm) {
  Captured run = RunSh("(trap '' TERM; exec sleep 1000) & sleep 1000 & echo ok");
  ASSERT_EQ(run.outcome.kind, Kind::kExited);
  EXPECT_EQ(ProcessGroupMembers(run.outcome.pgid).size(), 2u);
  EXPECT_TRUE(KillProcessGroup(run.outcome.pgid, milliseconds(200)).ok());
  EXPECT_TRUE(GroupGone(run.outcome.pgid));
}

}  // namespace
}  // namespace slipway
