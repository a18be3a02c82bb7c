// What an expression refers to: context paths and function calls, in source order.
// Shared by Expression::References/Calls and Check. Private to src/expr.
#pragma once

#include <string>
#include <vector>

#include "expr/ast.h"

namespace slipway::expr {

struct Use {
  enum class Kind {
    kReference,
    kCall,    // a global function: `f(x)`, or `ns.f(x)` when that dotted name is a function
    kMethod,  // a receiver-style call: `x.f(y)` (function "f")
  };
  Kind kind;
  std::vector<std::string> path;  // kReference: the longest name path (see ReferencePath)
  std::string function;           // kCall, kMethod
  int arity = 0;                  // kCall, kMethod: number of arguments (without the receiver)
  int column = 0;                 // start of the reference, or of the function name
};

// A reference is an identifier followed by any chain of `.name` and `["literal string"]`:
// `needs.build.outputs["v"]` is {"needs","build","outputs","v"}. Where the chain continues
// with anything else (`a.b[0].c`, `a[x]`), the reference ends before it and the rest of the
// expression (`x`) is searched for further uses. Not references: the variables of macros
// (`x` in `l.all(x, x > 0)`) and cel.bind, and type names (`int`). In `has(a.b.c)` the
// reference is `a.b`: the field tested need not exist.
std::vector<Use> CollectUses(const Node& root);

}  // namespace slipway::expr
