#include "expr/lexer.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>

namespace slipway::expr {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentPart(char c) { return IsIdentStart(c) || IsDigit(c); }
bool IsQuote(char c) { return c == '\'' || c == '"'; }

struct Punctuation {
  std::string_view spelling;
  TokenKind kind;
};

// Two-character tokens first so they win over their one-character prefixes.
constexpr Punctuation kPunctuation[] = {
    {"==", TokenKind::kEqual},   {"!=", TokenKind::kNotEqual},  {"&&", TokenKind::kAnd},
    {"||", TokenKind::kOr},      {"<=", TokenKind::kLessEqual}, {">=", TokenKind::kGreaterEqual},
    {"(", TokenKind::kLParen},   {")", TokenKind::kRParen},     {"[", TokenKind::kLBracket},
    {"]", TokenKind::kRBracket}, {"{", TokenKind::kLBrace},     {"}", TokenKind::kRBrace},
    {".", TokenKind::kDot},      {",", TokenKind::kComma},      {":", TokenKind::kColon},
    {"?", TokenKind::kQuestion}, {"!", TokenKind::kNot},        {"<", TokenKind::kLess},
    {">", TokenKind::kGreater},  {"+", TokenKind::kPlus},       {"-", TokenKind::kMinus},
    {"*", TokenKind::kStar},     {"/", TokenKind::kSlash},      {"%", TokenKind::kPercent},
};

}  // namespace

std::variant<Token, Error> Lexer::Next() {
  SkipSpaceAndComments();
  if (pos_ >= text_.size()) return Make(TokenKind::kEnd, text_.size());
  const size_t start = pos_;
  const char c = text_[start];
  const char next = start + 1 < text_.size() ? text_[start + 1] : '\0';
  if (IsDigit(c) || (c == '.' && IsDigit(next))) return LexNumber(start);
  if (IsIdentStart(c)) return LexIdentifier(start);
  if (IsQuote(c)) return LexString(start, start, /*raw=*/false, /*bytes=*/false);
  if (c == '`') {
    const size_t close = text_.find_first_of("`\n\r", start + 1);
    if (close == std::string_view::npos || text_[close] != '`') {
      return ErrorAt(start, "unterminated quoted name (missing '`')");
    }
    if (close == start + 1) return ErrorAt(start, "empty quoted name");
    pos_ = close + 1;
    return Make(TokenKind::kQuotedName, start,
                Value(std::string(text_.substr(start + 1, close - start - 1))));
  }
  for (const Punctuation& p : kPunctuation) {
    if (text_.substr(start).starts_with(p.spelling)) {
      pos_ = start + p.spelling.size();
      return Make(p.kind, start);
    }
  }
  std::string message = "unexpected character '" + DescribeByte(c) + "'";
  if (c == '=' || c == '&' || c == '|') {
    message += std::string(" (did you mean '") + c + c + "'?)";
  }
  return ErrorAt(start, std::move(message));
}

void Lexer::SkipSpaceAndComments() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++pos_;
    } else if (text_.substr(pos_).starts_with("//")) {
      const size_t newline = text_.find('\n', pos_);
      pos_ = newline == std::string_view::npos ? text_.size() : newline + 1;
    } else {
      return;
    }
  }
}

std::variant<Token, Error> Lexer::LexIdentifier(size_t start) {
  size_t end = start;
  while (end < text_.size() && IsIdentPart(text_[end])) ++end;
  const std::string_view word = text_.substr(start, end - start);

  // r'…' is a raw string, b'…' a bytes literal (CEL), possibly both.
  if (end < text_.size() && IsQuote(text_[end]) && word.size() <= 2) {
    bool raw = false, bytes = false, other = false;
    for (char p : word) {
      raw |= (p == 'r' || p == 'R');
      bytes |= (p == 'b' || p == 'B');
      other |= !(p == 'r' || p == 'R' || p == 'b' || p == 'B');
    }
    if (!other && (word.size() == 1 || (raw && bytes))) {
      return LexString(start, end, raw, bytes);
    }
  }

  pos_ = end;
  if (word == "true") return Make(TokenKind::kTrue, start, Value(true));
  if (word == "false") return Make(TokenKind::kFalse, start, Value(false));
  if (word == "null") return Make(TokenKind::kNull, start);
  if (word == "in") return Make(TokenKind::kIn, start);
  return Make(TokenKind::kIdent, start);
}

