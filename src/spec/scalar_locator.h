// Maps a byte offset inside a scalar's parsed value back to a line and column of the file, so
// an error in `${{ … }}` points at the expression itself rather than at the start of the
// scalar. Internal to src/spec.
//
// Exact for single-line plain and quoted scalars (quote escapes included) and for literal and
// folded block scalars; multi-line plain and quoted scalars are matched line by line. Offsets
// it cannot place (after a \x/\u escape, say) fall back to the scalar's own position.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>
#include <vector>

#include "spec/spec.h"

namespace slipway::spec::internal {

class Reader;

class ScalarLocator {
 public:
  ScalarLocator() = default;
  ScalarLocator(const Reader& reader, const YAML::Node& scalar);

  SourcePos At(size_t value_offset) const;

 private:
  void MatchLine(std::string_view value, int line, size_t column, std::string_view text, char quote,
                 size_t* v);

  SourcePos fallback_;
  std::vector<SourcePos> positions_;  // per value byte; line 0 = not placed
};

}  // namespace slipway::spec::internal
