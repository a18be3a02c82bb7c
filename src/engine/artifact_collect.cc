// CollectArtifacts: which workspace paths a job keeps, the same for `slipway run` and agents.
#include <optional>
#include <set>
#include <string>

#include "engine/engine.h"
#include "util/glob.h"

namespace slipway::engine {
namespace {

namespace fs = std::filesystem;

// A literal artifacts path in canonical form ("./dist/" → "dist"), or "" when it is absolute,
// leaves the workspace ("..") or names the workspace itself.
std::string NormalizeLiteral(std::string_view path) {
  if (path.starts_with('/')) return "";
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view segment = path.substr(start, slash - start);
    if (segment == "..") return "";
    if (!segment.empty() && segment != ".") {
      if (!out.empty()) out += '/';
      out += segment;
    }
    start = slash + 1;
  }
  return out;
}

// What `pattern` names in `workspace`; nullopt after a warning on `log` (a malformed pattern,
// a literal path outside the workspace).
std::optional<std::vector<std::string>> Matches(const std::string& pattern,
                                                const fs::path& workspace, runner::LogSink& log) {
  if (glob::HasMagic(pattern)) {
    auto expanded = glob::Expand(workspace, pattern);
    if (!expanded.ok()) {
      log.Line("warning: artifacts: " + expanded.status().message());
      return std::nullopt;
    }
    return std::move(*expanded);
  }
  const std::string literal = NormalizeLiteral(pattern);
  if (literal.empty()) {
    log.Line("warning: artifacts: '" + pattern + "' is not a path inside the workspace");
    return std::nullopt;
  }
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(workspace / literal, ec))) return std::vector<std::string>();
  return std::vector<std::string>{literal};
}

}  // namespace

std::vector<std::string> CollectArtifacts(const std::vector<std::string>& patterns,
                                          const fs::path& workspace, runner::LogSink& log) {
  std::vector<std::string> paths;
  std::set<std::string> seen;
  for (const auto& pattern : patterns) {
    std::optional<std::vector<std::string>> matches = Matches(pattern, workspace, log);
    if (!matches) continue;
    if (matches->empty()) {
      log.Line("warning: artifacts: nothing matches '" + pattern + "'");
      continue;
    }
    for (auto& match : *matches) {
      if (seen.insert(match).second) paths.push_back(std::move(match));
    }
  }
  return paths;
}

}  // namespace slipway::engine
