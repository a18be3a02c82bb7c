// The expression tree produced by the parser and walked by the checker and evaluator.
// Private to src/expr.
//
// Invariant: a node's height() never exceeds kMaxDepth + 1 (the parser refuses deeper trees),
// so every recursive walk over a tree is bounded and cannot overflow the stack.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"

namespace slipway::expr {

// Longest expression text Parse accepts, in bytes.
inline constexpr size_t kMaxExpressionLength = size_t{16} * 1024;
// Deepest nesting Parse accepts: at most this many operators, accesses and calls above any
// leaf of the tree, and at most this many nested ( [ and call argument lists.
inline constexpr int kMaxDepth = 64;
// Run-time bounds of one evaluation, so a short expression cannot build huge values or loop for
// long: the elements of a list or map it builds, the bytes of a string or bytes value it builds,
// and the iterations of all its comprehensions (macros) together.
inline constexpr size_t kMaxListSize = size_t{100} * 1000;
inline constexpr size_t kMaxStringSize = size_t{1} << 20;
inline constexpr size_t kMaxIterations = size_t{1000} * 1000;

class Node {
 public:
  enum class Kind {
    kLiteral,      // literal()
    kIdent,        // name()
    kSelect,       // children()[0] . name()
    kIndex,        // children()[0] [ children()[1] ]
    kCall,         // name() ( children()... )
    kNot,          // ! children()[0]
    kNegate,       // - children()[0]
    kAnd,          // children()[0] && children()[1]
    kOr,           // children()[0] || children()[1]
    kConditional,  // children()[0] ? children()[1] : children()[2]
    // Strict binary operators: children()[0] OP children()[1].
    kEqual,         // ==
    kNotEqual,      // !=
    kLess,          // <
    kLessEqual,     // <=
    kGreater,       // >
    kGreaterEqual,  // >=
    kIn,            // in
    kAdd,           // +
    kSubtract,      // -
    kMultiply,      // *
    kDivide,        // /
    kModulo,        // %
    // Aggregates and CEL's other forms.
    kList,           // [ children()... ]
    kMap,            // { children()[0]: children()[1], children()[2]: children()[3], ... }
    kMessage,        // name() { names()[i]: children()[i], ... } (a protobuf message: parsed only)
    kMethod,         // children()[0] . name() ( children()[1...] ): a receiver-style call
    kHas,            // has(children()[0] . name()): whether the field or map key is present
    kComprehension,  // children()[0] . name() ( names()[0], children()[1...] ): a macro
                     // (all, exists, exists_one, map, filter); see macros.h
    kBind,           // cel.bind(names()[0], children()[0], children()[1])
  };

  // `column` is 1-based: where an error about this node points (the operator for operators,
  // the field name for a select, the '[' for an index, the start otherwise).
  Node(Kind kind, int column, Value literal, std::string name,
       std::vector<std::unique_ptr<Node>> children, std::vector<std::string> names = {});

  static std::unique_ptr<Node> Literal(Value value, int column);
  static std::unique_ptr<Node> Ident(std::string name, int column);
  static std::unique_ptr<Node> Select(std::unique_ptr<Node> operand, std::string field, int column);
  static std::unique_ptr<Node> Index(std::unique_ptr<Node> operand, std::unique_ptr<Node> index,
                                     int column);
  static std::unique_ptr<Node> Call(std::string function, std::vector<std::unique_ptr<Node>> args,
                                    int column);
  static std::unique_ptr<Node> Unary(Kind kind, std::unique_ptr<Node> operand, int column);
  static std::unique_ptr<Node> Binary(Kind kind, std::unique_ptr<Node> lhs,
                                      std::unique_ptr<Node> rhs, int column);
  // kList, kMap, kMessage, kMethod, kHas, kComprehension or kBind, as described at Kind.
  static std::unique_ptr<Node> Make(Kind kind, int column, std::string name,
                                    std::vector<std::unique_ptr<Node>> children,
                                    std::vector<std::string> names = {});
  static std::unique_ptr<Node> Conditional(std::unique_ptr<Node> condition,
                                           std::unique_ptr<Node> then, std::unique_ptr<Node> other,
                                           int column);

  // The children of `node`, which is consumed (for the parser's rewrites).
  static std::vector<std::unique_ptr<Node>> ReleaseChildren(std::unique_ptr<Node> node) {
    return std::move(node->children_);
  }

  Kind kind() const { return kind_; }
  int column() const { return column_; }
  // 1 for a leaf; 1 + the tallest child otherwise.
  int height() const { return height_; }
  const Value& literal() const { return literal_; }
  const std::string& name() const { return name_; }
  const std::vector<std::unique_ptr<Node>>& children() const { return children_; }
  // Field names of a kMessage; the variable of a kComprehension or kBind.
  const std::vector<std::string>& names() const { return names_; }

 private:
  Kind kind_;
  int column_;
  int height_ = 1;
  Value literal_;
  std::string name_;
  std::vector<std::unique_ptr<Node>> children_;
  std::vector<std::string> names_;
};

// Whether `name` denotes a type: "int", "list", "google.protobuf.Duration", … A name that is a
// type evaluates to a type value unless a variable of that name shadows it.
bool IsTypeName(std::string_view name);

// How an operator node is spelled in source, for messages ("&&", "?:"); "" for other kinds.
const char* OperatorSpelling(Node::Kind kind);

}  // namespace slipway::expr
