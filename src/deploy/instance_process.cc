#include "deploy/instance_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "util/subprocess.h"

namespace slipway::deploy {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kPollInterval{20};
constexpr std::chrono::milliseconds kKillWait{10000};

// Fields of /proc/<pid>/stat we need: the state letter and the start time.
struct ProcStat {
  char state = '?';
  uint64_t start_time = 0;
};

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  // The command name (field 2) is in parentheses and may contain anything: fields are counted
  // after the last ')'.
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(paren + 1));
  ProcStat stat;
  std::string field;
  for (int number = 3; number <= 22 && fields >> field; ++number) {
    if (number == 3) stat.state = field.empty() ? '?' : field[0];
    if (number == 22) {
      stat.start_time = std::stoull(field);
      return stat;
    }
  }
  return std::nullopt;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    const char* name = sigabbrev_np(signal);
    return "killed by signal " + std::to_string(signal) +
           (name ? std::string(" (SIG") + name + ")" : "");
  }
  return "ended (wait status " + std::to_string(status) + ")";
}

}  // namespace

std::string ExpandTemplate(std::string_view text, uint16_t port, std::string_view revision) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    if (text.starts_with("{port}")) {
      out += std::to_string(port);
      text.remove_prefix(6);
    } else if (text.starts_with("{revision}")) {
      out += revision;
      text.remove_prefix(10);
    } else {
      out += text.front();
      text.remove_prefix(1);
    }
  }
  return out;
}

Result<ProcessIdentity> LaunchDetached(const LaunchSpec& spec) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, spec.log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attr, &signals);
  sigfillset(&signals);
  posix_spawnattr_setsigdefault(&attr, &signals);

  std::string sh = "/bin/sh", dash_c = "-c", command = spec.command;
  char* argv[] = {sh.data(), dash_c.data(), command.data(), nullptr};
  std::vector<std::string> env = spec.env;
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int error = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (error != 0) {
    return Unavailable("cannot start `" + spec.command + "` in " + spec.cwd.string() + " (log " +
                       spec.log_file.string() + "): " + std::strerror(error));
  }
  const std::optional<ProcStat> stat = ReadProcStat(pid);
  // The child exists until we reap it, so its stat is there even if it already exited.
  if (!stat) return Internal("started pid " + std::to_string(pid) + " but /proc has no record");
  return ProcessIdentity{pid, stat->start_time};
}

std::optional<uint64_t> ProcessStartTime(pid_t pid) {
  const std::optional<ProcStat> stat = ReadProcStat(pid);
  if (!stat) return std::nullopt;
  return stat->start_time;
}

ProcessCheck CheckProcess(const ProcessIdentity& process) {
  const std::optional<ProcStat> stat = ReadProcStat(process.pid);
  if (!stat || stat->start_time != process.start_time) {
    return {false, "is gone (exit status unknown)"};
  }
  int status = 0;
  const pid_t waited = waitpid(process.pid, &status, WNOHANG);
  if (waited == process.pid) return {false, DescribeWaitStatus(status)};
  if (waited == 0) return {true, ""};  // our child, still running
  // Not our child (adopted): it runs unless it is a zombie waiting for its own parent.
  if (stat->state == 'Z' || stat->state == 'X') return {false, "exited (exit status unknown)"};
  return {true, ""};
}

bool SignalGroup(const ProcessIdentity& process, int signal) {
  const std::optional<ProcStat> stat = ReadProcStat(process.pid);
  if (stat && stat->start_time != process.start_time) return false;  // pid reused: not ours
  if (!stat && ProcessGroupMembers(process.pid).empty()) return false;
  return kill(-process.pid, signal) == 0;
}

Status StopProcessGroups(const std::vector<ProcessIdentity>& processes,
                         std::chrono::milliseconds grace) {
  std::vector<ProcessIdentity> live;
  for (const ProcessIdentity& process : processes) {
    if (SignalGroup(process, SIGTERM)) live.push_back(process);
  }
  const auto reap_and_prune = [&live] {
    std::erase_if(live, [](const ProcessIdentity& process) {
      (void)CheckProcess(process);  // reaps the leader when it is our exited child
      return ProcessGroupMembers(process.pid).empty();
    });
  };
  const Clock::time_point term_deadline = Clock::now() + grace;
  while (reap_and_prune(), !live.empty() && Clock::now() < term_deadline) {
    std::this_thread::sleep_for(kPollInterval);
  }
  for (const ProcessIdentity& process : live) (void)SignalGroup(process, SIGKILL);
  const Clock::time_point kill_deadline = Clock::now() + kKillWait;
  while (reap_and_prune(), !live.empty() && Clock::now() < kill_deadline) {
    std::this_thread::sleep_for(kPollInterval);
  }
  // Leaders that had already exited (zombies we never signalled) are reaped too.
  for (const ProcessIdentity& process : processes) (void)CheckProcess(process);
  if (!live.empty()) {
    return Unavailable("process group " + std::to_string(live.front().pid) +
                       " survived SIGKILL for 10 s");
  }
  return Status::Ok();
}

}  // namespace slipway::deploy
