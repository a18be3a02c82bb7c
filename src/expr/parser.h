// Recursive-descent parser for the supported CEL subset. Private to src/expr.
//
// Grammar (CEL's, minus what is not supported yet; lowest precedence first):
//   expr     = or
//   or       = and { "||" and }
//   and      = equality { "&&" equality }
//   equality = unary { ("==" | "!=") unary }
//   unary    = { "!" } postfix
//   postfix  = primary { "." IDENT | "[" expr "]" }
//   primary  = literal | IDENT | IDENT "(" [ expr { "," expr } ] ")" | "(" expr ")"
//
// Chains of && and || are built as balanced trees (both operators are associative in CEL,
// errors included), so long chains stay shallow.
//
// Never crashes or loops on any input: text longer than kMaxExpressionLength and nesting deeper
// than kMaxDepth are errors, and every loop consumes a token.
#pragma once

#include <memory>
#include <string_view>
#include <variant>

#include "expr/ast.h"

namespace slipway::expr {

std::variant<std::unique_ptr<Node>, Error> ParseTree(std::string_view text);

}  // namespace slipway::expr
