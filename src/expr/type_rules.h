// The type-checker: the standard library's overload signatures, how argument types are matched
// against them, and the walk that deduces an expression's type. Private to src/expr.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "expr/expr.h"

namespace slipway::expr {

// One overload: parameter types (a receiver-style overload's first is the receiver) and result.
// Type parameters (A, K, V) are bound per call.
struct Overload {
  std::vector<Type> params;
  Type result;
};

// The overloads of `function` called globally or, when `receiver`, as `x.function(…)`.
// Operators go by CEL's internal names: "_+_", "_==_", "_<_", "_[_]", "@in", "!_", "-_",
// "_&&_", "_||_". nullptr when the checker knows no signature for it (then its arguments are
// not checked and its result is dyn).
const std::vector<Overload>* FindOverloads(std::string_view function, bool receiver);

// The type a type name denotes ("int" → int, "list" → list(dyn), "google.protobuf.Duration" →
// duration); `name` must be IsTypeName.
Type NamedType(std::string_view name);

// Type parameters bound while matching one overload.
using Bindings = std::map<std::string, Type, std::less<>>;

// Whether a value of type `arg` may be passed where `param` is expected, binding `param`'s type
// parameters. dyn matches anything either way; wrapper(T) takes T and null, and passes as T.
// A parameter bound twice takes the join of both types.
bool Assignable(const Type& param, const Type& arg, Bindings& bindings);

// `type` with its parameters replaced by their bindings (dyn when unbound).
Type Substitute(const Type& type, const Bindings& bindings);

// The element type of an empty list literal (and the key and value of an empty map): a type
// parameter that joins with anything as that thing, so `[[], [[1]]]` is list(list(list(int))).
// Substitute turns what is left of it into dyn.
inline constexpr std::string_view kEmptyElement = "*";
Type EmptyElement();

// Whether `type` is dyn or an unresolved parameter: anything may be done with it.
bool IsUnknown(const Type& type);

// The most specific type both `a` and `b` are: equal types, dyn with anything, lists and maps
// of joinable types, wrapper(T) with T or null. nullopt when they have none (int and string).
std::optional<Type> Join(const Type& a, const Type& b);

class Node;

// The type of the tree at `root`, whose names have been checked (type_checker.cc).
std::variant<Type, Error> DeduceType(const Node& root, const Scope& scope);

}  // namespace slipway::expr
