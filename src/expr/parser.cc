#include "expr/parser.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "expr/lexer.h"
#include "expr/macros.h"

namespace slipway::expr {
namespace {

using NodePtr = std::unique_ptr<Node>;

// CEL reserves these so it can be embedded in host languages; they are never identifiers.
constexpr std::string_view kReservedWords[] = {
    "as",  "break", "const",   "continue",  "else",   "for", "function", "if",    "import",
    "let", "loop",  "package", "namespace", "return", "var", "void",     "while",
};

bool IsReserved(std::string_view word) {
  return std::find(std::begin(kReservedWords), std::end(kReservedWords), word) !=
         std::end(kReservedWords);
}

struct BinaryOperator {
  TokenKind token;
  Node::Kind kind;
};

// The left-associative binary levels, lowest precedence first.
constexpr BinaryOperator kRelations[] = {
    {TokenKind::kLess, Node::Kind::kLess},
    {TokenKind::kLessEqual, Node::Kind::kLessEqual},
    {TokenKind::kGreater, Node::Kind::kGreater},
    {TokenKind::kGreaterEqual, Node::Kind::kGreaterEqual},
    {TokenKind::kEqual, Node::Kind::kEqual},
    {TokenKind::kNotEqual, Node::Kind::kNotEqual},
    {TokenKind::kIn, Node::Kind::kIn},
};
constexpr BinaryOperator kSums[] = {
    {TokenKind::kPlus, Node::Kind::kAdd},
    {TokenKind::kMinus, Node::Kind::kSubtract},
};
constexpr BinaryOperator kProducts[] = {
    {TokenKind::kStar, Node::Kind::kMultiply},
    {TokenKind::kSlash, Node::Kind::kDivide},
    {TokenKind::kPercent, Node::Kind::kModulo},
};
constexpr std::span<const BinaryOperator> kBinaryLevels[] = {kRelations, kSums, kProducts};
constexpr size_t kBinaryLevelCount = std::size(kBinaryLevels);

std::string TooDeepMessage() {
  return "expression nested too deeply (limit is " + std::to_string(kMaxDepth) + " levels)";
}

class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) {}

  std::variant<NodePtr, Error> Run() {
    if (!Advance()) return *error_;
    NodePtr root = ParseExpr();
    if (root && tok_.kind != TokenKind::kEnd) {
      Fail(tok_.column(), "unexpected token " + DescribeToken(tok_) + " after end of expression");
    }
    if (error_) return *error_;
    return root;
  }

 private:
  // Bounds the recursion through ParseNested (parentheses, index, call arguments, the last
  // operand of `?:`), which builds no node yet and so is not caught by the tree-height check in
  // Checked.
  class DepthGuard {
   public:
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    int& depth_;
  };

  // An expression inside ( ), [ ], call arguments or after `:`; `open` is the column of the
  // bracket or of the `?`.
  NodePtr ParseNested(int open) {
    DepthGuard guard(depth_);
    if (depth_ > kMaxDepth) return Fail(open, TooDeepMessage());
    return ParseExpr();
  }

  // `c ? a : b`. As in CEL, `a` is an `or` (a nested `?:` there needs parentheses) and `b` any
  // expression, so `x ? 1 : y ? 2 : 3` is `x ? 1 : (y ? 2 : 3)`.
  NodePtr ParseExpr() {
    NodePtr condition = ParseLogical(TokenKind::kOr);
    if (!condition || tok_.kind != TokenKind::kQuestion) return condition;
    const int column = tok_.column();
    if (!Advance()) return nullptr;
    NodePtr then = ParseLogical(TokenKind::kOr);
    if (!then || !Expect(TokenKind::kColon, "':'")) return nullptr;
    NodePtr other = ParseNested(column);
    if (!other) return nullptr;
    return Checked(
        Node::Conditional(std::move(condition), std::move(then), std::move(other), column));
  }

