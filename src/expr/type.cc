// expr::Type: construction, CEL's spelling, equality; the types type names denote.
#include <cassert>
#include <string>
#include <utility>
#include <vector>

#include "expr/expr.h"
#include "expr/type_rules.h"

namespace slipway::expr {

Type::Type(Kind kind, std::vector<Type> params, std::string name)
    : kind_(kind),
      params_(params.empty() ? nullptr
                             : std::make_shared<const std::vector<Type>>(std::move(params))),
      name_(std::move(name)) {}

Type Type::Of(Kind kind) {
  assert(kind != Kind::kList && kind != Kind::kMap && kind != Kind::kType &&
         kind != Kind::kWrapper && kind != Kind::kParam);
  return Type(kind, {});
}
Type Type::List(Type element) { return Type(Kind::kList, {std::move(element)}); }
Type Type::Map(Type key, Type value) {
  return Type(Kind::kMap, {std::move(key), std::move(value)});
}
Type Type::TypeOf(Type type) { return Type(Kind::kType, {std::move(type)}); }
Type Type::Wrapper(Type primitive) { return Type(Kind::kWrapper, {std::move(primitive)}); }
Type Type::Param(std::string name) { return Type(Kind::kParam, {}, std::move(name)); }

const Type& Type::element() const {
  assert(kind_ == Kind::kList || kind_ == Kind::kType || kind_ == Kind::kWrapper);
  return (*params_)[0];
}
const Type& Type::key() const {
  assert(kind_ == Kind::kMap);
  return (*params_)[0];
}
const Type& Type::value() const {
  assert(kind_ == Kind::kMap);
  return (*params_)[1];
}

namespace {

// The type of a value's elements: their common type, dyn when they differ (or there are none).
template <typename Range, typename Project>
Type CommonType(const Range& range, Project project) {
  std::optional<Type> common;
  for (const auto& item : range) {
    Type type = Type::OfValue(project(item));
    if (!common) {
      common = std::move(type);
    } else if (!(*common == type)) {
      return Type();
    }
  }
  return common.value_or(Type());
}

}  // namespace

Type NamedType(std::string_view name) {
  using Kind = Type::Kind;
  if (name == "bool") return Type::Of(Kind::kBool);
  if (name == "int") return Type::Of(Kind::kInt);
  if (name == "uint") return Type::Of(Kind::kUint);
  if (name == "double") return Type::Of(Kind::kDouble);
  if (name == "string") return Type::Of(Kind::kString);
  if (name == "bytes") return Type::Of(Kind::kBytes);
  if (name == "null_type") return Type::Of(Kind::kNull);
  if (name == "google.protobuf.Duration") return Type::Of(Kind::kDuration);
  if (name == "google.protobuf.Timestamp") return Type::Of(Kind::kTimestamp);
  if (name == "list") return Type::List(Type());
  if (name == "map") return Type::Map(Type(), Type());
  if (name == "type") return Type::TypeOf(Type());
  return Type();
}

Type Type::OfValue(const Value& value) {
  if (value.is_null()) return Of(Kind::kNull);
  if (value.is_bool()) return Of(Kind::kBool);
  if (value.is_int()) return Of(Kind::kInt);
  if (value.is_uint()) return Of(Kind::kUint);
  if (value.is_double()) return Of(Kind::kDouble);
  if (value.is_string()) return Of(Kind::kString);
  if (value.is_bytes()) return Of(Kind::kBytes);
  if (value.is_duration()) return Of(Kind::kDuration);
  if (value.is_timestamp()) return Of(Kind::kTimestamp);
  if (value.is_type()) return TypeOf(NamedType(value.as_type()));
  if (value.is_list()) return List(CommonType(value.as_list(), [](const Value& v) { return v; }));
  const Value::Map& map = value.as_map();
  return Map(CommonType(map, [](const auto& entry) { return entry.first; }),
             CommonType(map, [](const auto& entry) { return entry.second; }));
}

std::string Type::ToString() const {
  switch (kind_) {
    case Kind::kDyn:
      return "dyn";
    case Kind::kNull:
      return "null_type";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint:
      return "uint";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kDuration:
      return "google.protobuf.Duration";
    case Kind::kTimestamp:
      return "google.protobuf.Timestamp";
    case Kind::kList:
      return "list(" + element().ToString() + ")";
    case Kind::kMap:
      return "map(" + key().ToString() + ", " + value().ToString() + ")";
    case Kind::kType:
      return "type(" + element().ToString() + ")";
    case Kind::kWrapper:
      return "wrapper(" + element().ToString() + ")";
    case Kind::kParam:
      return name_;
  }
  return "?";
}

bool operator==(const Type& a, const Type& b) {
  if (a.kind_ != b.kind_ || a.name_ != b.name_) return false;
  if (a.params_ == b.params_) return true;
  if (a.params_ == nullptr || b.params_ == nullptr) return false;
  return *a.params_ == *b.params_;
}

}  // namespace slipway::expr
