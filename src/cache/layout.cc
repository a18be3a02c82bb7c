#include "cache/layout.h"

#include <algorithm>

#include "util/sha256.h"

namespace slipway::cache::internal {

std::filesystem::path Layout::BlobPath(std::string_view hex) const {
  return blobs_dir() / std::string(hex.substr(0, 2)) / std::string(hex);
}

std::filesystem::path Layout::ProjectDir(std::string_view project) const {
  return entries_dir() / EncodeName(project);
}

std::filesystem::path Layout::BranchDir(std::string_view project, std::string_view branch) const {
  return ProjectDir(project) / EncodeName(branch);
}

std::filesystem::path Layout::EntryPath(std::string_view project, std::string_view branch,
                                        std::string_view key, std::string_view version) const {
  std::string id(key);
  id += '\0';
  id += version;
  return BranchDir(project, branch) / (Sha256Hex(id) + ".json");
}

std::string EncodeName(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-' || (c == '.' && i > 0);
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (out.empty()) return "%";  // "" itself; a lone '%' is never produced otherwise
  constexpr size_t kMax = 120;
  if (out.size() > kMax) out = out.substr(0, 80) + "~" + Sha256Hex(name).substr(0, 32);
  return out;
}

std::string PathsVersion(const std::vector<std::string>& paths) {
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string joined;
  for (const std::string& p : sorted) {
    joined += p;
    joined += '\0';
  }
  return Sha256Hex(joined);
}

bool IsSha256Hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace slipway::cache::internal