  // `||` (over `&&` operands) or `&&` (over relations), as a balanced tree.
  NodePtr ParseLogical(TokenKind op) {
    const auto operand = [&]() -> NodePtr {
      return op == TokenKind::kOr ? ParseLogical(TokenKind::kAnd) : ParseBinary(0);
    };
    std::vector<NodePtr> operands;
    std::vector<int> columns;
    NodePtr first = operand();
    if (!first) return nullptr;
    operands.push_back(std::move(first));
    while (tok_.kind == op) {
      columns.push_back(tok_.column());
      if (!Advance()) return nullptr;
      NodePtr next = operand();
      if (!next) return nullptr;
      operands.push_back(std::move(next));
    }
    const Node::Kind kind = op == TokenKind::kOr ? Node::Kind::kOr : Node::Kind::kAnd;
    return Balance(kind, operands, columns, 0, operands.size());
  }

  NodePtr Balance(Node::Kind kind, std::vector<NodePtr>& operands, const std::vector<int>& columns,
                  size_t lo, size_t hi) {
    if (hi - lo == 1) return std::move(operands[lo]);
    const size_t mid = lo + (hi - lo) / 2;
    NodePtr lhs = Balance(kind, operands, columns, lo, mid);
    if (!lhs) return nullptr;
    NodePtr rhs = Balance(kind, operands, columns, mid, hi);
    if (!rhs) return nullptr;
    return Checked(Node::Binary(kind, std::move(lhs), std::move(rhs), columns[mid - 1]));
  }

  // A left-associative chain of the operators of kBinaryLevels[level] over the next level.
  NodePtr ParseBinary(size_t level) {
    const auto operand = [&]() -> NodePtr {
      return level + 1 < kBinaryLevelCount ? ParseBinary(level + 1) : ParseUnary();
    };
    NodePtr lhs = operand();
    while (lhs) {
      const auto op = std::find_if(kBinaryLevels[level].begin(), kBinaryLevels[level].end(),
                                   [&](const BinaryOperator& o) { return o.token == tok_.kind; });
      if (op == kBinaryLevels[level].end()) break;
      const Token token = tok_;
      const std::string_view name_before = previous_name_;
      if (!Advance()) return nullptr;
      if (IsNameWithDash(name_before, token)) {
        const std::string name = std::string(name_before) + "-" + std::string(tok_.lexeme);
        return Fail(token.column(), "'" + name + "': names cannot contain '-'; use an index (a['" +
                                        name + "']), or put spaces around '-' to subtract");
      }
      NodePtr rhs = operand();
      if (!rhs) return nullptr;
      lhs = Checked(Node::Binary(op->kind, std::move(lhs), std::move(rhs), token.column()));
    }
    return lhs;
  }

  // Whether `op` (just consumed) is a '-' glued to a name on each side: `build-linux`.
  bool IsNameWithDash(std::string_view name_before, const Token& op) const {
    return op.kind == TokenKind::kMinus && !name_before.empty() &&
           name_before.data() + name_before.size() == op.lexeme.data() &&
           tok_.kind == TokenKind::kIdent && tok_.offset == op.offset + 1;
  }

  // Any run of `!` and `-`, applied right to left. `-9223372036854775808` (the one int literal
  // that only exists negated) is folded into a literal.
  NodePtr ParseUnary() {
    std::vector<Token> ops;
    while (tok_.kind == TokenKind::kNot || tok_.kind == TokenKind::kMinus) {
      ops.push_back(tok_);
      if (ops.size() > static_cast<size_t>(kMaxDepth)) {
        return Fail(tok_.column(), TooDeepMessage());
      }
      if (!Advance()) return nullptr;
    }
    NodePtr operand;
    if (!ops.empty() && ops.back().kind == TokenKind::kMinus && tok_.kind == TokenKind::kInt &&
        tok_.value.is_uint()) {
      const int column = ops.back().column();
      ops.pop_back();
      if (!Advance()) return nullptr;
      operand = ParsePostfix(Node::Literal(Value(INT64_MIN), column));
    } else {
      operand = ParsePostfix(ParsePrimary());
    }
    for (auto it = ops.rbegin(); operand && it != ops.rend(); ++it) {
      const Node::Kind kind = it->kind == TokenKind::kNot ? Node::Kind::kNot : Node::Kind::kNegate;
      operand = Checked(Node::Unary(kind, std::move(operand), it->column()));
    }
    return operand;
  }

