// Matching argument types against overload signatures: assignability, joins, substitution.
#include "expr/type_rules.h"

#include <utility>

namespace slipway::expr {

using Kind = Type::Kind;

bool IsUnknown(const Type& type) { return type.is_dyn() || type.kind() == Kind::kParam; }

Type EmptyElement() { return Type::Param(std::string(kEmptyElement)); }

std::optional<Type> Join(const Type& a, const Type& b) {
  if (a == b) return a;
  if (a.kind() == Kind::kParam && a.param_name() == kEmptyElement) return b;
  if (b.kind() == Kind::kParam && b.param_name() == kEmptyElement) return a;
  if (a.is_dyn() || b.is_dyn()) return Type();
  if (a.kind() == Kind::kType && b.kind() == Kind::kType) {  // type values always compare
    return Type::TypeOf(Join(a.element(), b.element()).value_or(Type()));
  }
  if (a.kind() == Kind::kWrapper && (b.kind() == Kind::kNull || b == a.element())) return a;
  if (b.kind() == Kind::kWrapper && (a.kind() == Kind::kNull || a == b.element())) return b;
  if (a.kind() != b.kind()) return std::nullopt;
  if (a.kind() == Kind::kList || a.kind() == Kind::kType) {
    std::optional<Type> element = Join(a.element(), b.element());
    if (!element) return std::nullopt;
    return a.kind() == Kind::kList ? Type::List(*element) : Type::TypeOf(*element);
  }
  if (a.kind() == Kind::kMap) {
    std::optional<Type> key = Join(a.key(), b.key());
    std::optional<Type> value = Join(a.value(), b.value());
    if (!key || !value) return std::nullopt;
    return Type::Map(*key, *value);
  }
  return std::nullopt;
}

bool Assignable(const Type& param, const Type& arg, Bindings& bindings) {
  if (param.kind() == Kind::kParam) {
    const auto bound = bindings.find(param.param_name());
    if (bound == bindings.end()) {
      bindings.emplace(param.param_name(), arg);
      return true;
    }
    std::optional<Type> joined = Join(bound->second, arg);
    if (!joined) return false;
    bound->second = std::move(*joined);
    return true;
  }
  if (param.is_dyn() || IsUnknown(arg)) return true;
  if (arg.kind() == Kind::kWrapper && param.kind() != Kind::kWrapper) {
    return Assignable(param, arg.element(), bindings);  // a wrapper passes as its value
  }
  switch (param.kind()) {
    case Kind::kWrapper:
      return arg.kind() == Kind::kNull ||
             Assignable(param.element(), arg.kind() == Kind::kWrapper ? arg.element() : arg,
                        bindings);
    case Kind::kList:
    case Kind::kType:
      return arg.kind() == param.kind() && Assignable(param.element(), arg.element(), bindings);
    case Kind::kMap:
      return arg.kind() == Kind::kMap && Assignable(param.key(), arg.key(), bindings) &&
             Assignable(param.value(), arg.value(), bindings);
    default:
      return param.kind() == arg.kind();
  }
}

Type Substitute(const Type& type, const Bindings& bindings) {
  switch (type.kind()) {
    case Kind::kParam: {
      const auto bound = bindings.find(type.param_name());
      return bound == bindings.end() ? Type() : Substitute(bound->second, bindings);
    }
    case Kind::kList:
      return Type::List(Substitute(type.element(), bindings));
    case Kind::kType:
      return Type::TypeOf(Substitute(type.element(), bindings));
    case Kind::kWrapper:
      return Type::Wrapper(Substitute(type.element(), bindings));
    case Kind::kMap:
      return Type::Map(Substitute(type.key(), bindings), Substitute(type.value(), bindings));
    default:
      return type;
  }
}

}  // namespace slipway::expr
