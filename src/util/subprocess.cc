#include "util/subprocess.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <system_error>
#include <utility>

#include "util/cancel.h"

namespace slipway {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long a group may take to disappear after SIGKILL before we give up on it.
constexpr milliseconds kKillWait{10000};
// The pipe's capacity, asked for with F_SETPIPE_SZ (1 MiB is the unprivileged maximum by
// default): a chatty child then blocks, and we wake, far less often than with the 64 KiB
// default. The read buffer matches it so one read usually empties the pipe.
constexpr int kPipeCapacity = 1024 * 1024;
constexpr size_t kReadBuffer = 256 * 1024;
// After the child exited, at most this much is read: a background process that keeps writing
// must not keep RunProcess from returning.
constexpr size_t kDrainLimit = 4 * 1024 * 1024;
// Per wake-up, at most this much is read before deadlines and the pidfd are looked at again.
constexpr size_t kReadPerWake = 1024 * 1024;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

Fd PidfdOpen(pid_t pid) { return Fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0))); }

timespec ToTimespec(Clock::duration d) {
  if (d < Clock::duration::zero()) d = Clock::duration::zero();
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return timespec{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
}

// ppoll until `deadline` (max(): forever). Returns the number of ready fds, 0 on timeout;
// EINTR counts as 0 ready fds (callers loop and re-check their deadline).
int PollUntil(pollfd* fds, size_t n, Clock::time_point deadline) {
  timespec ts;
  const timespec* tsp = nullptr;
  if (deadline != Clock::time_point::max()) {
    ts = ToTimespec(deadline - Clock::now());
    tsp = &ts;
  }
  const int ready = ppoll(fds, n, tsp, nullptr);
  return ready < 0 ? 0 : ready;
}

// Reads the child's output pipe and hands the bytes to the callback.
class OutputPump {
 public:
  OutputPump(Fd fd, const OutputCallback& on_output) : fd_(std::move(fd)), on_output_(on_output) {}

  bool open() const { return fd_.valid(); }
  int fd() const { return fd_.get(); }

  // Reads what is available, up to `limit` bytes; closes the pipe at EOF or on error.
  void ReadAvailable(size_t limit) {
    size_t total = 0;
    while (fd_.valid() && total < limit) {
      if (!buffer_) buffer_ = std::make_unique_for_overwrite<char[]>(kReadBuffer);
      const ssize_t n = read(fd_.get(), buffer_.get(), kReadBuffer);
      if (n > 0) {
        total += static_cast<size_t>(n);
        if (on_output_) on_output_(std::string_view(buffer_.get(), static_cast<size_t>(n)));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      fd_.Reset();  // EOF or a read error: nothing more will come
    }
  }

 private:
  Fd fd_;
  const OutputCallback& on_output_;
  std::unique_ptr<char[]> buffer_;  // allocated on first use: many steps print nothing
};

std::string_view EnvValue(const std::vector<std::string>& env, std::string_view key) {
  for (const std::string& entry : env) {
    if (entry.size() > key.size() && entry[key.size()] == '=' && entry.starts_with(key)) {
      return std::string_view(entry).substr(key.size() + 1);
    }
  }
  return {};
}

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// The path to hand to posix_spawn for argv[0], searched in the PATH of the child's
// environment. Relative results stay relative: the child resolves them after its chdir.
Result<std::string> ResolveProgram(const ProcessSpec& spec) {
  const std::string& name = spec.argv[0];
  if (name.find('/') != std::string::npos) return name;
  if (name.empty()) return InvalidArgument("empty program name");
  std::string_view path = EnvValue(spec.env, "PATH");
  if (path.empty()) path = "/usr/local/bin:/usr/bin:/bin";
  std::string_view rest = path;
  while (true) {
    const size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    const bool relative = candidate[0] != '/';
    const std::string check =
        relative && !spec.cwd.empty() ? (spec.cwd / candidate).string() : candidate;
    if (IsExecutableFile(check)) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return NotFound("command not found: " + name + " (PATH=" + std::string(path) + ")");
}

std::string SpawnErrorMessage(const ProcessSpec& spec, const std::string& program, int err) {
  if (!spec.cwd.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(spec.cwd, ec)) {
      return "cannot change to working directory " + spec.cwd.string() + ": " +
             (ec ? ec.message() : std::string("not a directory"));
    }
  }
  std::string message = "cannot execute " + program + ": " + std::strerror(err);
  if (err == ENOEXEC) message += " (a script without a #! line?)";
  return message;
}

struct Child {
  pid_t pid = -1;
  Fd pidfd;
  Fd output;  // read end of the stdout+stderr pipe, non-blocking
};

Result<Child> Spawn(const ProcessSpec& spec, const std::string& program) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2", errno);
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);
  (void)fcntl(read_end.get(), F_SETPIPE_SZ, kPipeCapacity);  // best effort: a smaller pipe works

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  // O_CLOEXEC protects our descriptors; this also protects against code that forgot it.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // a new group whose id is the child's pid
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attr, &signals);
  sigfillset(&signals);
  posix_spawnattr_setsigdefault(&attr, &signals);

  std::vector<char*> argv;
  argv.reserve(spec.argv.size() + 1);
  for (const std::string& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  envp.reserve(spec.env.size() + 1);
  for (const std::string& var : spec.env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int err = posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return Unavailable(SpawnErrorMessage(spec, program, err));
  write_end.Reset();  // only the child (and its descendants) may hold the write end

  Child child;
  child.pid = pid;
  child.pidfd = PidfdOpen(pid);
  if (!child.pidfd.valid()) {
    const int open_err = errno;
    kill(-pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return ErrnoStatus("pidfd_open", open_err);
  }
  fcntl(read_end.get(), F_SETFL, O_NONBLOCK);  // the child's end stays blocking
  child.output = std::move(read_end);
  return child;
}

// Reads the state and process group from /proc/<pid>/stat. False when the process is gone.
bool ReadProcStat(const char* pid_dir, char* state, pid_t* pgrp) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%s/stat", pid_dir);
  Fd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  char buf[512];
  const ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return false;
  buf[n] = '\0';
  // "pid (comm) S ppid pgrp ...": comm may hold spaces and ')', so parse after the last ')'.
  const char* paren = std::strrchr(buf, ')');
  if (paren == nullptr) return false;
  int ppid = 0;
  int group = 0;
  if (std::sscanf(paren + 1, " %c %d %d", state, &ppid, &group) != 3) return false;
  *pgrp = group;
  return true;
}

bool GroupExists(pid_t pgid) { return kill(-pgid, 0) == 0 || errno != ESRCH; }

// Waits until group `pgid` has no live member or `deadline` passes; keeps `pump` (optional)
// flowing meanwhile, so a member blocked writing to a full pipe can still react to SIGTERM.
// Event-driven: a pidfd per live member; /proc is scanned again only when all have exited
// (a member may have forked before dying).
bool WaitGroupGone(pid_t pgid, Clock::time_point deadline, OutputPump* pump) {
  while (true) {
    if (!GroupExists(pgid)) return true;
    std::vector<pollfd> fds;
    std::vector<Fd> pidfds;
    for (pid_t member : ProcessGroupMembers(pgid)) {
      Fd pidfd = PidfdOpen(member);
      if (!pidfd.valid()) continue;  // gone already
      fds.push_back(pollfd{pidfd.get(), POLLIN, 0});
      pidfds.push_back(std::move(pidfd));
    }
    if (fds.empty()) return true;  // only zombies left
    size_t live = fds.size();
    while (live > 0) {
      if (Clock::now() >= deadline) return false;
      const bool pumping = pump != nullptr && pump->open();
      if (pumping) fds.push_back(pollfd{pump->fd(), POLLIN, 0});
      PollUntil(fds.data(), fds.size(), deadline);
      if (pumping) {
        if (fds.back().revents != 0) pump->ReadAvailable(kReadPerWake);
        fds.pop_back();
      }
      for (pollfd& p : fds) {
        if (p.fd >= 0 && p.revents != 0) {
          p.fd = -1;  // poll() skips negative fds
          --live;
        }
      }
    }
  }
}

int ReapChild(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

void RecordStatus(int status, ProcessOutcome* outcome) {
  if (status < 0) {
    outcome->error = "cannot collect the exit status (is SIGCHLD ignored?)";
  } else if (WIFEXITED(status)) {
    outcome->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome->signal = WTERMSIG(status);
  }
}

// Ends the whole group (TERM, grace, KILL), reaps the child and collects what it printed.
void Terminate(const ProcessSpec& spec, Child& child, OutputPump& pump, ProcessOutcome* outcome) {
  const pid_t pgid = child.pid;
  kill(-pgid, SIGTERM);
  kill(-pgid, SIGCONT);  // stopped processes cannot act on SIGTERM
  if (!WaitGroupGone(pgid, Clock::now() + spec.kill_grace, &pump)) {
    kill(-pgid, SIGKILL);
    if (!WaitGroupGone(pgid, Clock::now() + kKillWait, &pump)) {
      outcome->error = "process group " + std::to_string(pgid) + " survived SIGKILL";
    }
  }
  RecordStatus(ReapChild(child.pid), outcome);
  pump.ReadAvailable(kDrainLimit);
  outcome->group_left_behind = !ProcessGroupMembers(pgid).empty();
}

}  // namespace

ProcessOutcome RunProcess(const ProcessSpec& spec, const OutputCallback& on_output,
                          const CancelToken* cancel) {
  const Clock::time_point start = Clock::now();
  ProcessOutcome outcome;
  auto finish = [&](ProcessOutcome::Kind kind) {
    outcome.kind = kind;
    outcome.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    return outcome;
  };
  if (spec.argv.empty()) {
    outcome.error = "no program to run (empty argv)";
    return finish(ProcessOutcome::Kind::kFailedToStart);
  }
  if (cancel != nullptr && cancel->cancelled()) return finish(ProcessOutcome::Kind::kCancelled);
  Result<std::string> program = ResolveProgram(spec);
  if (!program.ok()) {
    outcome.error = program.status().message();
    return finish(ProcessOutcome::Kind::kFailedToStart);
  }
  Result<Child> spawned = Spawn(spec, *program);
  if (!spawned.ok()) {
    outcome.error = spawned.status().message();
    return finish(ProcessOutcome::Kind::kFailedToStart);
  }
  Child& child = *spawned;
  outcome.pgid = child.pid;
  OutputPump pump(std::move(child.output), on_output);

  const Clock::time_point deadline =
      spec.timeout ? start + *spec.timeout : Clock::time_point::max();
  while (true) {
    pollfd fds[3];
    size_t n = 0;
    fds[n++] = pollfd{child.pidfd.get(), POLLIN, 0};
    const size_t cancel_index = n;
    if (cancel != nullptr) fds[n++] = pollfd{cancel->wait_fd(), POLLIN, 0};
    const size_t pipe_index = n;
    if (pump.open()) fds[n++] = pollfd{pump.fd(), POLLIN, 0};

    PollUntil(fds, n, deadline);
    if (pump.open() && fds[pipe_index].revents != 0) pump.ReadAvailable(kReadPerWake);
    if (fds[0].revents != 0) {
      RecordStatus(ReapChild(child.pid), &outcome);
      pump.ReadAvailable(kDrainLimit);  // what the child wrote is all in the pipe by now
      outcome.group_left_behind = GroupExists(child.pid);
      return finish(outcome.signal != 0 ? ProcessOutcome::Kind::kSignaled
                                        : ProcessOutcome::Kind::kExited);
    }
    if (cancel != nullptr && fds[cancel_index].revents != 0) {
      Terminate(spec, child, pump, &outcome);
      return finish(ProcessOutcome::Kind::kCancelled);
    }
    if (Clock::now() >= deadline) {
      Terminate(spec, child, pump, &outcome);
      return finish(ProcessOutcome::Kind::kTimedOut);
    }
  }
}

Status KillProcessGroup(pid_t pgid, milliseconds grace) {
  if (pgid <= 1 || pgid == getpgrp()) {
    return InvalidArgument("refusing to kill process group " + std::to_string(pgid));
  }
  if (kill(-pgid, SIGTERM) != 0) {
    if (errno == ESRCH) return Status::Ok();
    return ErrnoStatus("kill process group " + std::to_string(pgid), errno);
  }
  kill(-pgid, SIGCONT);
  if (WaitGroupGone(pgid, Clock::now() + grace, nullptr)) return Status::Ok();
  kill(-pgid, SIGKILL);
  if (WaitGroupGone(pgid, Clock::now() + kKillWait, nullptr)) return Status::Ok();
  return Unavailable("process group " + std::to_string(pgid) + " survived SIGKILL");
}

std::vector<pid_t> ProcessGroupMembers(pid_t pgid) {
  std::vector<pid_t> members;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return members;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    char state = 0;
    pid_t group = 0;
    if (!ReadProcStat(entry->d_name, &state, &group) || group != pgid) continue;
    if (state == 'Z' || state == 'X') continue;
    members.push_back(static_cast<pid_t>(std::atoi(entry->d_name)));
  }
  closedir(dir);
  return members;
}

}  // namespace slipway
