#include "agent/mirrors.h"

#include <git2.h>

#include "triggers/triggers.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

bool HasCommit(const fs::path& mirror, const std::string& commit) {
  triggers::InitGitLibrary();
  git_repository* repo = nullptr;
  bool found = false;
  git_oid oid;
  if (git_repository_open_bare(&repo, mirror.c_str()) == 0 &&
      git_oid_fromstr(&oid, commit.c_str()) == 0) {
    git_commit* object = nullptr;
    found = git_commit_lookup(&object, repo, &oid) == 0;
    git_commit_free(object);
  }
  git_repository_free(repo);
  return found;
}

}  // namespace

RepositoryMirrors::RepositoryMirrors(fs::path root) : root_(std::move(root)) {}

std::mutex& RepositoryMirrors::LockFor(const std::string& repo) {
  std::lock_guard lock(mutex_);
  auto& entry = locks_[repo];
  if (!entry) entry = std::make_unique<std::mutex>();
  return *entry;
}

Result<fs::path> RepositoryMirrors::Ensure(const std::string& repo, const std::string& commit) {
  std::lock_guard lock(LockFor(repo));  // one fetch per mirror at a time (triggers' contract)
  triggers::PollOptions options;
  options.data_dir = root_;
  const fs::path path = triggers::MirrorPath(repo, options);
  if (HasCommit(path, commit)) return path;
  SLIPWAY_ASSIGN_OR_RETURN(fs::path mirror, triggers::UpdateMirror(repo, {}, options));
  if (!HasCommit(mirror, commit)) {
    return NotFound("commit " + commit + " is not in " + triggers::RedactUrl(repo));
  }
  return mirror;
}

}  // namespace slipway::agent
