// Headers: a small ordered multimap with ASCII case-insensitive names.
#include <strings.h>

#include "http/http.h"

namespace slipway::http {
namespace {

bool NameEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

Headers::Headers(std::initializer_list<std::pair<std::string, std::string>> fields)
    : fields_(fields) {}

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const Field& f : fields_) {
    if (NameEquals(f.first, name)) return std::string_view(f.second);
  }
  return std::nullopt;
}

void Headers::Set(std::string name, std::string value) {
  Remove(name);
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return NameEquals(f.first, name); });
}

}  // namespace slipway::http