  // `.field`, `.method(args)`, `[index]` and `Name{fields}` after `operand`.
  NodePtr ParsePostfix(NodePtr operand) {
    while (operand) {
      if (tok_.kind == TokenKind::kDot) {
        if (!Advance()) return nullptr;
        // Reserved words are fine here (`m.if`); a quoted name (`m.`a-b``) is a field only.
        const bool quoted = tok_.kind == TokenKind::kQuotedName;
        if (tok_.kind != TokenKind::kIdent && !quoted) {
          return Fail(tok_.column(), "expected a field name after '.', got " + DescribeToken(tok_));
        }
        std::string field = quoted ? tok_.value.as_string() : std::string(tok_.lexeme);
        const int column = tok_.column();
        if (!Advance()) return nullptr;
        if (tok_.kind == TokenKind::kLParen && !quoted) {
          auto args = ParseArguments();
          if (!args) return nullptr;
          operand = Checked(
              MakeMethod(std::move(operand), std::move(field), std::move(*args), column, error_));
        } else {
          operand = Checked(Node::Select(std::move(operand), std::move(field), column));
        }
      } else if (tok_.kind == TokenKind::kLBracket) {
        const int column = tok_.column();
        if (!Advance()) return nullptr;
        NodePtr index = ParseNested(column);
        if (!index || !Expect(TokenKind::kRBracket, "']'")) return nullptr;
        operand = Checked(Node::Index(std::move(operand), std::move(index), column));
      } else if (tok_.kind == TokenKind::kLBrace && IsQualifiedName(*operand)) {
        operand = ParseMessage(QualifiedName(*operand), NameColumn(*operand));
      } else if (tok_.kind == TokenKind::kLParen) {
        return Fail(tok_.column(), "only named functions can be called");
      } else {
        break;
      }
    }
    return operand;
  }

  NodePtr ParsePrimary() {
    const Token token = tok_;
    switch (token.kind) {
      case TokenKind::kInt:
        if (token.value.is_uint()) return Fail(token.column(), "integer literal out of range");
        [[fallthrough]];
      case TokenKind::kUint:
      case TokenKind::kDouble:
      case TokenKind::kString:
      case TokenKind::kBytes:
      case TokenKind::kTrue:
      case TokenKind::kFalse:
      case TokenKind::kNull:
        if (!Advance()) return nullptr;
        return Node::Literal(token.value, token.column());
      case TokenKind::kDot:  // `.name`: a name resolved from the root (there is no container)
        if (!Advance()) return nullptr;
        if (tok_.kind != TokenKind::kIdent) {
          return Fail(tok_.column(), "expected a name after '.', got " + DescribeToken(tok_));
        }
        return ParsePrimary();
      case TokenKind::kIdent: {
        if (IsReserved(token.lexeme)) {
          return Fail(token.column(), "'" + std::string(token.lexeme) + "' is a reserved word");
        }
        if (!Advance()) return nullptr;
        if (tok_.kind == TokenKind::kLParen) {
          auto args = ParseArguments();
          if (!args) return nullptr;
          return Checked(
              MakeCall(std::string(token.lexeme), std::move(*args), token.column(), error_));
        }
        return Node::Ident(std::string(token.lexeme), token.column());
      }
      case TokenKind::kLParen: {
        if (!Advance()) return nullptr;
        NodePtr inner = ParseNested(token.column());
        if (!inner || !Expect(TokenKind::kRParen, "')'")) return nullptr;
        return inner;
      }
      case TokenKind::kLBracket:
        return ParseList();
      case TokenKind::kLBrace:
        return ParseMap();
      case TokenKind::kEnd:
        return Fail(token.column(), "unexpected end of expression");
      default:
        return Fail(token.column(), "unexpected token " + DescribeToken(token));
    }
  }

  // At the '(' of a call: the arguments up to and including ')'.
  std::optional<std::vector<NodePtr>> ParseArguments() {
    const int open = tok_.column();
    if (!Advance()) return std::nullopt;
    std::vector<NodePtr> args;
    if (tok_.kind != TokenKind::kRParen) {
      while (true) {
        NodePtr arg = ParseNested(open);
        if (!arg) return std::nullopt;
        args.push_back(std::move(arg));
        if (tok_.kind != TokenKind::kComma) break;
        if (!Advance()) return std::nullopt;
      }
    }
    if (!Expect(TokenKind::kRParen, "')'")) return std::nullopt;
    return args;
  }

