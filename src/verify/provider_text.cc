// Text helpers of the providers: URL pieces and quoting untrusted text in messages.
#include <nlohmann/json.hpp>

#include "verify/provider_internal.h"

namespace slipway::verify::internal {

Result<SplitUrl> SplitHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme || url.size() == kScheme.size()) {
    return InvalidArgument("URL must be http://HOST[:PORT][/PATH][?QUERY]: \"" + Quote(url) + "\"");
  }
  const size_t rest = url.find_first_of("/?#", kScheme.size());
  if (rest == std::string_view::npos) return SplitUrl{std::string(url), "/"};
  if (url[rest] == '#')
    return InvalidArgument("URL must not have a fragment: \"" + Quote(url) + "\"");
  SplitUrl split{std::string(url.substr(0, rest)), std::string(url.substr(rest))};
  if (split.target.front() != '/') split.target.insert(0, "/");
  return split;
}

Status CheckHeaders(const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    const bool bad_name = name.empty() || name.find_first_of(" :\r\n\t") != std::string::npos;
    if (bad_name || value.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument("headers: bad header \"" + Quote(name) + "\"");
    }
  }
  return Status::Ok();
}

std::string Quote(std::string_view text, size_t max) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  std::string out(text.substr(0, max));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  if (text.size() > max) out += "…";
  return out;
}

}  // namespace slipway::verify::internal
