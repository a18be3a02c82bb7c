#include "spec/scalar_locator.h"

#include "spec/yaml_reader.h"

namespace slipway::spec::internal {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Skips an anchor (`&a`) or tag (`!t`, `!!str`) and the blanks after it: yaml-cpp marks a
// node at its properties, not at its content.
size_t SkipProperties(std::string_view line, size_t column) {
  while (column < line.size() && (line[column] == '&' || line[column] == '!')) {
    while (column < line.size() && !IsBlank(line[column])) ++column;
    while (column < line.size() && IsBlank(line[column])) ++column;
  }
  return column;
}

// Whether a double-quoted escape `\c` stands for exactly one value byte. The others (\x, \u
// and \U hex escapes, \N, \_, \L, \P) decode to UTF-8 sequences of varying length.
bool IsSingleByteEscape(char c) {
  constexpr std::string_view kMultiByte = "xuUN_LP";
  return kMultiByte.find(c) == std::string_view::npos;
}

}  // namespace

ScalarLocator::ScalarLocator(const Reader& reader, const YAML::Node& scalar)
    : fallback_(Reader::Pos(scalar)) {
  if (!scalar.IsScalar() || fallback_.line == 0) return;
  const std::string& value = scalar.Scalar();
  positions_.assign(value.size(), SourcePos{});

  const int first_line = fallback_.line;
  std::string_view header = reader.Line(first_line);
  size_t column = SkipProperties(header, static_cast<size_t>(fallback_.column - 1));
  if (column >= header.size()) return;
  const char style = header[column];
  size_t v = 0;

  if (style == '|' || style == '>') {
    // Block scalar: content starts on the next line at the indentation of its first
    // non-blank line and runs while lines are blank or at least that indented.
    size_t indent = std::string_view::npos;
    for (int line = first_line + 1; line <= reader.line_count() && v < value.size(); ++line) {
      std::string_view text = reader.Line(line);
      size_t spaces = text.find_first_not_of(' ');
      if (spaces == std::string_view::npos) continue;  // blank lines add only line breaks
      if (indent == std::string_view::npos) indent = spaces;
      if (spaces < indent) break;
      MatchLine(value, line, indent, text.substr(indent), 0, &v);
    }
    return;
  }

  const char quote = style == '"' || style == '\'' ? style : '\0';
  if (quote) ++column;
  MatchLine(value, first_line, column, header.substr(column), quote, &v);
  for (int line = first_line + 1; line <= reader.line_count() && v < value.size(); ++line) {
    // Continuation lines of flow scalars lose their leading blanks when folded.
    std::string_view text = reader.Line(line);
    size_t start = 0;
    while (start < text.size() && IsBlank(text[start])) ++start;
    MatchLine(value, line, start, text.substr(start), quote, &v);
  }
}

// Walks one source line against the value from offset *v, recording where each value byte
// came from. Line breaks and folding spaces in the value have no source bytes: they are
// skipped before matching. Stops at the first byte that does not correspond (a comment, a
// closing quote, the rest of a flow collection).
void ScalarLocator::MatchLine(std::string_view value, int line, size_t column,
                              std::string_view text, char quote, size_t* v) {
  if (text.empty()) return;
  auto separator = [&](size_t at) { return value[at] == '\n' || value[at] == ' '; };
  while (*v < value.size() && value[*v] != text[0] && separator(*v)) ++*v;
  size_t i = 0;
  while (i < text.size() && *v < value.size()) {
    const SourcePos here{line, static_cast<int>(column + i + 1)};
    if (quote == '\'' && text[i] == '\'') {
      if (i + 1 >= text.size() || text[i + 1] != '\'' || value[*v] != '\'') return;
      positions_[(*v)++] = here;
      i += 2;
      continue;
    }
    if (quote == '"' && text[i] == '\\') {
      if (i + 1 >= text.size()) return;  // escaped line break
      if (!IsSingleByteEscape(text[i + 1])) {
        *v = value.size();  // lost track of the value: the rest falls back
        return;
      }
      positions_[(*v)++] = here;
      i += 2;
      continue;
    }
    if (text[i] != value[*v]) return;
    positions_[(*v)++] = here;
    ++i;
  }
}

SourcePos ScalarLocator::At(size_t value_offset) const {
  if (value_offset < positions_.size() && positions_[value_offset].line > 0) {
    return positions_[value_offset];
  }
  return fallback_;
}

}  // namespace slipway::spec::internal
