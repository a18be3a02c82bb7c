// The tree-walking evaluator. Private to src/expr; callers use Evaluate (expr.h).
//
// CEL semantics: errors are values; strict operators and calls propagate the first error (left
// to right), while && and || absorb an error when the other side decides the result, `?:`
// evaluates only the branch it picks, and all()/exists() absorb errors like && and ||.
// Recursion depth is bounded by the tree height (see ast.h); the values an evaluation builds and
// its comprehension iterations are bounded by kMaxListSize, kMaxStringSize and kMaxIterations.
//
// One Evaluator serves one evaluation (it counts iterations and holds the macro variables);
// files: evaluator.cc (operators, calls, literals), names.cc (names, fields, types),
// comprehension.cc (has(), macros, cel.bind).
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "expr/ast.h"
#include "expr/expr.h"

namespace slipway::expr {

class Evaluator {
 public:
  using Result = std::variant<Value, Error>;

  explicit Evaluator(const Activation& activation);

  Result Eval(const Node& node);

 private:
  // names.cc
  Result Ident(const Node& node);
  Result Select(const Node& node);
  Result SelectField(const Value& operand, const Node& node);
  // `a.b.c` as one name: the longest prefix of the chain that names a variable (CEL's
  // qualified-name resolution) or a type; nullopt when no prefix longer than one name does.
  std::optional<Result> ResolveQualified(const Node& node);
  const Result* FindLocal(const std::string& name) const;
  // Whether the qualified name `node` (a.b.c) starts with a macro variable or a variable, that
  // is, whether it denotes a value rather than a namespace (`math` in `math.greatest(…)`).
  bool NamesValue(const Node& node) const;

  // comprehension.cc
  Result Has(const Node& node);
  Result Comprehension(const Node& node);
  Result Bind(const Node& node);

  // evaluator.cc
  Result Index(const Node& node);
  Result Call(const Node& node);
  Result Method(const Node& node);
  Result Invoke(const Activation::Function& function, const std::string& name,
                std::vector<Value> args, int column);
  Result Not(const Node& node);
  Result Logical(const Node& node);
  Result Negation(const Node& node);
  Result Conditional(const Node& node);
  Result Strict(const Node& node);
  Result List(const Node& node);
  Result Map(const Node& node);
  // `result` unless it is a value over the size limits, which becomes an error at `column`.
  static Result Bounded(Result result, int column);

  const Activation& activation_;
  bool has_dotted_names_ = false;  // some variable's name contains a '.'
  // The variables of the enclosing macros and binds, innermost last.
  std::vector<std::pair<std::string, Result>> locals_;
  size_t iterations_ = 0;
};

}  // namespace slipway::expr
