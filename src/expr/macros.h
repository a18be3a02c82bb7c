// CEL's macros, expanded when the parser builds a call. Private to src/expr.
//
//   has(e.f)                  → kHas: whether map `e` has key "f" (never an error for a missing
//                               key); the argument must be a field selection.
//   e.all(x, p)               → kComprehension "all": p holds for every element (`&&` semantics:
//                               a false absorbs errors of other elements)
//   e.exists(x, p)            → "exists": p holds for some element (`||` semantics)
//   e.exists_one(x, p)        → "exists_one": p holds for exactly one element (errors propagate)
//   e.map(x, t)               → "map": the list of t for each element
//   e.map(x, p, t)            → "map": t for each element where p holds
//   e.filter(x, p)            → "filter": the elements where p holds
//   cel.bind(x, init, body)   → kBind: body with x bound to init
// cel.block([e0, e1, …], body) (CEL's block extension, emitted by optimizers) → nested kBind
// nodes binding the internal names of cel.index(0), cel.index(1), … in turn; cel.index(N),
// cel.iterVar(I, J) and cel.accuVar(I, J) with literal ints are those internal names (kIdent
// "@index0", "@it:I:J", "@ac:I:J", which no source name can spell), usable as macro variables;
// and the two-variable forms (CEL's comprehensions extension), where over a list the variables
// are index and element and over a map key and value:
//   e.all(i, v, p), e.exists(i, v, p), e.existsOne(i, v, p) (also exists_one)
//   e.transformList(i, v, t), e.transformList(i, v, p, t)      → list of t
//   e.transformMap(k, v, t), e.transformMap(k, v, p, t)        → map k → t
//   e.transformMapEntry(k, v, t), e.transformMapEntry(k, v, p, t) → the union of the maps t
//                                                                (a repeated key is an error)
// With one variable, `e` is a list (its elements) or a map (its keys). Variables must be simple
// names; they shadow any variable of that name inside p and t. A kComprehension's names() are
// its variables, children()[0] is `e`, then p and/or t; "existsOne" is named "exists_one".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "expr/ast.h"

namespace slipway::expr {

// `function(args…)` at `column`: a kHas node for `has`, else a kCall. On a misused macro returns
// nullptr and sets `error` (unless already set).
std::unique_ptr<Node> MakeCall(std::string function, std::vector<std::unique_ptr<Node>> args,
                               int column, std::optional<Error>& error);

// `target.function(args…)`, `column` at the function name: a kComprehension or kBind for a
// macro, else a kMethod. On a misused macro returns nullptr and sets `error` (unless set).
std::unique_ptr<Node> MakeMethod(std::unique_ptr<Node> target, std::string function,
                                 std::vector<std::unique_ptr<Node>> args, int column,
                                 std::optional<Error>& error);

// Whether `node` is a name or a chain of `.name` selections on one (`a.b.c`).
bool IsQualifiedName(const Node& node);
// Its dotted spelling ("a.b.c"); `node` must be IsQualifiedName.
std::string QualifiedName(const Node& node);

}  // namespace slipway::expr
