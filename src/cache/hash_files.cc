// HashFiles: the digest behind `hashFiles(…)` in cache keys.
#include <sys/stat.h>

#include "cache/cache.h"
#include "cache/collect.h"
#include "util/sha256.h"

namespace slipway::cache {

Result<std::string> HashFiles(const std::filesystem::path& workspace,
                              const std::vector<std::string>& patterns) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<internal::FileRecord> records,
                           internal::CollectPaths(workspace, patterns));
  Sha256 outer;
  size_t hashed = 0;
  for (const internal::FileRecord& r : records) {  // sorted by path
    if (r.type == internal::FileRecord::Type::kDir) continue;
    const std::filesystem::path full = workspace / r.path;
    if (r.type == internal::FileRecord::Type::kSymlink) {
      struct stat st;
      if (stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // dangling or a dir
    }
    SLIPWAY_ASSIGN_OR_RETURN(std::string digest, Sha256File(full));
    outer.Update(r.path);
    outer.Update("\0", 1);
    outer.Update(digest);
    outer.Update("\n", 1);
    ++hashed;
  }
  if (hashed == 0) return std::string();
  return HexEncode(outer.Final());
}

}  // namespace slipway::cache
