// The strict operators on values, and the built-in functions. Private to src/expr.
// Every error is a CEL error value at `column` (the operator's) with a message naming the
// operator and the operand types.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "expr/ast.h"
#include "expr/expr.h"

namespace slipway::expr {

// `lhs op rhs` for kLess, kLessEqual, kGreater, kGreaterEqual and kIn (relational.cc).
std::variant<Value, Error> Relation(Node::Kind op, const Value& lhs, const Value& rhs, int column);

// `lhs op rhs` for kAdd, kSubtract, kMultiply, kDivide and kModulo (arithmetic.cc).
std::variant<Value, Error> Arithmetic(Node::Kind op, const Value& lhs, const Value& rhs,
                                      int column);

// `-operand` (arithmetic.cc).
std::variant<Value, Error> Negate(const Value& operand, int column);

// "no such overload: '<' on string and int".
std::string NoSuchOverload(Node::Kind op, const Value& lhs, const Value& rhs);

// `container[key]`: a list by int (or uint, or a double with an integral value), a map by any
// key type with CEL's heterogeneous numeric lookup. Missing key / out of range / wrong types are
// errors at `column` (index.cc).
std::variant<Value, Error> IndexValue(const Value& container, const Value& key, int column);

// The standard-library function `name`: called as `name(args…)`, or when `receiver_style` as
// `args[0].name(args[1…])` (e.g. "abc".contains("b")); nullptr when there is none with that
// name and style. Overloads are resolved inside on the arguments' types; an argument list no
// overload accepts yields a "no such overload" error. Errors carry column 0, for the evaluator to
// fill in (builtins.cc and the stdlib files).
const Activation::Function* FindStandardFunction(std::string_view name, bool receiver_style);

// The built-in function called `name` (builtins.cc), or nullptr. Its errors carry column 0, for
// the evaluator to fill in.
const Activation::Function* FindBuiltin(std::string_view name);

}  // namespace slipway::expr
