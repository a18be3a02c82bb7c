// The repository files jobs start from: checked out once per (repository, commit, directory)
// and copied into each job's workspace, the way `slipway run` copies its one snapshot into
// every workspace. Private to the agent.
//
// Checking the commit out for every job opened the mirror twice (is the commit there? then the
// checkout) and ran libgit2's checkout: 1.5 ms a job on a loaded machine for a one-file
// repository, against a fraction of that to copy the files. A job changes only its own copy.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "util/status.h"

namespace slipway::agent {

class RepositoryMirrors;
class Sweeper;

class SourceSnapshots {
 public:
  // Snapshots live in a fresh directory under `root`; `capacity` of them are kept, the least
  // recently used dropped first (their directories go to `sweeper` once no job copies from
  // them). `mirrors` and `sweeper` must outlive this object.
  SourceSnapshots(std::filesystem::path root, RepositoryMirrors* mirrors, Sweeper* sweeper,
                  size_t capacity = 2);
  ~SourceSnapshots();  // hands every snapshot directory to the sweeper
  SourceSnapshots(const SourceSnapshots&) = delete;
  SourceSnapshots& operator=(const SourceSnapshots&) = delete;

  // Writes the files of `subdir` ("" = the whole tree) of `commit` in `repo` into `workspace`
  // (created): the commit fetched into the mirror when missing, checked out once, copied.
  // Thread-safe. Two jobs of a commit not seen before may both check it out; one copy is kept.
  Status CopyInto(const std::string& repo, const std::string& commit, const std::string& subdir,
                  const std::filesystem::path& workspace);

  size_t checkouts() const;  // how many checkouts were started so far (for tests)

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace slipway::agent
