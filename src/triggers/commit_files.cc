// Reading a mirror's objects: which files two commits' trees differ in (for path filters), and
// one file's contents at a commit (the pipeline file as it was when pushed).
#include <algorithm>
#include <string>
#include <vector>

#include "triggers/git_util.h"
#include "triggers/triggers.h"

namespace slipway::triggers {
namespace {

using internal::Blob;
using internal::Commit;
using internal::Diff;
using internal::GitLibrary;
using internal::Object;
using internal::Repository;
using internal::Tree;
using internal::TreeEntry;

// Symlinks inside the repository are followed this many times before giving up (a loop).
constexpr int kMaxSymlinkHops = 8;

bool IsNullCommit(std::string_view commit) {
  return commit.empty() ||
         std::all_of(commit.begin(), commit.end(), [](char c) { return c == '0'; });
}

Status OpenMirror(const std::filesystem::path& mirror, Repository* repo) {
  if (git_repository_open_bare(repo->out(), mirror.c_str()) != 0) {
    return NotFound("no mirror at " + mirror.string() + ": " + internal::LastGitError());
  }
  return Status::Ok();
}

Result<Tree> TreeOf(git_repository* repo, std::string_view commit,
                    const std::filesystem::path& mirror) {
  Object object;
  const std::string spec(commit);
  const bool found = git_revparse_single(object.out(), repo, spec.c_str()) == 0;
  Commit peeled;
  if (!found || git_object_peel(reinterpret_cast<git_object**>(peeled.out()), object.get(),
                                GIT_OBJECT_COMMIT) != 0) {
    return NotFound("commit '" + spec + "' is not in the mirror " + mirror.string() +
                    " (fetch it first)");
  }
  Tree tree;
  if (git_commit_tree(tree.out(), peeled.get()) != 0) {
    return Unavailable("cannot read the tree of " + spec + ": " + internal::LastGitError());
  }
  return tree;
}

Status CheckRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') {
    return InvalidArgument("'" + std::string(path) + "' is not a relative file path");
  }
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return InvalidArgument("'" + std::string(path) + "' is not a relative file path");
    }
    start = slash + 1;
  }
  return Status::Ok();
}

// Resolves `target` (a symlink's text) relative to the directory of `link`; "" when it leaves
// the repository.
std::string ResolveLink(std::string_view link, std::string_view target) {
  if (target.starts_with("/")) return "";
  std::vector<std::string> parts;
  const size_t slash = link.rfind('/');
  std::string joined = slash == std::string_view::npos
                           ? std::string(target)
                           : std::string(link.substr(0, slash + 1)) + std::string(target);
  size_t start = 0;
  while (start <= joined.size()) {
    const size_t end = std::min(joined.find('/', start), joined.size());
    const std::string segment = joined.substr(start, end - start);
    if (segment == "..") {
      if (parts.empty()) return "";
      parts.pop_back();
    } else if (!segment.empty() && segment != ".") {
      parts.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

}  // namespace

Result<std::vector<std::string>> ChangedFiles(const std::filesystem::path& mirror,
                                              std::string_view from, std::string_view to) {
  GitLibrary library;
  Repository repo;
  SLIPWAY_RETURN_IF_ERROR(OpenMirror(mirror, &repo));
  SLIPWAY_ASSIGN_OR_RETURN(Tree new_tree, TreeOf(repo.get(), to, mirror));
  Tree old_tree;
  if (!IsNullCommit(from)) {
    SLIPWAY_ASSIGN_OR_RETURN(old_tree, TreeOf(repo.get(), from, mirror));
  }
  Diff diff;
  git_diff_options options;
  git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
  if (git_diff_tree_to_tree(diff.out(), repo.get(), old_tree.get(), new_tree.get(), &options) !=
      0) {
    return Unavailable("cannot compare " + std::string(from) + " with " + std::string(to) + ": " +
                       internal::LastGitError());
  }
  std::vector<std::string> files;
  const size_t count = git_diff_num_deltas(diff.get());
  for (size_t i = 0; i < count; ++i) {
    const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
    if (delta->old_file.path != nullptr) files.emplace_back(delta->old_file.path);
    if (delta->new_file.path != nullptr) files.emplace_back(delta->new_file.path);
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

Result<std::string> ReadFileAtCommit(const std::filesystem::path& mirror, std::string_view commit,
                                     std::string_view path, size_t max_bytes) {
  SLIPWAY_RETURN_IF_ERROR(CheckRelativePath(path));
  GitLibrary library;
  Repository repo;
  SLIPWAY_RETURN_IF_ERROR(OpenMirror(mirror, &repo));
  SLIPWAY_ASSIGN_OR_RETURN(Tree tree, TreeOf(repo.get(), commit, mirror));
  std::string current(path);
  for (int hop = 0; hop <= kMaxSymlinkHops; ++hop) {
    TreeEntry entry;
    if (git_tree_entry_bypath(entry.out(), tree.get(), current.c_str()) != 0) {
      return NotFound("'" + current + "' does not exist at commit " + std::string(commit));
    }
    const git_filemode_t mode = git_tree_entry_filemode(entry.get());
    if (mode == GIT_FILEMODE_TREE) {
      return InvalidArgument("'" + current + "' is a directory at commit " + std::string(commit));
    }
    if (mode == GIT_FILEMODE_COMMIT) {
      return InvalidArgument("'" + current + "' is a submodule at commit " + std::string(commit));
    }
    Blob blob;
    if (git_blob_lookup(blob.out(), repo.get(), git_tree_entry_id(entry.get())) != 0) {
      return Unavailable("cannot read '" + current + "': " + internal::LastGitError());
    }
    const auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
    const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    if (mode != GIT_FILEMODE_LINK) {
      if (size > max_bytes) {
        return ResourceExhausted("'" + current + "' is " + std::to_string(size) +
                                 " bytes, over the limit of " + std::to_string(max_bytes));
      }
      return std::string(data, size);
    }
    const std::string next = ResolveLink(current, std::string_view(data, size));
    if (next.empty()) {
      return InvalidArgument("'" + current + "' is a symlink that leaves the repository");
    }
    current = next;
  }
  return InvalidArgument("'" + std::string(path) + "' is a symlink loop");
}

}  // namespace slipway::triggers
