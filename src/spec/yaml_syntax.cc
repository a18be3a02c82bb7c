#include "spec/yaml_syntax.h"

#include <yaml.h>

#include <algorithm>

namespace slipway::spec::internal {
namespace {

// libyaml places "end of stream" on a line after the last one; point at the end of the text
// instead, so the position is always one a user can find in the file. Elsewhere libyaml's own
// line and column (counted in characters) are kept.
SourcePos PositionOf(std::string_view text, const yaml_mark_t& mark) {
  size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  if (!text.empty() && text.back() != '\n') ++lines;
  if (mark.line < lines) {
    return {static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1};
  }
  std::string_view last = text;
  if (!last.empty() && last.back() == '\n') last.remove_suffix(1);
  const size_t start = last.rfind('\n');
  last = start == std::string_view::npos ? last : last.substr(start + 1);
  return {static_cast<int>(std::max<size_t>(lines, 1)), static_cast<int>(last.size()) + 1};
}

}  // namespace

std::optional<YamlSyntaxError> CheckYamlSyntax(std::string_view text) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) return YamlSyntaxError{{}, "out of memory"};
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  std::optional<YamlSyntaxError> error;
  while (true) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      // problem_mark is where the problem was noticed; context_mark (when set) is where the
      // construct it belongs to started, e.g. the opening quote of an unterminated string.
      const yaml_mark_t& mark =
          parser.context != nullptr ? parser.context_mark : parser.problem_mark;
      std::string message = parser.problem != nullptr ? parser.problem : "malformed YAML";
      if (parser.context != nullptr) message = std::string(parser.context) + ": " + message;
      error = YamlSyntaxError{PositionOf(text, mark), message};
      break;
    }
    const bool done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (done) break;
  }
  yaml_parser_delete(&parser);
  return error;
}

}  // namespace slipway::spec::internal
