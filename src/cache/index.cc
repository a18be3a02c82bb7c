#include "cache/index.h"

#include <system_error>

namespace slipway::cache::internal {

Result<std::vector<std::string>> ListNames(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return names;
    return ErrnoStatus("cache: list " + dir.string(), ec.value());
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return ErrnoStatus("cache: list " + dir.string(), ec.value());
  return names;
}

namespace {

Status ScanBranchDir(const std::filesystem::path& dir, Detail detail,
                     std::vector<IndexedEntry>* out, std::vector<std::filesystem::path>* corrupt) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListNames(dir));
  for (const std::string& name : names) {
    if (!name.ends_with(".json") || name.starts_with(".")) continue;  // temp files start with '.'
    const std::filesystem::path path = dir / name;
    Result<Manifest> m = detail == Detail::kHeader ? ReadManifestHeader(path) : ReadManifest(path);
    if (!m.ok()) {
      if (m.status().code() == StatusCode::kNotFound) continue;  // evicted meanwhile
      if (m.status().code() != StatusCode::kInvalidArgument) return m.status();
      if (corrupt != nullptr) corrupt->push_back(path);
      continue;
    }
    out->push_back({path, std::move(m).value()});
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<IndexedEntry>> ScanEntries(const Layout& layout,
                                              const std::optional<std::string>& project,
                                              const std::optional<std::string>& branch,
                                              Detail detail,
                                              std::vector<std::filesystem::path>* corrupt) {
  std::vector<std::filesystem::path> project_dirs;
  if (project) {
    project_dirs.push_back(layout.ProjectDir(*project));
  } else {
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListNames(layout.entries_dir()));
    for (const std::string& n : names) project_dirs.push_back(layout.entries_dir() / n);
  }
  std::vector<IndexedEntry> out;
  for (const std::filesystem::path& pdir : project_dirs) {
    std::vector<std::filesystem::path> branch_dirs;
    if (branch) {
      branch_dirs.push_back(pdir / EncodeName(*branch));
    } else {
      SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListNames(pdir));
      for (const std::string& n : names) branch_dirs.push_back(pdir / n);
    }
    for (const std::filesystem::path& bdir : branch_dirs) {
      SLIPWAY_RETURN_IF_ERROR(ScanBranchDir(bdir, detail, &out, corrupt));
    }
  }
  return out;
}

}  // namespace slipway::cache::internal
