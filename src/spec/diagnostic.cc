// Diagnostic::ToString and the collector the loader reports into.
#include <algorithm>
#include <tuple>
#include <utility>

#include "spec/diagnostics.h"
#include "spec/spec.h"

namespace slipway::spec {

std::string Diagnostic::ToString() const {
  std::string out = file;
  // Unknown positions are left out rather than printed as 0, which editors would misread.
  if (pos.line > 0) {
    out += ":" + std::to_string(pos.line);
    if (pos.column > 0) out += ":" + std::to_string(pos.column);
  }
  out += ": " + message;
  if (!hint.empty()) out += " (" + hint + ")";
  return out;
}

namespace internal {

void Diagnostics::Add(SourcePos pos, std::string message, std::string hint) {
  list_.push_back(Diagnostic{file_, pos, std::move(message), std::move(hint)});
}

std::vector<Diagnostic> Diagnostics::Take() && {
  auto key = [](const Diagnostic& d) {
    return std::tie(d.pos.line, d.pos.column, d.message, d.hint);
  };
  // File order reads best; a node reached twice through a YAML alias would otherwise report
  // the same problem twice.
  std::stable_sort(list_.begin(), list_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });
  list_.erase(
      std::unique(list_.begin(), list_.end(),
                  [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
      list_.end());
  return std::move(list_);
}

}  // namespace internal
}  // namespace slipway::spec
