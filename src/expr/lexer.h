// Splits expression text into CEL tokens. Private to src/expr.
//
// The lexer knows every CEL token, so Template can find the end of `${{ … }}` (brace depth,
// string literals) without parsing.
// Columns are 1-based byte offsets into the text handed to the constructor.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "expr/expr.h"

namespace slipway::expr {

enum class TokenKind {
  kEnd,
  kIdent,       // includes reserved words; the parser rejects those
  kQuotedName,  // value: string; `a.b-c` in backquotes, valid only as a field name after '.'
  kInt,         // value: int, or uint 2^63 for `9223372036854775808`, valid only after '-'
  kUint,        // value: uint (`1u`, `0x1u`)
  kDouble,      // value: double
  kString,      // value: string (escapes decoded)
  kBytes,       // value: bytes (`b'…'`; \x and octal escapes are bytes)
  kTrue,
  kFalse,
  kNull,
  kIn,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kDot,
  kComma,
  kColon,
  kQuestion,
  kNot,
  kEqual,
  kNotEqual,
  kAnd,
  kOr,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;        // 0-based start in the text
  std::string_view lexeme;  // the source text of the token (empty at the end)
  Value value;              // for literals

  int column() const { return static_cast<int>(offset) + 1; }
};

class Lexer {
 public:
  // `text` must outlive the lexer and every token it returns.
  explicit Lexer(std::string_view text) : text_(text) {}

  // The next token, or an error naming the column where lexing failed (the lexer is then
  // stuck; stop calling it). After kEnd, keeps returning kEnd. Every other token consumes at
  // least one byte, so a loop until kEnd or an error terminates.
  std::variant<Token, Error> Next();

 private:
  void SkipSpaceAndComments();
  std::variant<Token, Error> LexNumber(size_t start);
  std::variant<Token, Error> LexString(size_t start, size_t quote, bool raw, bool bytes);
  std::variant<Token, Error> IntegerToken(size_t start, size_t digits, size_t end, int base);
  std::variant<Token, Error> LexIdentifier(size_t start);
  Error ErrorAt(size_t offset, std::string message) const;
  Token Make(TokenKind kind, size_t start, Value value = Value()) const;

  std::string_view text_;
  size_t pos_ = 0;
};

// `'lexeme'` for messages, shortened when long; "end of expression" for kEnd.
std::string DescribeToken(const Token& token);

// A byte for messages: the character itself when printable ASCII, else `\xHH`.
std::string DescribeByte(char c);

}  // namespace slipway::expr
