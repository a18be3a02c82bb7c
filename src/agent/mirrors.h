// Bare mirrors of the repositories an agent builds, one per repository URL, fetched on demand
// so a job's commit is available locally. Private to the agent.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "util/status.h"

namespace slipway::agent {

class RepositoryMirrors {
 public:
  explicit RepositoryMirrors(std::filesystem::path root);

  // The mirror of `repo` holding `commit`: fetched (branches and tags) when the commit is not
  // there yet. Jobs of the same repository wait for each other's fetch; others do not.
  Result<std::filesystem::path> Ensure(const std::string& repo, const std::string& commit);

 private:
  std::mutex& LockFor(const std::string& repo);

  const std::filesystem::path root_;
  std::mutex mutex_;  // guards locks_
  std::map<std::string, std::unique_ptr<std::mutex>> locks_;
};

}  // namespace slipway::agent
