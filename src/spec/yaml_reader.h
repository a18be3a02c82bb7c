// Position-aware, type-checked access to a parsed YAML document. Internal to src/spec.
//
// Every accessor reports what is wrong with the value (wrong type, unknown or duplicate
// key, out of range) into Diagnostics and returns std::nullopt, so callers carry on and the
// loader finds every problem in one pass. Scalars are typed by the YAML 1.2 core schema
// (only true/false are booleans; `yes`, `on` and quoted values are strings), which is also
// why `on:` is an ordinary key here.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/diagnostics.h"
#include "spec/spec.h"

namespace slipway::spec::internal {

enum class ScalarKind { kNull, kBool, kInt, kFloat, kString };

// A YAML value with the places to report problems about it.
struct Field {
  YAML::Node node;
  // The value's position; the key's when the value is null, because yaml-cpp marks an empty
  // value at the next token, which is often on a later line.
  SourcePos pos;
  std::string key;  // the map key; empty for list elements and the document root
  SourcePos key_pos;
};

// The entries of a YAML map in file order, first occurrence of each key only.
class MapView {
 public:
  const Field* Find(std::string_view key) const;
  const std::vector<Field>& entries() const { return entries_; }
  SourcePos pos() const { return pos_; }

 private:
  friend class Reader;
  std::vector<Field> entries_;
  SourcePos pos_;
};

class Reader {
 public:
  // `source` must outlive the Reader.
  Reader(std::string_view source, Diagnostics* diagnostics);

  // 1-based position of a node (yaml-cpp marks are 0-based).
  static SourcePos Pos(const YAML::Node& node);
  // The text of 1-based line `line` without its line break; empty past the end.
  std::string_view Line(int line) const;
  int line_count() const { return static_cast<int>(line_starts_.size()); }

  void Error(SourcePos pos, std::string message, std::string hint = {});
  Diagnostics& diagnostics() { return *diagnostics_; }

  static ScalarKind Kind(const YAML::Node& node);
  // For type errors: "a map", "a list", "null", "string 'yes'", "boolean true", "number 3".
  static std::string Describe(const YAML::Node& node);
  // "expected <expected>, got <Describe(value)>", with a hint when the fix is obvious.
  void TypeError(const Field& field, std::string_view expected);

  static Field Root(const YAML::Node& node);

  // A map. Duplicate keys are reported (the first one wins); when `allowed` is non-empty,
  // unknown keys are reported with a did-you-mean hint. `what` names the map in messages
  // ("job 'build'", "step").
  std::optional<MapView> Map(const Field& field, std::string_view what,
                             const std::vector<std::string>& allowed = {});
  // Reports "missing required key" at the map when absent.
  const Field* Require(const MapView& map, std::string_view key, std::string_view what);

  // The one entry of `map` whose key is in `keys` (alternatives such as process | exec).
  // Reports "<what> needs one of …" at the map's key when none is there, and "<what> has
  // both …" at the second one when there are several; returns nullptr then.
  const Field* OneOf(const Field& field, const MapView& map, const std::vector<std::string>& keys,
                     std::string_view what);

  // A list; `expected` words the type error ("a list of steps").
  std::optional<std::vector<Field>> List(const Field& field, std::string_view expected);

  // A string (not a number or boolean: the sheet only accepts those for env and matrix).
  std::optional<std::string> String(const Field& field);
  // Any non-null scalar in its YAML text form (env values, matrix values, input defaults).
  std::optional<std::string> ScalarText(const Field& field);
  std::optional<bool> Bool(const Field& field);
  std::optional<int64_t> Int(const Field& field, int64_t min, int64_t max);
  // An integer or decimal number in [min, max].
  std::optional<double> Number(const Field& field, double min, double max);

  // `string | list of strings`, as the fields holding each string (for their positions).
  std::optional<std::vector<Field>> StringOrListFields(const Field& field);
  // `string | list of strings`; elements that are not strings are reported and skipped.
  std::optional<std::vector<std::string>> StringOrList(const Field& field);

 private:
  std::string_view source_;
  std::vector<size_t> line_starts_;
  Diagnostics* diagnostics_;
};

}  // namespace slipway::spec::internal
