#include "expr/ast.h"

#include <algorithm>
#include <utility>

namespace slipway::expr {

Node::Node(Kind kind, int column, Value literal, std::string name,
           std::vector<std::unique_ptr<Node>> children, std::vector<std::string> names)
    : kind_(kind),
      column_(column),
      literal_(std::move(literal)),
      name_(std::move(name)),
      children_(std::move(children)),
      names_(std::move(names)) {
  for (const auto& child : children_) height_ = std::max(height_, child->height() + 1);
}

std::unique_ptr<Node> Node::Literal(Value value, int column) {
  return std::make_unique<Node>(Kind::kLiteral, column, std::move(value), std::string(),
                                std::vector<std::unique_ptr<Node>>());
}

std::unique_ptr<Node> Node::Ident(std::string name, int column) {
  return std::make_unique<Node>(Kind::kIdent, column, Value(), std::move(name),
                                std::vector<std::unique_ptr<Node>>());
}

std::unique_ptr<Node> Node::Select(std::unique_ptr<Node> operand, std::string field, int column) {
  std::vector<std::unique_ptr<Node>> children;
  children.push_back(std::move(operand));
  return std::make_unique<Node>(Kind::kSelect, column, Value(), std::move(field),
                                std::move(children));
}

std::unique_ptr<Node> Node::Index(std::unique_ptr<Node> operand, std::unique_ptr<Node> index,
                                  int column) {
  std::vector<std::unique_ptr<Node>> children;
  children.push_back(std::move(operand));
  children.push_back(std::move(index));
  return std::make_unique<Node>(Kind::kIndex, column, Value(), std::string(), std::move(children));
}

std::unique_ptr<Node> Node::Call(std::string function, std::vector<std::unique_ptr<Node>> args,
                                 int column) {
  return std::make_unique<Node>(Kind::kCall, column, Value(), std::move(function), std::move(args));
}

std::unique_ptr<Node> Node::Unary(Kind kind, std::unique_ptr<Node> operand, int column) {
  std::vector<std::unique_ptr<Node>> children;
  children.push_back(std::move(operand));
  return std::make_unique<Node>(kind, column, Value(), std::string(), std::move(children));
}

std::unique_ptr<Node> Node::Binary(Kind kind, std::unique_ptr<Node> lhs, std::unique_ptr<Node> rhs,
                                   int column) {
  std::vector<std::unique_ptr<Node>> children;
  children.push_back(std::move(lhs));
  children.push_back(std::move(rhs));
  return std::make_unique<Node>(kind, column, Value(), std::string(), std::move(children));
}

std::unique_ptr<Node> Node::Make(Kind kind, int column, std::string name,
                                 std::vector<std::unique_ptr<Node>> children,
                                 std::vector<std::string> names) {
  return std::make_unique<Node>(kind, column, Value(), std::move(name), std::move(children),
                                std::move(names));
}

std::unique_ptr<Node> Node::Conditional(std::unique_ptr<Node> condition, std::unique_ptr<Node> then,
                                        std::unique_ptr<Node> other, int column) {
  std::vector<std::unique_ptr<Node>> children;
  children.push_back(std::move(condition));
  children.push_back(std::move(then));
  children.push_back(std::move(other));
  return std::make_unique<Node>(Kind::kConditional, column, Value(), std::string(),
                                std::move(children));
}

bool IsTypeName(std::string_view name) {
  static constexpr std::string_view kTypeNames[] = {
      "bool",
      "int",
      "uint",
      "double",
      "string",
      "bytes",
      "list",
      "map",
      "null_type",
      "type",
      "google.protobuf.Duration",
      "google.protobuf.Timestamp",
  };
  for (std::string_view type : kTypeNames) {
    if (type == name) return true;
  }
  return false;
}

const char* OperatorSpelling(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::kNot:
      return "!";
    case Node::Kind::kNegate:
    case Node::Kind::kSubtract:
      return "-";
    case Node::Kind::kAnd:
      return "&&";
    case Node::Kind::kOr:
      return "||";
    case Node::Kind::kConditional:
      return "?:";
    case Node::Kind::kEqual:
      return "==";
    case Node::Kind::kNotEqual:
      return "!=";
    case Node::Kind::kLess:
      return "<";
    case Node::Kind::kLessEqual:
      return "<=";
    case Node::Kind::kGreater:
      return ">";
    case Node::Kind::kGreaterEqual:
      return ">=";
    case Node::Kind::kIn:
      return "in";
    case Node::Kind::kAdd:
      return "+";
    case Node::Kind::kMultiply:
      return "*";
    case Node::Kind::kDivide:
      return "/";
    case Node::Kind::kModulo:
      return "%";
    default:
      return "";
  }
}

}  // namespace slipway::expr
