#include "cache/validate.h"

#include <sys/stat.h>

#include <cerrno>
#include <string>

namespace slipway::cache::internal {
namespace {

Status CheckName(std::string_view what, std::string_view name) {
  if (name.empty()) return InvalidArgument("cache: " + std::string(what) + " is empty");
  if (name.size() > 1024 || name.find('\0') != std::string_view::npos) {
    return InvalidArgument("cache: " + std::string(what) + " '" + std::string(name) +
                           "' is longer than 1024 bytes or contains NUL");
  }
  return Status::Ok();
}

}  // namespace

Status CheckScope(const CacheScope& scope) {
  SLIPWAY_RETURN_IF_ERROR(CheckName("project", scope.project));
  SLIPWAY_RETURN_IF_ERROR(CheckName("branch", scope.branch));
  if (!scope.default_branch.empty()) {
    SLIPWAY_RETURN_IF_ERROR(CheckName("default branch", scope.default_branch));
  }
  return Status::Ok();
}

Status CheckKey(std::string_view key) {
  if (key.empty()) return InvalidArgument("cache key is empty");
  if (key.size() > 512) {
    return InvalidArgument("cache key is " + std::to_string(key.size()) +
                           " bytes; the limit is 512");
  }
  for (char c : key) {
    if (c == ',') return InvalidArgument("cache key '" + std::string(key) + "' contains a comma");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgument("cache key contains a control character");
    }
  }
  return Status::Ok();
}

Status CheckWorkspace(const std::filesystem::path& workspace) {
  struct stat st;
  if (stat(workspace.c_str(), &st) != 0) {
    return ErrnoStatus("cache: workspace " + workspace.string(), errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return InvalidArgument("cache: workspace " + workspace.string() + " is not a directory");
  }
  return Status::Ok();
}

int64_t ToNs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

TimePoint FromNs(int64_t ns) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(ns)));
}

}  // namespace slipway::cache::internal
