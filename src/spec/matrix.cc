// Reading `matrix:`: axes (every key but the four reserved ones), include, exclude,
// fail-fast, max-parallel. Expansion lives in matrix_expand.cc.
#include <algorithm>
#include <map>
#include <utility>

#include "spec/loader.h"
#include "util/hints.h"

namespace slipway::spec::internal {
namespace {

bool IsReserved(std::string_view key) {
  return key == "include" || key == "exclude" || key == "fail-fast" || key == "max-parallel";
}

std::optional<std::vector<std::string>> ReadAxis(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto items = reader.List(field, "a list of values");
  if (!items) return std::nullopt;
  if (items->empty()) {
    reader.Error(field.pos, "matrix axis '" + field.key + "' has no values");
    return std::nullopt;
  }
  std::vector<std::string> values;
  for (const Field& item : *items) {
    auto value = reader.ScalarText(item);
    if (!value) continue;
    // Two equal values would make two instances with the same name.
    if (std::find(values.begin(), values.end(), *value) != values.end()) {
      reader.Error(item.pos,
                   "value '" + *value + "' appears twice in matrix axis '" + field.key + "'");
      continue;
    }
    values.push_back(std::move(*value));
  }
  return values;
}

// `list of maps key -> scalar`; when `axes` is given, keys must be among them.
std::vector<std::map<std::string, std::string>> ReadEntries(LoadContext& context,
                                                            const Field& field,
                                                            const std::vector<std::string>* axes) {
  Reader& reader = *context.reader;
  std::vector<std::map<std::string, std::string>> entries;
  auto items = reader.List(field, "a list of maps");
  if (!items) return entries;
  for (const Field& item : *items) {
    auto map = reader.Map(item, "matrix " + field.key + " entry");
    if (!map) continue;
    std::map<std::string, std::string> entry;
    bool complete = true;  // a partial exclude entry would exclude too much
    for (const Field& value : map->entries()) {
      if (axes && std::find(axes->begin(), axes->end(), value.key) == axes->end()) {
        std::string hint = DidYouMean(value.key, *axes);
        if (hint.empty()) hint = "exclude entries may only name axes";
        reader.Error(value.key_pos, "'" + value.key + "' is not a matrix axis", std::move(hint));
        complete = false;
        continue;
      }
      auto text = reader.ScalarText(value);
      complete = complete && text.has_value();
      if (text) entry.emplace(value.key, std::move(*text));
    }
    if (map->entries().empty()) {
      reader.Error(item.pos, "empty matrix " + field.key + " entry");
      continue;
    }
    if (complete) entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

std::optional<MatrixSpec> ReadMatrix(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "matrix");
  if (!map) return std::nullopt;
  MatrixSpec matrix;
  matrix.pos = field.pos;
  bool ok = true;
  for (const Field& entry : map->entries()) {
    if (IsReserved(entry.key)) continue;
    auto values = ReadAxis(context, entry);
    ok = ok && values.has_value();
    if (values) matrix.axes.emplace_back(entry.key, std::move(*values));
  }
  std::vector<std::string> axis_names;
  for (const auto& [axis, values] : matrix.axes) axis_names.push_back(axis);
  if (const Field* include = map->Find("include")) {
    matrix.include = ReadEntries(context, *include, nullptr);
  }
  if (const Field* exclude = map->Find("exclude")) {
    matrix.exclude = ReadEntries(context, *exclude, &axis_names);
  }
  if (const Field* fail_fast = map->Find("fail-fast")) {
    if (auto value = reader.Bool(*fail_fast)) matrix.fail_fast = *value;
  }
  if (const Field* max_parallel = map->Find("max-parallel")) {
    if (auto value = reader.Int(*max_parallel, 1, 1'000'000)) {
      matrix.max_parallel = static_cast<int>(*value);
    }
  }
  if (ok && matrix.axes.empty() && matrix.include.empty()) {
    reader.Error(field.pos, "matrix has no axes and no include entries",
                 "add an axis, e.g. os: [linux, macos]");
    return std::nullopt;
  }
  return matrix;
}

}  // namespace slipway::spec::internal
