// Recursive-descent parser for CEL (google/cel-spec langdef). Private to src/expr.
//
// Grammar (lowest precedence first):
//   expr     = or [ "?" or ":" expr ]
//   or       = and { "||" and }
//   and      = relation { "&&" relation }
//   relation = sum { ("<" | "<=" | ">" | ">=" | "==" | "!=" | "in") sum }
//   sum      = product { ("+" | "-") product }
//   product  = unary { ("*" | "/" | "%") unary }
//   unary    = { "!" | "-" } postfix
//   postfix  = primary { "." field [ "(" args ")" ] | "[" expr "]" | "{" fields "}" }
//              (the "{" form only after a qualified name: `a.b.Msg{f: 1}`)
//   primary  = literal | ["."] IDENT [ "(" args ")" ] | "(" expr ")"
//            | "[" [ expr { "," expr } [","] ] "]"
//            | "{" [ expr ":" expr { "," expr ":" expr } [","] ] "}"
//   field    = IDENT (reserved words allowed) | `quoted name` (not for methods)
// Calls named like macros become macro nodes (macros.h). Reserved words (as, break, const, …)
// are not names, except as fields and methods after '.'. Optional syntax (`.?f`, `[?k]`,
// `{?k: v}`) is not supported.
//
// Binary operators other than && and || associate to the left; `?:` to the right.
// One deviation from CEL: `a-b`, two names with a '-' and no spaces between them, is an error:
// it is almost always a name with '-' in it (`needs.build-linux.result`); `a - b` subtracts.
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
