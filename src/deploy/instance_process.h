// The OS side of a ProcessTarget's instances: starting one detached in a session of its own,
// telling whether a recorded process is still the one we started (pid plus start time, so a
// reused pid is never mistaken for it), and stopping process groups. Internal to deploy.
//
// Reaping: an instance is a child of the process that started it. CheckProcess and
// StopProcessGroups reap such a child with waitpid(pid) once it has exited; an instance adopted
// from an earlier server process is not our child and is reaped by init.
// Thread-safety: all functions are thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway::deploy {

// A process we started: its pid (also its process group and session id) and its start time
// (field 22 of /proc/<pid>/stat, clock ticks since boot).
struct ProcessIdentity {
  pid_t pid = 0;
  uint64_t start_time = 0;
};

// Replaces {port} and {revision} in `text`; other braces stay as they are.
std::string ExpandTemplate(std::string_view text, uint16_t port, std::string_view revision);

struct LaunchSpec {
  std::string command;             // run with /bin/sh -c
  std::filesystem::path cwd;       // must exist
  std::vector<std::string> env;    // KEY=VALUE, the whole environment
  std::filesystem::path log_file;  // stdout and stderr are appended here (created 0644)
};

// Starts `spec` in a new session (setsid: its own process group, no controlling terminal),
// stdin from /dev/null, signals at their defaults, no descriptor of ours inherited.
Result<ProcessIdentity> LaunchDetached(const LaunchSpec& spec);

// The start time of process `pid`, or nullopt when there is no such process.
std::optional<uint64_t> ProcessStartTime(pid_t pid);

struct ProcessCheck {
  bool running = false;
  std::string exit_description;  // when not running: "exited with status 3", "killed by signal 9"
};

// Whether `process` still runs. A child of ours that exited is reaped here (its exit status is
// known only then); for other processes the status is unknown.
ProcessCheck CheckProcess(const ProcessIdentity& process);

// Sends `signal` to the process group of `process` if that group is still ours: the leader is
// `process` itself, or the leader is gone and members remain (a group id is not reused while the
// group has members). Returns whether a signal was sent.
bool SignalGroup(const ProcessIdentity& process, int signal);

// Stops the groups of all `processes` at once: SIGTERM, up to `grace` for them to empty, then
// SIGKILL. Returns once every group is empty (or after 10 s more: processes stuck in the kernel,
// reported as an error) and our exited children are reaped.
Status StopProcessGroups(const std::vector<ProcessIdentity>& processes,
                         std::chrono::milliseconds grace);

}  // namespace slipway::deploy
