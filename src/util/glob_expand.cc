// glob::Expand: one walk of the tree below the pattern's literal directory prefix, pruning
// every directory below which the pattern can no longer match.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "util/glob.h"
#include "util/glob_nfa.h"

namespace slipway::glob {
namespace {

using internal::Nfa;

bool HasDotDotSegment(std::string_view pattern) {
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    if (pattern.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

// Whether every component of `rel` (below `root`) is a real directory, not a symlink, and
// none is `.git`. A missing component is not an error: nothing can match below it.
Result<bool> IsWalkableDir(const std::filesystem::path& root, std::string_view rel) {
  std::string path = root.string();
  size_t start = 0;
  while (start < rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    const std::string_view name = rel.substr(start, end - start);
    if (name == ".git") return false;
    path += '/';
    path += name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return false;
      return ErrnoStatus("glob: lstat " + path, errno);
    }
    if (!S_ISDIR(st.st_mode)) return false;
    start = end + 1;
  }
  return true;
}

struct Pending {
  std::string rel;  // "" for the walk's start, else "a/b"
  Nfa::States states;
};

// Lists `dir`, adding matching files to `out` and pushing live subdirectories onto `stack`.
Status ScanDir(const Nfa& nfa, const std::filesystem::path& root, bool include_dirs,
               const Pending& pending, std::vector<Pending>* stack, std::vector<std::string>* out) {
  const std::string dir_path = pending.rel.empty() ? root.string() : (root / pending.rel).string();
  DIR* dir = opendir(dir_path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();  // vanished meanwhile
    return ErrnoStatus("glob: cannot list " + dir_path, errno);
  }
  Nfa::States after_name, after_slash;
  Status status;
  errno = 0;
  while (dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == ".." || name == ".git") continue;
    unsigned char type = entry->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st;
      const std::string full = dir_path + "/" + std::string(name);
      if (lstat(full.c_str(), &st) != 0) continue;
      type = S_ISDIR(st.st_mode)   ? DT_DIR
             : S_ISREG(st.st_mode) ? DT_REG
             : S_ISLNK(st.st_mode) ? DT_LNK
                                   : DT_UNKNOWN;
    }
    after_name = nfa.Consume(pending.states, name);
    if (!nfa.Alive(after_name)) continue;
    std::string rel =
        pending.rel.empty() ? std::string(name) : pending.rel + "/" + std::string(name);
    if (type == DT_REG || type == DT_LNK) {
      if (nfa.Accepts(after_name)) out->push_back(std::move(rel));
    } else if (type == DT_DIR) {
      if (include_dirs && nfa.Accepts(after_name)) out->push_back(rel);
      nfa.Step(after_name, '/', &after_slash);
      if (nfa.Alive(after_slash)) stack->push_back({std::move(rel), after_slash});
    }
    errno = 0;
  }
  if (errno != 0) status = ErrnoStatus("glob: reading " + dir_path, errno);
  closedir(dir);
  return status;
}

}  // namespace

Result<std::vector<std::string>> Expand(const std::filesystem::path& root,
                                        std::string_view pattern) {
  return Expand(root, pattern, ExpandOptions{});
}

Result<std::vector<std::string>> Expand(const std::filesystem::path& root, std::string_view pattern,
                                        const ExpandOptions& options) {
  std::string error;
  const Nfa nfa = Nfa::Compile(pattern, &error);
  if (!error.empty()) {
    return InvalidArgument("glob '" + std::string(pattern) + "': " + error);
  }
  if (pattern.starts_with('/') || HasDotDotSegment(pattern)) {
    return InvalidArgument("glob '" + std::string(pattern) +
                           "': must be relative and stay below its root (no leading '/' or '..')");
  }
  struct stat st;
  if (stat(root.c_str(), &st) != 0) return ErrnoStatus("glob: root " + root.string(), errno);
  if (!S_ISDIR(st.st_mode))
    return InvalidArgument("glob: root " + root.string() + " is not a directory");

  const std::string& prefix = nfa.literal_dir_prefix();
  SLIPWAY_ASSIGN_OR_RETURN(bool walkable, IsWalkableDir(root, prefix));
  std::vector<std::string> out;
  if (!walkable) return out;
  std::vector<Pending> stack;
  stack.push_back({prefix, prefix.empty() ? nfa.Start() : nfa.Consume(nfa.Start(), prefix + "/")});
  while (!stack.empty()) {
    Pending next = std::move(stack.back());
    stack.pop_back();
    SLIPWAY_RETURN_IF_ERROR(ScanDir(nfa, root, options.include_dirs, next, &stack, &out));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace slipway::glob
