// Request-target parsing and redaction, over Boost.URL (which validates the grammar).
#include "http/target.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <optional>

#include "http/http.h"

namespace slipway::http {
namespace internal {
namespace {

std::optional<std::string> Decode(std::string_view encoded) {
  auto pct = boost::urls::make_pct_string_view(encoded);
  if (!pct) return std::nullopt;
  std::string out = pct->decode();
  if (out.find('\0') != std::string::npos) return std::nullopt;
  return out;
}

}  // namespace

std::optional<std::vector<PathSegment>> SplitPath(std::string_view encoded_path) {
  if (encoded_path.empty() || encoded_path.front() != '/') return std::nullopt;
  encoded_path.remove_prefix(1);
  std::vector<PathSegment> out;
  while (true) {
    const size_t slash = encoded_path.find('/');
    auto decoded = Decode(encoded_path.substr(0, slash));
    if (!decoded) return std::nullopt;
    const bool had_slash = decoded->find('/') != std::string::npos;
    out.push_back({std::move(*decoded), had_slash});
    if (slash == std::string_view::npos) break;
    encoded_path.remove_prefix(slash + 1);
  }
  return out;
}

Result<ParsedTarget> ParseTarget(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return InvalidArgument("malformed request target");
  ParsedTarget out;
  out.path = std::string(url->encoded_path());
  auto segments = SplitPath(out.path);
  if (!segments) return InvalidArgument("malformed path encoding");
  for (const PathSegment& s : *segments) {
    if (s.decoded == "." || s.decoded == "..") return InvalidArgument("dot segment in path");
  }
  for (auto param : url->params()) {
    if (param.key.find('\0') != std::string::npos || param.value.find('\0') != std::string::npos) {
      return InvalidArgument("NUL in query");
    }
    out.query.emplace_back(std::move(param.key), std::move(param.value));
  }
  return out;
}

}  // namespace internal

namespace {

bool IsSecretName(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word : {"token", "secret", "password", "signature"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string RedactTarget(std::string_view target) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return std::string(target);
  auto url = boost::urls::parse_origin_form(target);
  // Unparsable: keep the path only, so a malformed query cannot smuggle a token into logs.
  if (!url) return std::string(target.substr(0, question)) + "?REDACTED";
  std::string out(url->encoded_path());
  char separator = '?';
  for (auto param : url->encoded_params()) {
    out += separator;
    separator = '&';
    out += param.key;
    if (!param.has_value) continue;
    out += '=';
    if (IsSecretName(param.key.decode())) {
      out += "REDACTED";
    } else {
      out += param.value;
    }
  }
  return out;
}

}  // namespace slipway::http
