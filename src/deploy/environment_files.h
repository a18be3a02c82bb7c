// What an environment keeps on disk, in <state_dir>/<project>/<environment>/. Internal.
//
//   environment.json  the desired state: the pipeline text that declares the environment,
//                     the stable revision, the next revision number (EnvironmentFile)
//   deploys.jsonl     one DeployRecord per finished deploy, oldest first
//   lock              flock()ed by the process running a rollout (or a reconciler pass)
//   owner.lock        flock()ed by the one process whose target and router objects look
//                     after the environment (a process target's supervisor must not run twice)
//   abort             written by `Rollback` from any process: the rollout aborts with its text
//   revisions/<id>/   each revision's files;  instances/, exec/, proxy/: targets' and router's
#pragma once

#include <filesystem>

#include "deploy/deploy.h"

namespace slipway::deploy {

struct EnvironmentFile {
  std::string pipeline_file, pipeline_yaml;  // where the environment is declared
  std::string environment;
  int64_t next_revision = 1;
  int64_t next_deploy = 1;
  std::optional<RevisionSpec> stable;
};

Result<EnvironmentFile> ReadEnvironmentFile(const std::filesystem::path& dir);
Status WriteEnvironmentFile(const std::filesystem::path& dir, const EnvironmentFile& file);

Status AppendDeployRecord(const std::filesystem::path& dir, const DeployRecord& record);
// Every record, oldest first. Lines that do not parse are skipped (a torn last line).
std::vector<DeployRecord> ReadDeployRecords(const std::filesystem::path& dir);

std::string DeployRecordJson(const DeployRecord& record);  // one line, no newline

// One of the environment's lock files (`lock` or `owner.lock`): held by one process at a time
// (flock, released when the holder dies). locked() tells whether this object holds it.
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