  // `[a, b, ]`: a trailing comma is allowed.
  NodePtr ParseList() {
    const int open = tok_.column();
    if (!Advance()) return nullptr;
    std::vector<NodePtr> elements;
    while (tok_.kind != TokenKind::kRBracket) {
      NodePtr element = ParseNested(open);
      if (!element) return nullptr;
      elements.push_back(std::move(element));
      if (tok_.kind != TokenKind::kComma) break;
      if (!Advance()) return nullptr;
    }
    if (!Expect(TokenKind::kRBracket, "']'")) return nullptr;
    return Checked(Node::Make(Node::Kind::kList, open, "", std::move(elements)));
  }

  // `{k: v, k2: v2, }`.
  NodePtr ParseMap() {
    const int open = tok_.column();
    if (!Advance()) return nullptr;
    std::vector<NodePtr> entries;
    while (tok_.kind != TokenKind::kRBrace) {
      NodePtr key = ParseNested(open);
      if (!key || !Expect(TokenKind::kColon, "':'")) return nullptr;
      NodePtr value = ParseNested(open);
      if (!value) return nullptr;
      entries.push_back(std::move(key));
      entries.push_back(std::move(value));
      if (tok_.kind != TokenKind::kComma) break;
      if (!Advance()) return nullptr;
    }
    if (!Expect(TokenKind::kRBrace, "'}'")) return nullptr;
    return Checked(Node::Make(Node::Kind::kMap, open, "", std::move(entries)));
  }

  // Where the qualified name `node` starts.
  static int NameColumn(const Node& node) {
    const Node* root = &node;
    while (root->kind() == Node::Kind::kSelect) root = root->children()[0].get();
    return root->column();
  }

  // At the '{' of `Type{field: value, …}`.
  NodePtr ParseMessage(std::string type, int column) {
    const int open = tok_.column();
    if (!Advance()) return nullptr;
    std::vector<NodePtr> values;
    std::vector<std::string> fields;
    while (tok_.kind != TokenKind::kRBrace) {
      if (tok_.kind == TokenKind::kQuotedName) {
        fields.push_back(tok_.value.as_string());
      } else if (tok_.kind == TokenKind::kIdent && !IsReserved(tok_.lexeme)) {
        fields.emplace_back(tok_.lexeme);
      } else {
        return Fail(tok_.column(), "expected a field name, got " + DescribeToken(tok_));
      }
      if (!Advance() || !Expect(TokenKind::kColon, "':'")) return nullptr;
      NodePtr value = ParseNested(open);
      if (!value) return nullptr;
      values.push_back(std::move(value));
      if (tok_.kind != TokenKind::kComma) break;
      if (!Advance()) return nullptr;
    }
    if (!Expect(TokenKind::kRBrace, "'}'")) return nullptr;
    return Checked(Node::Make(Node::Kind::kMessage, column, std::move(type), std::move(values),
                              std::move(fields)));
  }

  bool Advance() {
    auto next = lexer_.Next();
    if (auto* error = std::get_if<Error>(&next)) {
      Fail(error->column, std::move(error->message));
      return false;
    }
    previous_name_ = tok_.kind == TokenKind::kIdent ? tok_.lexeme : std::string_view();
    tok_ = std::move(std::get<Token>(next));
    return true;
  }

  bool Expect(TokenKind kind, std::string_view spelling) {
    if (tok_.kind == kind) return Advance();
    Fail(tok_.column(), "expected " + std::string(spelling) + ", got " + DescribeToken(tok_));
    return false;
  }

  NodePtr Checked(NodePtr node) {
    if (node && node->height() - 1 > kMaxDepth) return Fail(node->column(), TooDeepMessage());
    return node;
  }

  // Keeps the first error: later ones are consequences of it.
  std::nullptr_t Fail(int column, std::string message) {
    if (!error_) error_ = Error{column, std::move(message)};
    return nullptr;
  }

  Lexer lexer_;
  Token tok_;
  std::string_view previous_name_;  // the token before tok_, when it is an identifier
  std::optional<Error> error_;
  int depth_ = 0;
};

}  // namespace

std::variant<NodePtr, Error> ParseTree(std::string_view text) {
  if (text.size() > kMaxExpressionLength) {
    return Error{1, "expression is too long (" + std::to_string(text.size()) +
                        " bytes; the limit is " + std::to_string(kMaxExpressionLength) + ")"};
  }
  return Parser(text).Run();
}

}  // namespace slipway::expr
