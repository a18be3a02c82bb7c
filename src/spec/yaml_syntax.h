// A strict YAML syntax check with libyaml, run before yaml-cpp builds the tree.
//
// Why: yaml-cpp 0.7 accepts some malformed files silently — a double-quoted scalar whose
// closing quote is missing swallows the rest of the file into one string — so a broken
// pipeline would "validate" and run something else. libyaml follows the YAML spec's grammar
// (it is what PyYAML and Ruby use) and reports where the problem is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "spec/spec.h"

namespace slipway::spec::internal {

struct YamlSyntaxError {
  SourcePos pos;  // 1-based
  std::string message;
};

// The first syntax error in `text`, or nullopt when it is well-formed YAML.
std::optional<YamlSyntaxError> CheckYamlSyntax(std::string_view text);

}  // namespace slipway::spec::internal
