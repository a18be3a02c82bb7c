// Running one child process in its own process group, capturing its output, and removing
// whatever a process group left behind.
//
// RunProcess starts argv with posix_spawn (vfork-fast) as the leader of a new process group,
// stdin from /dev/null, stdout and stderr into one pipe (so their interleaving is preserved),
// the signal mask empty and every signal disposition at its default, and no file descriptor of
// ours inherited (all descriptors >= 3 are closed in the child). It waits in poll() on the
// pipe, a pidfd of the child and the cancel token: no threads, no sleeps.
//
// When the child exits, RunProcess reads what is already in the pipe and returns: background
// processes the child left (`sleep 1000 &`) may hold the pipe open forever and are not waited
// for; they stay in the group until the caller removes them with KillProcessGroup. On timeout
// or cancellation the whole group gets SIGTERM, then SIGKILL after kill_grace, and RunProcess
// returns only once no process of the group is left.
//
// Thread-safety: RunProcess may run on many threads at once. The process must not set SIGCHLD
// to SIG_IGN (children would be reaped by the kernel and exit codes lost), and nothing else in
// the process may reap children it did not start (waitpid(-1, ...)).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway {

class CancelToken;

struct ProcessSpec {
  // argv[0] is looked up in the PATH of `env` (not of this process) unless it contains '/';
  // a relative path with '/' is relative to `cwd`. Must not be empty.
  std::vector<std::string> argv;
  // Working directory of the child; empty: this process's working directory.
  std::filesystem::path cwd;
  // The complete environment of the child, KEY=VALUE; nothing is inherited.
  std::vector<std::string> env;
  // Wall-clock limit from spawn; none: unlimited.
  std::optional<std::chrono::milliseconds> timeout;
  // How long the group may take to exit after SIGTERM before it gets SIGKILL.
  std::chrono::milliseconds kill_grace{5000};
};

struct ProcessOutcome {
  enum class Kind {
    kExited,         // exit_code holds the status passed to exit()
    kSignaled,       // signal holds the signal that ended the child
    kTimedOut,       // ran past spec.timeout; the group was terminated
    kCancelled,      // the cancel token fired; the group was terminated
    kFailedToStart,  // error says why (no such program, not executable, bad cwd, ...)
  };
  Kind kind = Kind::kFailedToStart;
  int exit_code = -1;  // set when the child exited normally (also after a timeout/cancel)
  int signal = 0;      // set when a signal ended the child (also after a timeout/cancel)
  std::string error;   // for kFailedToStart, and for failures to terminate the group
  std::chrono::milliseconds duration{0};  // spawn to return
  pid_t pgid = -1;                        // the child's process group (= its pid); -1 if none
  // Processes of the group were still there when RunProcess returned (background children
  // of an exited child). Only then does the caller need KillProcessGroup; remembering a group
  // that is already empty risks killing an unrelated group that later reuses its id.
  bool group_left_behind = false;
};

// Receives output as it arrives, in arbitrary chunks (not lines). Called on the thread that
// called RunProcess.
using OutputCallback = std::function<void(std::string_view chunk)>;

// Runs spec to completion as described above. `on_output` may be empty (output is discarded);
// `cancel` may be null.
ProcessOutcome RunProcess(const ProcessSpec& spec, const OutputCallback& on_output,
                          const CancelToken* cancel);

// Removes every process of group `pgid`: SIGTERM, wait up to `grace` for the group to empty,
// then SIGKILL and wait for it to empty. Returns at once (one syscall) when the group is already
// gone. Zombies (exited, not yet reaped by their parent) count as gone. Fails only when the
// group cannot be signalled or survives SIGKILL for 10 s (processes stuck in the kernel).
Status KillProcessGroup(pid_t pgid, std::chrono::milliseconds grace);

// The pids of the live (non-zombie) processes in group `pgid`, found by scanning /proc.
std::vector<pid_t> ProcessGroupMembers(pid_t pgid);

// The seam for tests of code that runs processes: the runner takes a ProcessLauncher, tests
// pass a fake or a forwarding wrapper that fails one call.
class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  virtual ProcessOutcome Run(const ProcessSpec& spec, const OutputCallback& on_output,
                             const CancelToken* cancel) = 0;
  virtual Status KillGroup(pid_t pgid, std::chrono::milliseconds grace) = 0;
};

// The real thing: forwards to RunProcess and KillProcessGroup. Stateless.
class RealProcessLauncher final : public ProcessLauncher {
 public:
  ProcessOutcome Run(const ProcessSpec& spec, const OutputCallback& on_output,
                     const CancelToken* cancel) override {
    return RunProcess(spec, on_output, cancel);
  }
  Status KillGroup(pid_t pgid, std::chrono::milliseconds grace) override {
    return KillProcessGroup(pgid, grace);
  }
};

}  // namespace slipway
