// Helpers shared by the expr tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "expr/ast.h"
#include "expr/expr.h"

namespace slipway::expr::testing {

// Parses `text`, failing the test (and returning `null`'s parse) when it does not parse.
inline Expression MustParse(std::string_view text) {
  auto parsed = Expression::Parse(text);
  if (auto* error = std::get_if<Error>(&parsed)) {
    ADD_FAILURE() << "parse of `" << text << "` failed at column " << error->column << ": "
                  << error->message;
    return std::get<Expression>(Expression::Parse("null"));
  }
  return std::get<Expression>(std::move(parsed));
}

// The parse error for `text`; fails the test when it parses.
inline Error ParseError(std::string_view text) {
  auto parsed = Expression::Parse(text);
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  ADD_FAILURE() << "`" << text << "` parsed but should not have";
  return Error{-1, "<parsed>"};
}

// The tree as an S-expression, to assert precedence and associativity.
inline std::string Sexpr(const Node& node) {
  std::string out;
  switch (node.kind()) {
    case Node::Kind::kLiteral:
      if (node.literal().is_string()) return "'" + node.literal().as_string() + "'";
      if (node.literal().is_bytes()) return "b'" + node.literal().as_bytes() + "'";
      if (node.literal().is_uint()) return std::to_string(node.literal().as_uint()) + "u";
      return node.literal().is_null() ? "null" : node.literal().ToTemplateString();
    case Node::Kind::kIdent:
      return node.name();
    case Node::Kind::kSelect:
      return Sexpr(*node.children()[0]) + "." + node.name();
    case Node::Kind::kIndex:
      return Sexpr(*node.children()[0]) + "[" + Sexpr(*node.children()[1]) + "]";
    case Node::Kind::kCall:
      out = node.name() + "(";
      for (size_t i = 0; i < node.children().size(); ++i) {
        out += (i ? ", " : "") + Sexpr(*node.children()[i]);
      }
      return out + ")";
    case Node::Kind::kNot:
    case Node::Kind::kNegate:
      return std::string("(") + OperatorSpelling(node.kind()) + " " + Sexpr(*node.children()[0]) +
             ")";
    case Node::Kind::kConditional:
      return "(?: " + Sexpr(*node.children()[0]) + " " + Sexpr(*node.children()[1]) + " " +
             Sexpr(*node.children()[2]) + ")";
    case Node::Kind::kList:
    case Node::Kind::kMap:
    case Node::Kind::kMessage:
    case Node::Kind::kMethod:
    case Node::Kind::kHas:
    case Node::Kind::kComprehension:
    case Node::Kind::kBind: {
      // (kind name [names…] children…), e.g. (list 1 2), (method size s), (all [x] l p).
      static const std::map<Node::Kind, std::string> kNames = {
          {Node::Kind::kList, "list"},       {Node::Kind::kMap, "map"},
          {Node::Kind::kMessage, "message"}, {Node::Kind::kMethod, "method"},
          {Node::Kind::kHas, "has"},         {Node::Kind::kComprehension, "comprehension"},
          {Node::Kind::kBind, "bind"}};
      out = "(" + kNames.at(node.kind());
      if (!node.name().empty()) out += " " + node.name();
      if (!node.names().empty()) {
        out += " [";
        for (size_t i = 0; i < node.names().size(); ++i) {
          out += (i ? " " : "") + node.names()[i];
        }
        out += "]";
      }
      for (const auto& child : node.children()) out += " " + Sexpr(*child);
      return out + ")";
    }
    default:
      return std::string("(") + OperatorSpelling(node.kind()) + " " + Sexpr(*node.children()[0]) +
             " " + Sexpr(*node.children()[1]) + ")";
  }
}

inline std::string Sexpr(std::string_view text) { return Sexpr(MustParse(text).root()); }

// Evaluates `text` against `activation`.
inline std::variant<Value, Error> Eval(std::string_view text, const Activation& activation = {}) {
  return Evaluate(MustParse(text), activation);
}

}  // namespace slipway::expr::testing
