// Repository names and tags by the OCI distribution spec's grammar.
#include "util/oci_names.h"

namespace slipway {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool IsComponent(std::string_view part) {
  size_t i = 0;
  auto run = [&] {
    const size_t start = i;
    while (i < part.size() && IsLowerAlnum(part[i])) ++i;
    return i > start;
  };
  if (!run()) return false;
  while (i < part.size()) {
    const char c = part[i];
    if (c == '.') {
      ++i;
    } else if (c == '_') {
      ++i;
      if (i < part.size() && part[i] == '_') ++i;
    } else if (c == '-') {
      while (i < part.size() && part[i] == '-') ++i;
    } else {
      return false;
    }
    if (!run()) return false;
  }
  return true;
}

}  // namespace

bool IsOciRepositoryName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string_view part =
        name.substr(start, slash == std::string_view::npos ? name.npos : slash - start);
    if (!IsComponent(part)) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool IsOciTag(std::string_view reference) {
  if (reference.empty() || reference.size() > 128) return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word(reference[0])) return false;
  for (char c : reference.substr(1)) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

}  // namespace slipway
