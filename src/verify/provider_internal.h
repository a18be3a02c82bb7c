// What the metric providers share, internal to verify: templates parsed once and rendered per
// measurement, URL pieces, JSON → expr::Value, and short quotes of untrusted text for messages.
#pragma once

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"
#include "util/status.h"
#include "verify/verify.h"

namespace slipway::verify::internal {

// A `${{ … }}` template, parsed when the provider is made (a syntax error is the factory's
// kInvalidArgument) and rendered for each measurement from MeasureRequest::variables.
class TextTemplate {
 public:
  // `what` names the option in messages ("query", "url"). InvalidArgument with the column.
  static Result<TextTemplate> Parse(std::string what, std::string text);
  // InvalidArgument "<what> \"<text>\": column N: <message>" when a part does not evaluate
  // (a variable the request lacks).
  Result<std::string> Render(const expr::Value::Map& variables) const;
  const std::string& text() const { return text_; }

 private:
  std::string what_;
  std::string text_;
  expr::Template template_;
};

// The request's `now`, or the system clock's when it is left at the epoch.
std::chrono::system_clock::time_point ResolveNow(const MeasureRequest& request);

// "http://host:port/path?query" → {"http://host:port", "/path?query"} for http::HttpClient
// (whose base URL takes no query). InvalidArgument for anything but an absolute http URL.
struct SplitUrl {
  std::string base;
  std::string target;  // starts with '/'
};
Result<SplitUrl> SplitHttpUrl(std::string_view url);

// InvalidArgument "headers: bad header …" for an empty name, or CR/LF where they cannot be.
Status CheckHeaders(const std::vector<std::pair<std::string, std::string>>& headers);

// Untrusted text (an answer body, a command's output) fit for a one-line message: at most
// `max` bytes (then "…"), surrounding white space trimmed, control characters as '?' so it
// cannot forge log lines.
std::string Quote(std::string_view text, size_t max = 200);

// The numbers of a JSON array of finite numbers; nullopt when it holds anything else.
std::optional<std::vector<double>> FiniteNumbers(const nlohmann::json& json);

}  // namespace slipway::verify::internal
