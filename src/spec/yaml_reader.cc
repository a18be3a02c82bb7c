#include "spec/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "util/hints.h"

namespace slipway::spec::internal {
namespace {

bool IsDigits(std::string_view s, std::string_view digits) {
  if (s.empty()) return false;
  for (char c : s) {
    if (digits.find(c) == std::string_view::npos) return false;
  }
  return true;
}

constexpr std::string_view kDecimal = "0123456789";

bool IsCoreInt(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o') return IsDigits(s.substr(2), "01234567");
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    return IsDigits(s.substr(2), "0123456789abcdefABCDEF");
  }
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return IsDigits(s, kDecimal);
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?  and the inf/nan spellings.
bool IsCoreFloat(std::string_view s) {
  for (std::string_view special : {".nan", ".NaN", ".NAN"}) {
    if (s == special) return true;
  }
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  for (std::string_view special : {".inf", ".Inf", ".INF"}) {
    if (s == special) return true;
  }
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  size_t int_digits = digits();
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    frac_digits = digits();
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

}  // namespace

const Field* MapView::Find(std::string_view key) const {
  for (const Field& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

Reader::Reader(std::string_view source, Diagnostics* diagnostics)
    : source_(source), diagnostics_(diagnostics) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < source_.size(); ++i) {
    if (source_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

SourcePos Reader::Pos(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

std::string_view Reader::Line(int line) const {
  if (line < 1 || line > line_count()) return {};
  const size_t start = line_starts_[line - 1];
  size_t end = line < line_count() ? line_starts_[line] - 1 : source_.size();
  if (end > start && source_[end - 1] == '\r') --end;
  return source_.substr(start, end - start);
}

void Reader::Error(SourcePos pos, std::string message, std::string hint) {
  diagnostics_->Add(pos, std::move(message), std::move(hint));
}

ScalarKind Reader::Kind(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return ScalarKind::kNull;
  const std::string& tag = node.Tag();
  // Explicit core tags (`!!int 3`) say what they are; quoted, block and custom-tagged
  // scalars are strings. Only plain scalars ("?") are resolved by their text.
  if (tag == "tag:yaml.org,2002:bool") return ScalarKind::kBool;
  if (tag == "tag:yaml.org,2002:int") return ScalarKind::kInt;
  if (tag == "tag:yaml.org,2002:float") return ScalarKind::kFloat;
  if (tag != "?") return ScalarKind::kString;
  const std::string& text = node.Scalar();
  if (text == "true" || text == "True" || text == "TRUE" || text == "false" || text == "False" ||
      text == "FALSE") {
    return ScalarKind::kBool;
  }
  if (IsCoreInt(text)) return ScalarKind::kInt;
  if (IsCoreFloat(text)) return ScalarKind::kFloat;
  return ScalarKind::kString;
}

std::string Reader::Describe(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  switch (Kind(node)) {
    case ScalarKind::kNull:
      return "null";
    case ScalarKind::kBool:
      return "boolean " + node.Scalar();
    case ScalarKind::kInt:
    case ScalarKind::kFloat:
      return "number " + node.Scalar();
    case ScalarKind::kString:
      break;
  }
  return "string '" + node.Scalar() + "'";
}

void Reader::TypeError(const Field& field, std::string_view expected) {
  std::string hint;
  const ScalarKind kind = field.node.IsScalar() ? Kind(field.node) : ScalarKind::kNull;
  const bool wants_bool = expected.find("boolean") != std::string_view::npos;
  const bool wants_string = expected.find("string") != std::string_view::npos;
  if (wants_bool && kind == ScalarKind::kString) {
    hint = "use true or false";
  } else if (wants_string && (kind == ScalarKind::kBool || kind == ScalarKind::kInt ||
                              kind == ScalarKind::kFloat)) {
    hint = "quote it to use it as text: '" + field.node.Scalar() + "'";
  }
  Error(field.pos, "expected " + std::string(expected) + ", got " + Describe(field.node),
        std::move(hint));
}

Field Reader::Root(const YAML::Node& node) {
  Field root;
  root.node = node;
  root.pos = Pos(node);
  root.key_pos = root.pos;
  return root;
}

std::optional<MapView> Reader::Map(const Field& field, std::string_view what,
                                   const std::vector<std::string>& allowed) {
  if (!field.node.IsMap()) {
    TypeError(field, "a map");
    return std::nullopt;
  }
  MapView view;
  view.pos_ = field.pos;
  for (const auto& pair : field.node) {
    const YAML::Node key = pair.first;  // copies: the iterator yields temporaries
    const YAML::Node value = pair.second;
    const SourcePos key_pos = Pos(key);
    if (!key.IsScalar()) {
      Error(key_pos, "expected a text key in " + std::string(what) + ", got " + Describe(key));
      continue;
    }
    Field entry;
    entry.key = key.Scalar();
    entry.key_pos = key_pos;
    entry.node = value;
    entry.pos = value.IsNull() || !value.IsDefined() ? key_pos : Pos(value);
    // yaml-cpp keeps every entry of a map with a repeated key; YAML forbids repeats and
    // lookups would silently see only one of them.
    if (const Field* first = view.Find(entry.key)) {
      Error(key_pos, "duplicate key '" + entry.key + "' in " + std::string(what),
            "first defined at line " + std::to_string(first->key_pos.line) + ", column " +
                std::to_string(first->key_pos.column));
      continue;
    }
    if (entry.key == "<<" && key.Tag() == "?") {
      // yaml-cpp 0.7 reads merge keys as ordinary keys; silently dropping them would lose the
      // user's settings, and "unknown key '<<'" would not say why.
      Error(key_pos, "YAML merge keys ('<<') are not supported",
            "repeat the keys, or put an anchor (&name) on a whole value and reuse it (*name)");
      continue;
    }
    if (!allowed.empty()) {
      bool known = false;
      for (const std::string& name : allowed) known = known || name == entry.key;
      if (!known) {
        std::string hint = DidYouMean(entry.key, allowed);
        if (hint.empty()) hint = "expected " + JoinAlternatives(allowed);
        Error(key_pos, "unknown key '" + entry.key + "' in " + std::string(what), std::move(hint));
        continue;
      }
    }
    view.entries_.push_back(std::move(entry));
  }
  return view;
}

const Field* Reader::Require(const MapView& map, std::string_view key, std::string_view what) {
  const Field* field = map.Find(key);
  if (!field)
    Error(map.pos(), std::string(what) + " is missing required key '" + std::string(key) + "'");
  return field;
}

const Field* Reader::OneOf(const Field& field, const MapView& map,
                           const std::vector<std::string>& keys, std::string_view what) {
  const Field* found = nullptr;
  for (const Field& entry : map.entries()) {
    if (std::find(keys.begin(), keys.end(), entry.key) == keys.end()) continue;
    if (found) {
      Error(entry.key_pos,
            std::string(what) + " has both '" + found->key + "' and '" + entry.key + "'",
            "keep one of them");
      return nullptr;
    }
    found = &entry;
  }
  if (!found) {
    std::vector<std::string> quoted;
    for (const std::string& key : keys) quoted.push_back("'" + key + "'");
    Error(field.key_pos, std::string(what) + " needs one of " + JoinAlternatives(quoted));
  }
  return found;
}

std::optional<std::vector<Field>> Reader::List(const Field& field, std::string_view expected) {
  if (!field.node.IsSequence()) {
    TypeError(field, expected);
    return std::nullopt;
  }
  std::vector<Field> items;
  for (const YAML::Node& item : field.node) {
    Field element;
    element.node = item;
    element.pos = item.Mark().line >= 0 ? Pos(item) : field.pos;
    element.key_pos = element.pos;
    items.push_back(std::move(element));
  }
  return items;
}

std::optional<std::string> Reader::String(const Field& field) {
  if (!field.node.IsScalar() || Kind(field.node) != ScalarKind::kString) {
    TypeError(field, "a string");
    return std::nullopt;
  }
  return field.node.Scalar();
}

std::optional<std::string> Reader::ScalarText(const Field& field) {
  if (!field.node.IsScalar() || Kind(field.node) == ScalarKind::kNull) {
    TypeError(field, "a string, number or boolean");
    return std::nullopt;
  }
  return field.node.Scalar();
}

std::optional<bool> Reader::Bool(const Field& field) {
  if (!field.node.IsScalar() || Kind(field.node) != ScalarKind::kBool) {
    TypeError(field, "a boolean");
    return std::nullopt;
  }
  const char first = field.node.Scalar()[0];
  return first == 't' || first == 'T';
}

std::optional<int64_t> Reader::Int(const Field& field, int64_t min, int64_t max) {
  if (!field.node.IsScalar() || Kind(field.node) != ScalarKind::kInt) {
    TypeError(field, "an integer");
    return std::nullopt;
  }
  std::string_view text = field.node.Scalar();
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o')) {
    base = text[1] == 'x' ? 16 : 8;
    text.remove_prefix(2);
  } else if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  const std::string range = "between " + std::to_string(min) + " and " + std::to_string(max);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    Error(field.pos, "expected an integer " + range + ", got " + field.node.Scalar());
    return std::nullopt;
  }
  return value;
}

std::optional<double> Reader::Number(const Field& field, double min, double max) {
  const ScalarKind kind = field.node.IsScalar() ? Kind(field.node) : ScalarKind::kNull;
  if (kind != ScalarKind::kInt && kind != ScalarKind::kFloat) {
    TypeError(field, "a number");
    return std::nullopt;
  }
  const std::string& text = field.node.Scalar();
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !(value >= min && value <= max)) {
    char range[96];
    std::snprintf(range, sizeof range, "between %g and %g", min, max);
    Error(field.pos, std::string("expected a number ") + range + ", got " + text);
    return std::nullopt;
  }
  return value;
}

std::optional<std::vector<Field>> Reader::StringOrListFields(const Field& field) {
  if (field.node.IsScalar() && Kind(field.node) == ScalarKind::kString) {
    return std::vector<Field>{field};
  }
  if (!field.node.IsSequence()) {
    TypeError(field, "a string or a list of strings");
    return std::nullopt;
  }
  return List(field, "a list of strings");
}

std::optional<std::vector<std::string>> Reader::StringOrList(const Field& field) {
  auto fields = StringOrListFields(field);
  if (!fields) return std::nullopt;
  std::vector<std::string> values;
  for (const Field& item : *fields) {
    if (auto text = String(item)) values.push_back(std::move(*text));
  }
  return values;
}

}  // namespace slipway::spec::internal
