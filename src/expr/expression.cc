#include <utility>

#include "expr/ast.h"
#include "expr/expr.h"
#include "expr/parser.h"
#include "expr/uses.h"

namespace slipway::expr {

Expression::Expression(std::string text, std::shared_ptr<const Node> root)
    : text_(std::move(text)), root_(std::move(root)) {}

std::variant<Expression, Error> Expression::Parse(std::string_view text) {
  auto tree = ParseTree(text);
  if (auto* error = std::get_if<Error>(&tree)) return std::move(*error);
  return Expression(std::string(text), std::move(std::get<std::unique_ptr<Node>>(tree)));
}

std::vector<Expression::Reference> Expression::References() const {
  std::vector<Reference> references;
  for (Use& use : CollectUses(*root_)) {
    if (use.kind == Use::Kind::kReference) {
      references.push_back(Reference{std::move(use.path), use.column});
    }
  }
  return references;
}

std::vector<Expression::Call> Expression::Calls() const {
  std::vector<Call> calls;
  for (Use& use : CollectUses(*root_)) {
    // Methods (`x.f()`) are the standard library's, not the caller's: not listed.
    if (use.kind == Use::Kind::kCall) calls.push_back(Call{std::move(use.function), use.column});
  }
  return calls;
}

}  // namespace slipway::expr