std::variant<Token, Error> Lexer::LexNumber(size_t start) {
  const auto at = [&](size_t i) { return i < text_.size() ? text_[i] : '\0'; };
  size_t end = start;
  if (at(start) == '0' && (at(start + 1) == 'x' || at(start + 1) == 'X') &&
      IsHexDigit(at(start + 2))) {
    end = start + 2;
    while (IsHexDigit(at(end))) ++end;
    return IntegerToken(start, start + 2, end, 16);
  }

  bool is_double = false;
  while (IsDigit(at(end))) ++end;
  if (at(end) == '.' && IsDigit(at(end + 1))) {
    is_double = true;
    ++end;
    while (IsDigit(at(end))) ++end;
  }
  if (at(end) == 'e' || at(end) == 'E') {
    size_t exponent = end + 1;
    if (at(exponent) == '+' || at(exponent) == '-') ++exponent;
    if (IsDigit(at(exponent))) {
      is_double = true;
      end = exponent;
      while (IsDigit(at(end))) ++end;
    }
  }
  const char* first = text_.data() + start;
  const char* last = text_.data() + end;
  if (is_double) {
    double value = 0;
    const auto [ptr, ec] = std::from_chars(first, last, value);
    // Too small to represent rounds to zero (`1e-324`); too large is an error.
    const bool underflow = ec == std::errc::result_out_of_range && ptr == last &&
                           std::strtod(std::string(first, last).c_str(), nullptr) == 0.0;
    if (underflow) value = 0.0;
    if ((ec != std::errc() && !underflow) || ptr != last) {
      return ErrorAt(start, "double literal out of range");
    }
    pos_ = end;
    return Make(TokenKind::kDouble, start, Value(value));
  }
  return IntegerToken(start, start, end, 10);
}

// The digits text_[digits, end) in `base`, followed by an optional 'u'/'U' suffix for a uint.
std::variant<Token, Error> Lexer::IntegerToken(size_t start, size_t digits, size_t end, int base) {
  const bool is_unsigned = end < text_.size() && (text_[end] == 'u' || text_[end] == 'U');
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text_.data() + digits, text_.data() + end, value, base);
  if (ec != std::errc() || ptr != text_.data() + end) {
    return ErrorAt(start, "integer literal out of range");
  }
  pos_ = is_unsigned ? end + 1 : end;
  if (is_unsigned) return Make(TokenKind::kUint, start, Value::Uint(value));
  constexpr uint64_t kMinIntMagnitude = uint64_t{1} << 63;
  if (value == kMinIntMagnitude) return Make(TokenKind::kInt, start, Value::Uint(value));
  if (value > kMinIntMagnitude) return ErrorAt(start, "integer literal out of range");
  return Make(TokenKind::kInt, start, Value(static_cast<int64_t>(value)));
}

Error Lexer::ErrorAt(size_t offset, std::string message) const {
  return Error{static_cast<int>(offset) + 1, std::move(message)};
}

Token Lexer::Make(TokenKind kind, size_t start, Value value) const {
  Token token;
  token.kind = kind;
  token.offset = start;
  token.lexeme = text_.substr(start, pos_ > start ? pos_ - start : 0);
  token.value = std::move(value);
  return token;
}

std::string DescribeToken(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of expression";
  constexpr size_t kMaxShown = 24;
  if (token.lexeme.size() <= kMaxShown) return "'" + std::string(token.lexeme) + "'";
  return "'" + std::string(token.lexeme.substr(0, kMaxShown)) + "...'";
}

std::string DescribeByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string(1, c);
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
  return buffer;
}

}  // namespace slipway::expr
