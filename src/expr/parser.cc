#include "expr/parser.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "expr/lexer.h"

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

// CEL operators this subset does not implement yet; naming them beats "unexpected token".
bool IsUnsupportedOperator(TokenKind kind) {
  switch (kind) {
    case TokenKind::kIn:
    case TokenKind::kQuestion:
    case TokenKind::kColon:
    case TokenKind::kLess:
    case TokenKind::kLessEqual:
    case TokenKind::kGreater:
    case TokenKind::kGreaterEqual:
    case TokenKind::kPlus:
    case TokenKind::kMinus:
    case TokenKind::kStar:
    case TokenKind::kSlash:
    case TokenKind::kPercent:
      return true;
    default:
      return false;
  }
}

std::string TooDeepMessage() {
  return "expression nested too deeply (limit is " + std::to_string(kMaxDepth) + " levels)";
}

class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) {}

  std::variant<NodePtr, Error> Run() {
    if (!Advance()) return *error_;
    NodePtr root = ParseLogical(TokenKind::kOr);
    if (root && tok_.kind != TokenKind::kEnd) {
      Fail(tok_.column(),
           Unexpected("unexpected token " + DescribeToken(tok_) + " after end of expression"));
    }
    if (error_) return *error_;
    return root;
  }

 private:
  // Bounds the recursion through ParseNested (parentheses, index, call arguments), which
  // builds no node and so is not caught by the tree-height check in Checked.
  class DepthGuard {
   public:
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    int& depth_;
  };

  // An expression inside ( ), [ ] or call arguments; `open` is the bracket's column.
  NodePtr ParseNested(int open) {
    DepthGuard guard(depth_);
    if (depth_ > kMaxDepth) return Fail(open, TooDeepMessage());
    return ParseLogical(TokenKind::kOr);
  }

  // `||` (over `&&` operands) or `&&` (over equality operands), as a balanced tree.
  NodePtr ParseLogical(TokenKind op) {
    const auto operand = [&]() -> NodePtr {
      return op == TokenKind::kOr ? ParseLogical(TokenKind::kAnd) : ParseEquality();
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

  NodePtr ParseEquality() {
    NodePtr lhs = ParseUnary();
    while (lhs && (tok_.kind == TokenKind::kEqual || tok_.kind == TokenKind::kNotEqual)) {
      const Node::Kind kind =
          tok_.kind == TokenKind::kEqual ? Node::Kind::kEqual : Node::Kind::kNotEqual;
      const int column = tok_.column();
      if (!Advance()) return nullptr;
      NodePtr rhs = ParseUnary();
      if (!rhs) return nullptr;
      lhs = Checked(Node::Binary(kind, std::move(lhs), std::move(rhs), column));
    }
    return lhs;
  }

  NodePtr ParseUnary() {
    std::vector<int> bangs;
    while (tok_.kind == TokenKind::kNot) {
      bangs.push_back(tok_.column());
      if (bangs.size() > static_cast<size_t>(kMaxDepth)) {
        return Fail(tok_.column(), TooDeepMessage());
      }
      if (!Advance()) return nullptr;
    }
    NodePtr operand = ParsePostfix();
    for (auto it = bangs.rbegin(); operand && it != bangs.rend(); ++it) {
      operand = Checked(Node::Unary(Node::Kind::kNot, std::move(operand), *it));
    }
    return operand;
  }

  NodePtr ParsePostfix() {
    NodePtr operand = ParsePrimary();
    while (operand) {
      if (tok_.kind == TokenKind::kDot) {
        if (!Advance()) return nullptr;
        if (tok_.kind != TokenKind::kIdent || IsReserved(tok_.lexeme)) {
          return Fail(tok_.column(), "expected a field name after '.', got " + DescribeToken(tok_));
        }
        std::string field(tok_.lexeme);
        const int column = tok_.column();
        if (!Advance()) return nullptr;
        if (tok_.kind == TokenKind::kLParen) {
          return Fail(column, "method calls ('." + field + "(...)') are not supported");
        }
        operand = Checked(Node::Select(std::move(operand), std::move(field), column));
      } else if (tok_.kind == TokenKind::kLBracket) {
        const int column = tok_.column();
        if (!Advance()) return nullptr;
        NodePtr index = ParseNested(column);
        if (!index || !Expect(TokenKind::kRBracket, "']'")) return nullptr;
        operand = Checked(Node::Index(std::move(operand), std::move(index), column));
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
      case TokenKind::kDouble:
      case TokenKind::kString:
      case TokenKind::kTrue:
      case TokenKind::kFalse:
      case TokenKind::kNull:
        if (!Advance()) return nullptr;
        return Node::Literal(token.value, token.column());
      case TokenKind::kIdent: {
        if (IsReserved(token.lexeme)) {
          return Fail(token.column(), "'" + std::string(token.lexeme) + "' is a reserved word");
        }
        if (!Advance()) return nullptr;
        if (tok_.kind == TokenKind::kLParen) return ParseCall(token);
        return Node::Ident(std::string(token.lexeme), token.column());
      }
      case TokenKind::kLParen: {
        if (!Advance()) return nullptr;
        NodePtr inner = ParseNested(token.column());
        if (!inner || !Expect(TokenKind::kRParen, "')'")) return nullptr;
        return inner;
      }
      case TokenKind::kLBracket:
        return Fail(token.column(), "list literals are not supported");
      case TokenKind::kLBrace:
        return Fail(token.column(), "map literals are not supported");
      case TokenKind::kEnd:
        return Fail(token.column(), "unexpected end of expression");
      default:
        return Fail(token.column(), Unexpected("unexpected token " + DescribeToken(token)));
    }
  }

  // At the '(' after `name`.
  NodePtr ParseCall(const Token& name) {
    const int open = tok_.column();
    if (!Advance()) return nullptr;
    std::vector<NodePtr> args;
    if (tok_.kind != TokenKind::kRParen) {
      while (true) {
        NodePtr arg = ParseNested(open);
        if (!arg) return nullptr;
        args.push_back(std::move(arg));
        if (tok_.kind != TokenKind::kComma) break;
        if (!Advance()) return nullptr;
      }
    }
    if (!Expect(TokenKind::kRParen, "')'")) return nullptr;
    return Checked(Node::Call(std::string(name.lexeme), std::move(args), name.column()));
  }

  bool Advance() {
    auto next = lexer_.Next();
    if (auto* error = std::get_if<Error>(&next)) {
      Fail(error->column, std::move(error->message));
      return false;
    }
    previous_kind_ = tok_.kind;
    previous_end_ = tok_.offset + tok_.lexeme.size();
    tok_ = std::move(std::get<Token>(next));
    return true;
  }

  bool Expect(TokenKind kind, std::string_view spelling) {
    if (tok_.kind == kind) return Advance();
    Fail(tok_.column(),
         Unexpected("expected " + std::string(spelling) + ", got " + DescribeToken(tok_)));
    return false;
  }

  // `message`, unless the current token is a CEL operator we do not support yet.
  std::string Unexpected(std::string message) const {
    if (!IsUnsupportedOperator(tok_.kind)) return message;
    std::string unsupported = "operator " + DescribeToken(tok_) + " is not supported";
    // `needs.build-linux.result`: GitHub Actions allows '-' in names, CEL does not.
    if (tok_.kind == TokenKind::kMinus && previous_kind_ == TokenKind::kIdent &&
        previous_end_ == tok_.offset) {
      unsupported += " (for a name containing '-', use an index: a['b-c'])";
    }
    return unsupported;
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
  TokenKind previous_kind_ = TokenKind::kEnd;
  size_t previous_end_ = 0;
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
