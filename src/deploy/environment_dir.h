// An environment's directory on the deploying host, <state_dir>/<project>/<environment>/, and
// its lock files. Internal.
//
//   lock              flock()ed by the process running a rollout (or a reconciler pass)
//   owner.lock        flock()ed by the one process whose target and router objects look
//                     after the environment (a process target's supervisor must not run twice)
//   abort, approve    written by `Rollback`/`Approve` from another process: the rollout reads
//                     and removes them
//   revisions/<id>/   each revision's files;  instances/, exec/, proxy/: targets' and router's;
//                     analyses/: the analysis records
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace slipway::deploy {

// A project or environment name as one safe path component.
std::string PathComponent(std::string_view name);
// <state_dir>/<project>/<environment>
std::filesystem::path EnvironmentDir(const std::filesystem::path& state_dir,
                                     const std::string& project, const std::string& environment);

// One of the environment's lock files: held by one process at a time (flock, released when
// the holder dies). locked() tells whether this object holds it.
class EnvironmentLock {
 public:
  // Tries once, never blocks.
  explicit EnvironmentLock(const std::filesystem::path& dir, const char* name = "lock");
  ~EnvironmentLock();
  EnvironmentLock(const EnvironmentLock&) = delete;
  EnvironmentLock& operator=(const EnvironmentLock&) = delete;
  bool locked() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace slipway::deploy
