#include "cache/collect.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "util/fs.h"
#include "util/glob.h"

namespace slipway::cache::internal {
namespace {

// Exactly the strings the manifest's JSON can hold without substitution.
bool IsValidUtf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

class Collector {
 public:
  explicit Collector(const std::filesystem::path& workspace) : workspace_(workspace.string()) {}

  // Adds `rel` as whatever it is (walking directories); nothing when it does not exist.
  Status Add(const std::string& rel) {
    struct stat st;
    const std::string full = workspace_ + "/" + rel;
    if (lstat(full.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
      return ErrnoStatus("cache: stat " + full, errno);
    }
    if (!IsValidUtf8(rel)) {
      return InvalidArgument("cache: cannot store '" + rel + "': name is not valid UTF-8");
    }
    FileRecord r;
    r.path = rel;
    r.mode = st.st_mode & 07777;
    if (S_ISREG(st.st_mode)) {
      r.type = FileRecord::Type::kFile;
      r.size = static_cast<uint64_t>(st.st_size);
      r.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    } else if (S_ISLNK(st.st_mode)) {
      r.type = FileRecord::Type::kSymlink;
      r.mode = 0;
      std::string target(4096, '\0');
      const ssize_t n = readlink(full.c_str(), target.data(), target.size());
      if (n < 0) return ErrnoStatus("cache: readlink " + full, errno);
      target.resize(static_cast<size_t>(n));
      r.target = std::move(target);
    } else if (S_ISDIR(st.st_mode)) {
      r.type = FileRecord::Type::kDir;
      records_[rel] = r;
      return Walk(rel);
    } else {
      return Status::Ok();  // sockets, FIFOs, devices
    }
    records_[rel] = std::move(r);
    return Status::Ok();
  }

  std::map<std::string, FileRecord>& records() { return records_; }

 private:
  Status Walk(const std::string& rel) {
    const std::string full = workspace_ + "/" + rel;
    Result<std::vector<std::string>> names = ListDirectory(full);
    if (!names.ok()) return Status(names.status().code(), "cache: " + names.status().message());
    for (const std::string& name : *names) SLIPWAY_RETURN_IF_ERROR(Add(rel + "/" + name));
    return Status::Ok();
  }

  std::string workspace_;
  std::map<std::string, FileRecord> records_;
};

// Whether some proper ancestor directory of `rel` is a symlink (or not a directory).
bool BehindSymlink(const std::filesystem::path& workspace, const std::string& rel) {
  std::string path = workspace.string();
  size_t start = 0;
  for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', start)) {
    path += "/" + rel.substr(start, slash - start);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return true;
    start = slash + 1;
  }
  return false;
}

bool UnderAny(const std::set<std::string>& dirs, std::string_view path) {
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (dirs.count(std::string(path.substr(0, slash))) > 0) return true;
  }
  return false;
}

bool Excluded(const std::vector<std::string>& excludes, std::string_view path) {
  for (const std::string& pattern : excludes) {
    if (glob::Match(pattern, path)) return true;
    for (size_t slash = path.find('/'); slash != std::string_view::npos;
         slash = path.find('/', slash + 1)) {
      if (glob::Match(pattern, path.substr(0, slash))) return true;
    }
  }
  return false;
}

}  // namespace

Result<std::string> NormalizeUserPath(std::string_view path) {
  std::string p(path);
  while (p.starts_with("./")) p.erase(0, 2);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p.empty() || p == ".")
    return InvalidArgument("cache path '" + std::string(path) + "' is empty");
  if (p.front() == '/') {
    return InvalidArgument("cache path '" + std::string(path) +
                           "' is absolute; paths are relative to the workspace");
  }
  if (const std::string error = glob::PatternError(p); !error.empty()) {
    return InvalidArgument("cache path '" + std::string(path) + "': " + error);
  }
  if (Status s = CheckRelativePath(p); !s.ok()) {
    return InvalidArgument("cache path '" + std::string(path) + "': " + s.message());
  }
  return p;
}

Result<std::vector<std::string>> NormalizePaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& raw : paths) {
    const bool exclude = raw.starts_with('!');
    SLIPWAY_ASSIGN_OR_RETURN(std::string p,
                             NormalizeUserPath(exclude ? std::string_view(raw).substr(1) : raw));
    out.push_back(exclude ? "!" + p : p);
  }
  return out;
}

Result<std::vector<FileRecord>> CollectPaths(const std::filesystem::path& workspace,
                                             const std::vector<std::string>& paths) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> normalized, NormalizePaths(paths));
  std::vector<std::string> includes, excludes;
  for (std::string& p : normalized) {
    if (p.starts_with('!')) {
      excludes.push_back(p.substr(1));
    } else {
      includes.push_back(std::move(p));
    }
  }
  Collector collector(workspace);
  std::set<std::string> whole_dirs;  // taken with everything below: no need to add again
  for (const std::string& pattern : includes) {
    std::vector<std::string> matches;
    if (glob::HasMagic(pattern)) {
      SLIPWAY_ASSIGN_OR_RETURN(matches, glob::Expand(workspace, pattern, {.include_dirs = true}));
    } else if (!BehindSymlink(workspace, pattern)) {
      matches.push_back(pattern);
    }
    for (const std::string& rel : matches) {
      if (whole_dirs.count(rel) > 0 || UnderAny(whole_dirs, rel)) continue;
      SLIPWAY_RETURN_IF_ERROR(collector.Add(rel));
      auto it = collector.records().find(rel);
      if (it != collector.records().end() && it->second.type == FileRecord::Type::kDir) {
        whole_dirs.insert(rel);
      }
    }
  }
  std::vector<FileRecord> out;
  out.reserve(collector.records().size());
  for (auto& [path, record] : collector.records()) {
    if (!Excluded(excludes, path)) out.push_back(std::move(record));
  }
  return out;
}

}  // namespace slipway::cache::internal
