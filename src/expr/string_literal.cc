// String literals as CEL spells them: '…' or "…", triple-quoted '''…''' / """…""" (which may
// span lines), raw r'…' (no escapes), and the escapes \a \b \f \n \r \t \v \\ \' \" \` \?
// \xHH \uHHHH \UHHHHHHHH and octal \ooo. In strings, \x and octal escapes name code points; in
// bytes literals (b'…') they are single bytes, and the text is taken as its UTF-8 bytes.
#include <cstdint>
#include <string>

#include "expr/lexer.h"

namespace slipway::expr {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

char SimpleEscape(char c) {
  switch (c) {
    case 'a':
      return '\a';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    case '\\':
    case '\'':
    case '"':
    case '`':
    case '?':
      return c;
    default:
      return '\0';
  }
}

// Decodes the escape whose backslash is at text[at]; appends it to `out` and returns the
// number of bytes it spans, or 0 with `error` set.
size_t DecodeEscape(std::string_view text, size_t at, bool bytes, std::string& out,
                    std::string& error) {
  const char kind = at + 1 < text.size() ? text[at + 1] : '\0';
  if (const char simple = SimpleEscape(kind); simple != '\0') {
    out += simple;
    return 2;
  }
  size_t digits = 0;
  int base = 16;
  switch (kind) {
    case 'x':
    case 'X':
      digits = 2;
      break;
    case 'u':
      digits = 4;
      break;
    case 'U':
      digits = 8;
      break;
    case '0':
    case '1':
    case '2':
    case '3':
      digits = 3, base = 8;
      break;
    default:
      error = "invalid escape sequence '\\" + DescribeByte(kind) + "'";
      return 0;
  }
  const size_t first = base == 8 ? at + 1 : at + 2;
  uint32_t cp = 0;
  for (size_t i = first; i < first + digits; ++i) {
    const int v = i < text.size() ? HexValue(text[i]) : -1;
    if (v < 0 || v >= base) {
      error = base == 8 ? "octal escape needs 3 octal digits"
                        : "\\" + std::string(1, kind) + " escape needs " + std::to_string(digits) +
                              " hex digits";
      return 0;
    }
    cp = cp * base + v;
  }
  if (bytes && (base == 8 || kind == 'x' || kind == 'X')) {
    out += static_cast<char>(cp);
    return first + digits - at;
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    error = "escape sequence names an invalid code point";
    return 0;
  }
  AppendUtf8(cp, out);
  return first + digits - at;
}

}  // namespace

std::variant<Token, Error> Lexer::LexString(size_t start, size_t quote, bool raw, bool bytes) {
  const char q = text_[quote];
  const std::string triple(3, q);
  const bool multiline = text_.substr(quote).starts_with(triple);
  std::string out;
  size_t i = quote + (multiline ? 3 : 1);
  while (true) {
    if (i >= text_.size()) return ErrorAt(start, "unterminated string literal");
    const char c = text_[i];
    if (multiline && text_.substr(i).starts_with(triple)) {
      i += 3;
      break;
    }
    if (!multiline && c == q) {
      ++i;
      break;
    }
    if (!multiline && (c == '\n' || c == '\r')) {
      return ErrorAt(start, "unterminated string literal");
    }
    if (c == '\\' && !raw) {
      std::string error;
      const size_t length = DecodeEscape(text_, i, bytes, out, error);
      if (length == 0) {
        if (i + 1 >= text_.size()) return ErrorAt(start, "unterminated string literal");
        return ErrorAt(i, std::move(error));
      }
      i += length;
      continue;
    }
    out += c;
    ++i;
  }
  pos_ = i;
  if (bytes) return Make(TokenKind::kBytes, start, Value::Bytes(std::move(out)));
  return Make(TokenKind::kString, start, Value(std::move(out)));
}

}  // namespace slipway::expr
