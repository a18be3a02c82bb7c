// What an expression refers to: context paths and function calls, in source order.
// Shared by Expression::References/Calls and Check. Private to src/expr.
#pragma once

#include <string>
#include <vector>

#include "expr/ast.h"

namespace slipway::expr {

struct Use {
  enum class Kind { kReference, kCall };
  Kind kind;
  std::vector<std::string> path;  // kReference: the longest name path (see ReferencePath)
  std::string function;           // kCall
  int arity = 0;                  // kCall: number of arguments
  int column = 0;                 // start of the reference, or of the function name
};

// A reference is an identifier followed by any chain of `.name` and `["literal string"]`:
// `needs.build.outputs["v"]` is {"needs","build","outputs","v"}. Where the chain continues
// with anything else (`a.b[0].c`, `a[x]`), the reference ends before it and the rest of the
// expression (`x`) is searched for further uses.
std::vector<Use> CollectUses(const Node& root);

}  // namespace slipway::expr
