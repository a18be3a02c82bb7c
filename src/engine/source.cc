// SnapshotSource: the repository files a job's workspace starts from, read with libgit2.
#include <git2.h>

#include <memory>
#include <string>

#include "engine/engine.h"
#include "triggers/triggers.h"
#include "util/fs.h"

namespace slipway::engine {
namespace {

namespace fs = std::filesystem;

// libgit2 objects freed on scope exit.
template <typename T, void (*Free)(T*)>
struct GitPtr {
  T* ptr = nullptr;
  GitPtr() = default;
  GitPtr(const GitPtr&) = delete;
  GitPtr& operator=(const GitPtr&) = delete;
  ~GitPtr() {
    if (ptr != nullptr) Free(ptr);
  }
};

std::string GitError(const std::string& what) {
  const git_error* error = git_error_last();
  return what + ": " + (error != nullptr && error->message != nullptr ? error->message : "unknown");
}

std::string DefaultBranch(git_repository* repo) {
  GitPtr<git_reference, git_reference_free> origin_head;
  if (git_reference_lookup(&origin_head.ptr, repo, "refs/remotes/origin/HEAD") == 0 &&
      git_reference_type(origin_head.ptr) == GIT_REFERENCE_SYMBOLIC) {
    std::string target = git_reference_symbolic_target(origin_head.ptr);
    const std::string prefix = "refs/remotes/origin/";
    if (target.rfind(prefix, 0) == 0) return target.substr(prefix.size());
  }
  GitPtr<git_config, git_config_free> config;
  if (git_repository_config_snapshot(&config.ptr, repo) == 0) {
    const char* value = nullptr;
    if (git_config_get_string(&value, config.ptr, "init.defaultBranch") == 0 && value != nullptr) {
      return value;
    }
  }
  return "main";
}

// Copies a plain directory, leaving out .git (a worktree or a non-git project).
Status CopyWorkingTree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return ErrnoStatus("cannot create " + to.string(), ec.value());
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    if (entry.path().filename() == ".git") continue;
    const fs::path target = to / entry.path().filename();
    Status s = entry.is_directory() && !entry.is_symlink() ? CopyTree(entry.path(), target)
                                                           : CopyFile(entry.path(), target);
    if (!s.ok()) return s;
  }
  if (ec) return ErrnoStatus("cannot list " + from.string(), ec.value());
  return Status::Ok();
}

Status CheckoutSubtree(git_repository* repo, git_commit* commit, const std::string& subdir,
                       const fs::path& target) {
  GitPtr<git_tree, git_tree_free> root;
  if (git_commit_tree(&root.ptr, commit) != 0) return Unavailable(GitError("reading the tree"));
  GitPtr<git_object, git_object_free> tree;
  if (subdir.empty()) {
    if (git_object_dup(&tree.ptr, reinterpret_cast<git_object*>(root.ptr)) != 0) {
      return Unavailable(GitError("reading the tree"));
    }
  } else {
    GitPtr<git_tree_entry, git_tree_entry_free> entry;
    if (git_tree_entry_bypath(&entry.ptr, root.ptr, subdir.c_str()) != 0) {
      return NotFound("'" + subdir + "' is not in the commit (commit it, or use --worktree)");
    }
    if (git_tree_entry_to_object(&tree.ptr, repo, entry.ptr) != 0) {
      return Unavailable(GitError("reading '" + subdir + "'"));
    }
  }
  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) return ErrnoStatus("cannot create " + target.string(), ec.value());
  git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
  options.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
  const std::string target_dir = target.string();
  options.target_directory = target_dir.c_str();
  if (git_checkout_tree(repo, tree.ptr, &options) != 0) {
    return Unavailable(GitError("checking out into " + target_dir));
  }
  return Status::Ok();
}

}  // namespace

Result<SourceInfo> SnapshotSource(const fs::path& project_dir, const fs::path& target,
                                  SourceMode mode) {
  std::error_code ec;
  const fs::path dir = fs::canonical(project_dir, ec);
  if (ec) return ErrnoStatus("cannot open project directory " + project_dir.string(), ec.value());
  SourceInfo info;
  info.project = dir.filename().string();
  info.default_branch = "main";

  triggers::InitGitLibrary();
  GitPtr<git_repository, git_repository_free> repo;
  if (git_repository_open_ext(&repo.ptr, dir.c_str(), 0, nullptr) != 0 ||
      git_repository_is_bare(repo.ptr)) {
    SLIPWAY_RETURN_IF_ERROR(CopyWorkingTree(dir, target));
    return info;
  }
  const fs::path top = fs::canonical(git_repository_workdir(repo.ptr), ec);
  info.project = top.filename().string();
  info.default_branch = DefaultBranch(repo.ptr);

  GitPtr<git_reference, git_reference_free> head;
  GitPtr<git_commit, git_commit_free> commit;
  const bool has_head =
      git_repository_head(&head.ptr, repo.ptr) == 0 &&
      git_commit_lookup(&commit.ptr, repo.ptr, git_reference_target(head.ptr)) == 0;
  if (has_head) {
    info.from_git = true;
    char sha[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(sha, sizeof sha, git_commit_id(commit.ptr));
    info.commit = sha;
    info.branch = git_reference_is_branch(head.ptr) ? git_reference_shorthand(head.ptr) : "HEAD";
  }
  if (mode == SourceMode::kWorkingTree || !has_head) {
    SLIPWAY_RETURN_IF_ERROR(CopyWorkingTree(dir, target));
    return info;
  }
  const std::string subdir = dir == top ? "" : fs::relative(dir, top).generic_string();
  SLIPWAY_RETURN_IF_ERROR(CheckoutSubtree(repo.ptr, commit.ptr, subdir, target));
  return info;
}

Status CheckoutCommit(const fs::path& repository, std::string_view commit, std::string_view subdir,
                      const fs::path& target) {
  triggers::InitGitLibrary();
  GitPtr<git_repository, git_repository_free> repo;
  if (git_repository_open_bare(&repo.ptr, repository.c_str()) != 0 &&
      git_repository_open(&repo.ptr, repository.c_str()) != 0) {
    return Unavailable(GitError("opening " + repository.string()));
  }
  git_oid oid;
  if (git_oid_fromstrn(&oid, commit.data(), commit.size()) != 0) {
    return InvalidArgument("'" + std::string(commit) + "' is not a commit id");
  }
  GitPtr<git_commit, git_commit_free> object;
  if (git_commit_lookup(&object.ptr, repo.ptr, &oid) != 0) {
    return NotFound("commit " + std::string(commit) + " is not in " + repository.string());
  }
  return CheckoutSubtree(repo.ptr, object.ptr, std::string(subdir), target);
}

}  // namespace slipway::engine
