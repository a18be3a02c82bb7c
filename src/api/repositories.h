// A project's repository as the API needs it: a branch's current commit, and the pipeline
// file (and changed paths) at a commit, read from the server's bare mirror of the repository
// (triggers::UpdateMirror / ReadFileAtCommit).
//
// Thread-safety: every method may be called from many threads; work on one repository's
// mirror is serialised (the triggers contract requires it), different repositories proceed in
// parallel.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway::api {

class Repositories {
 public:
  Repositories(std::filesystem::path data_dir, std::chrono::milliseconds timeout);

  // The commit `branch` points to now in `repo` (a listing of the remote's refs, no fetch).
  // kNotFound when the branch does not exist; kUnavailable when the repository cannot be
  // reached (the message never carries credentials).
  Result<std::string> BranchHead(const std::string& repo, std::string_view branch);

  // The text of `file` at `commit` of `repo`; nullopt when the commit has no such file.
  // Fetches `ref` ("refs/heads/main") into the mirror when the commit is not there yet, then
  // every branch and tag if that did not bring it. kNotFound when the commit is not in the
  // repository; kResourceExhausted when the file is over 1 MiB.
  Result<std::optional<std::string>> FileAt(const std::string& repo, std::string_view ref,
                                            std::string_view commit, std::string_view file);

  // Paths changed between two commits already in the mirror (for `on.push` path filters).
  Result<std::vector<std::string>> ChangedFiles(const std::string& repo, std::string_view from,
                                                std::string_view to);

 private:
  std::mutex& LockFor(const std::string& repo);

  const std::filesystem::path data_dir_;
  const std::chrono::milliseconds timeout_;
  std::mutex mutex_;  // guards locks_
  std::map<std::string, std::unique_ptr<std::mutex>> locks_;
};

}  // namespace slipway::api
