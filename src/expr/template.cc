// `${{ expr }}` templates. The end of an expression is found by lexing it, so a `}}` inside a
// string literal (or closing a nested brace, once CEL map literals exist) does not end it.
#include <climits>
#include <string>
#include <utility>

#include "expr/ast.h"
#include "expr/expr.h"
#include "expr/lexer.h"

namespace slipway::expr {
namespace {

constexpr std::string_view kOpen = "${{";
constexpr std::string_view kClose = "}}";

Error Shifted(Error error, size_t offset) {
  error.column = static_cast<int>(offset) + (error.column > 0 ? error.column : 1);
  return error;
}

// Offset of the `}}` closing the expression that starts at `start` (just after the `${{` at
// `open`).
std::variant<size_t, Error> FindExpressionEnd(std::string_view text, size_t open, size_t start) {
  const Error unterminated{static_cast<int>(open) + 1, "unterminated '${{' (no matching '}}')"};
  Lexer lexer(text.substr(start));
  int depth = 0;
  while (true) {
    auto next = lexer.Next();
    if (auto* error = std::get_if<Error>(&next)) {
      // Lexing ran into text that was never meant as an expression.
      if (text.find(kClose, start) == std::string_view::npos) return unterminated;
      return Shifted(std::move(*error), start);
    }
    const Token& token = std::get<Token>(next);
    if (token.offset > kMaxExpressionLength) {
      return Error{static_cast<int>(start) + 1, "expression is too long (the limit is " +
                                                    std::to_string(kMaxExpressionLength) +
                                                    " bytes)"};
    }
    if (token.kind == TokenKind::kEnd) return unterminated;
    if (token.kind == TokenKind::kLBrace) {
      ++depth;
    } else if (token.kind == TokenKind::kRBrace) {
      const size_t at = start + token.offset;
      if (depth == 0 && text.substr(at).starts_with(kClose)) return at;
      if (depth > 0) --depth;
    }
  }
}

}  // namespace

std::variant<Template, Error> Template::Parse(std::string_view text) {
  // Offsets and columns are ints.
  if (text.size() >= static_cast<size_t>(INT_MAX)) return Error{1, "template is too long"};
  Template result;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find(kOpen, pos);
    const size_t literal_end = open == std::string_view::npos ? text.size() : open;
    if (literal_end > pos) {
      result.parts_.push_back(Part{std::string(text.substr(pos, literal_end - pos)), std::nullopt,
                                   static_cast<int>(pos)});
    }
    if (open == std::string_view::npos) break;
    const size_t start = open + kOpen.size();
    auto end = FindExpressionEnd(text, open, start);
    if (auto* error = std::get_if<Error>(&end)) return std::move(*error);
    const size_t close = std::get<size_t>(end);
    auto expression = Expression::Parse(text.substr(start, close - start));
    if (auto* error = std::get_if<Error>(&expression)) return Shifted(std::move(*error), start);
    result.parts_.push_back(
        Part{"", std::move(std::get<Expression>(expression)), static_cast<int>(start)});
    pos = close + kClose.size();
  }
  return result;
}

bool Template::has_expressions() const {
  for (const Part& part : parts_) {
    if (part.expression) return true;
  }
  return false;
}

std::variant<std::string, Error> Template::Render(const Activation& activation) const {
  std::string out;
  for (const Part& part : parts_) {
    if (!part.expression) {
      out += part.literal;
      continue;
    }
    auto value = Evaluate(*part.expression, activation);
    if (auto* error = std::get_if<Error>(&value)) return Shifted(std::move(*error), part.offset);
    out += std::get<Value>(value).ToTemplateString();
  }
  return out;
}

}  // namespace slipway::expr
