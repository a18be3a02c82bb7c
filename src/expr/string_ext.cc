// CEL's strings extension (as cel-go's ext.Strings defines it): charAt, indexOf, lastIndexOf,
// lowerAscii, upperAscii, replace, split, substring, trim, reverse, join and strings.quote.
// Positions count code points, not bytes; a position outside the string is an error
// ("index out of range: 30"). format() lives in string_format.cc.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "expr/library.h"

namespace slipway::expr::library {
namespace {

// Byte offsets of each code point's start, then the string's size: offsets[i] is where code
// point i starts, offsets.size() - 1 the number of code points.
std::vector<size_t> CodePointOffsets(std::string_view s) {
  std::vector<size_t> offsets;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) offsets.push_back(i);
  }
  offsets.push_back(s.size());
  return offsets;
}

// The code-point index of byte offset `byte` (a code point start).
int64_t CodePointIndex(const std::vector<size_t>& offsets, size_t byte) {
  return std::lower_bound(offsets.begin(), offsets.end(), byte) - offsets.begin();
}

Error OutOfRange(int64_t index) { return Error{0, "index out of range: " + std::to_string(index)}; }

bool IsString(const Value& v) { return v.is_string(); }
bool IsInt(const Value& v) { return v.is_int(); }

// Whether args after the receiver have the given kinds ('s' string, 'i' int).
bool Shape(Args args, std::string_view kinds) {
  if (args.size() != kinds.size()) return false;
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i] == 's' ? !IsString(args[i]) : !IsInt(args[i])) return false;
  }
  return true;
}

Result CharAt(Args args) {
  if (!Shape(args, "si")) return NoSuchOverload("charAt", args, true);
  const std::string& s = args[0].as_string();
  const std::vector<size_t> offsets = CodePointOffsets(s);
  const int64_t i = args[1].as_int();
  const auto size = static_cast<int64_t>(offsets.size() - 1);
  if (i < 0 || i > size) return OutOfRange(i);
  if (i == size) return Value("");
  return Value(s.substr(offsets[i], offsets[i + 1] - offsets[i]));
}

Result IndexOf(Args args) {
  if (!Shape(args, "ss") && !Shape(args, "ssi")) return NoSuchOverload("indexOf", args, true);
  const std::string& s = args[0].as_string();
  const std::string& part = args[1].as_string();
  const std::vector<size_t> offsets = CodePointOffsets(s);
  const auto size = static_cast<int64_t>(offsets.size() - 1);
  const int64_t start = args.size() == 3 ? args[2].as_int() : 0;
  if (start < 0 || start > size) return OutOfRange(start);
  const size_t found = s.find(part, offsets[start]);
  if (found == std::string::npos) return Value(-1);
  return Value(CodePointIndex(offsets, found));
}

// The last occurrence starting at or before code point `start` (default: the end).
Result LastIndexOf(Args args) {
  if (!Shape(args, "ss") && !Shape(args, "ssi")) return NoSuchOverload("lastIndexOf", args, true);
  const std::string& s = args[0].as_string();
  const std::string& part = args[1].as_string();
  const std::vector<size_t> offsets = CodePointOffsets(s);
  const auto size = static_cast<int64_t>(offsets.size() - 1);
  const int64_t start = args.size() == 3 ? args[2].as_int() : size;
  if (start < 0 || start > size) return OutOfRange(start);
  const size_t found = s.rfind(part, offsets[start]);
  if (found == std::string::npos) return Value(-1);
  return Value(CodePointIndex(offsets, found));
}

template <char kFrom, char kTo, int kShift>
Result AsciiCase(std::string_view name, Args args) {
  if (!Shape(args, "s")) return NoSuchOverload(name, args, true);
  std::string s = args[0].as_string();
  for (char& c : s) {
    if (c >= kFrom && c <= kTo) c = static_cast<char>(c + kShift);
  }
  return Value(std::move(s));
}

// Go's strings.Replace: at most `limit` replacements (all when negative); an empty `from`
// matches before every code point and at the end.
Result Replace(Args args) {
  if (!Shape(args, "sss") && !Shape(args, "sssi")) return NoSuchOverload("replace", args, true);
  const std::string& s = args[0].as_string();
  const std::string& from = args[1].as_string();
  const std::string& to = args[2].as_string();
  int64_t limit = args.size() == 4 ? args[3].as_int() : -1;
  std::string out;
  size_t pos = 0;
  if (from.empty()) {
    const std::vector<size_t> offsets = CodePointOffsets(s);
    for (size_t i = 0; i < offsets.size(); ++i) {
      if (limit != 0) {
        out += to;
        --limit;
      }
      if (i + 1 < offsets.size()) out += s.substr(offsets[i], offsets[i + 1] - offsets[i]);
      if (out.size() > kMaxStringBytes) break;
    }
  } else {
    while (limit != 0) {
      const size_t found = s.find(from, pos);
      if (found == std::string::npos) break;
      out.append(s, pos, found - pos);
      out += to;
      pos = found + from.size();
      --limit;
      if (out.size() > kMaxStringBytes) break;
    }
    out.append(s, pos);
  }
  if (out.size() > kMaxStringBytes) {
    return Error{0, "replace() would build a string longer than " +
                        std::to_string(kMaxStringBytes) + " bytes"};
  }
  return Value(std::move(out));
}

// Go's strings.SplitN: at most `limit` parts (all when negative, none when 0), the last
// holding the rest; an empty separator splits between code points.
Result Split(Args args) {
  if (!Shape(args, "ss") && !Shape(args, "ssi")) return NoSuchOverload("split", args, true);
  const std::string& s = args[0].as_string();
  const std::string& separator = args[1].as_string();
  const int64_t limit = args.size() == 3 ? args[2].as_int() : -1;
  const auto too_many = [] {
    return Error{
        0, "split() would build a list longer than " + std::to_string(kMaxListSize) + " elements"};
  };
  Value::List parts;
  if (limit == 0) return Value(std::move(parts));
  size_t pos = 0;
  if (separator.empty()) {
    const std::vector<size_t> offsets = CodePointOffsets(s);
    for (size_t i = 0; i + 1 < offsets.size(); ++i) {
      if (limit > 0 && static_cast<int64_t>(parts.size()) == limit - 1) {
        parts.emplace_back(s.substr(offsets[i]));
        return Value(std::move(parts));
      }
      if (parts.size() == kMaxListSize) return too_many();
      parts.emplace_back(s.substr(offsets[i], offsets[i + 1] - offsets[i]));
    }
    return Value(std::move(parts));
  }
  while (limit < 0 || static_cast<int64_t>(parts.size()) < limit - 1) {
    const size_t found = s.find(separator, pos);
    if (found == std::string::npos) break;
    if (parts.size() == kMaxListSize - 1) return too_many();
    parts.emplace_back(s.substr(pos, found - pos));
    pos = found + separator.size();
  }
  parts.emplace_back(s.substr(pos));
  return Value(std::move(parts));
}

Result Substring(Args args) {
  if (!Shape(args, "si") && !Shape(args, "sii")) return NoSuchOverload("substring", args, true);
  const std::string& s = args[0].as_string();
  const std::vector<size_t> offsets = CodePointOffsets(s);
  const auto size = static_cast<int64_t>(offsets.size() - 1);
  const int64_t start = args[1].as_int();
  const int64_t end = args.size() == 3 ? args[2].as_int() : size;
  if (start < 0 || start > size) return OutOfRange(start);
  if (end < 0 || end > size) return OutOfRange(end);
  if (start > end) {
    return Error{0, "invalid substring range. start: " + std::to_string(start) +
                        ", end: " + std::to_string(end)};
  }
  return Value(s.substr(offsets[start], offsets[end] - offsets[start]));
}

// Unicode's White_Space property, as Go's unicode.IsSpace.
bool IsSpace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
         c == 0x3000;
}

// A string literal may hold invalid UTF-8, so a "code point" from CodePointOffsets can be a
// lead byte followed by any number of continuation bytes: past 4 bytes it is no valid UTF-8
// sequence (and the mask's shift would overflow), so it decodes to U+FFFD, which is no space.
uint32_t DecodeAt(std::string_view s, size_t begin, size_t end) {
  const auto first = static_cast<unsigned char>(s[begin]);
  if (end - begin == 1) return first;
  if (end - begin > 4) return 0xfffd;
  uint32_t c = first & (0x7f >> (end - begin));
  for (size_t i = begin + 1; i < end; ++i) c = (c << 6) | (static_cast<unsigned char>(s[i]) & 0x3f);
  return c;
}

Result Trim(Args args) {
  if (!Shape(args, "s")) return NoSuchOverload("trim", args, true);
  const std::string& s = args[0].as_string();
  const std::vector<size_t> offsets = CodePointOffsets(s);
  size_t first = 0;
  size_t last = offsets.size() - 1;  // exclusive, in code points
  while (first < last && IsSpace(DecodeAt(s, offsets[first], offsets[first + 1]))) ++first;
  while (last > first && IsSpace(DecodeAt(s, offsets[last - 1], offsets[last]))) --last;
  return Value(s.substr(offsets[first], offsets[last] - offsets[first]));
}

Result Reverse(Args args) {
  if (!Shape(args, "s")) return NoSuchOverload("reverse", args, true);
  const std::string& s = args[0].as_string();
  const std::vector<size_t> offsets = CodePointOffsets(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = offsets.size() - 1; i > 0; --i) {
    out.append(s, offsets[i - 1], offsets[i] - offsets[i - 1]);
  }
  return Value(std::move(out));
}

Result Join(Args args) {
  const bool ok = args[0].is_list() && (args.size() == 1 || args[1].is_string());
  if (!ok) return NoSuchOverload("join", args, true);
  const std::string separator = args.size() == 2 ? args[1].as_string() : "";
  std::string out;
  bool first = true;
  for (const Value& element : args[0].as_list()) {
    if (!element.is_string()) {
      return Error{0, "join() expects a list of strings, got an element of type " +
                          std::string(element.type_name())};
    }
    if (!first) out += separator;
    first = false;
    out += element.as_string();
    if (out.size() > kMaxStringBytes) {
      return Error{0, "join() would build a string longer than " + std::to_string(kMaxStringBytes) +
                          " bytes"};
    }
  }
  return Value(std::move(out));
}

// A double-quoted CEL string literal for `s`: quotes, backslashes and control characters
// escaped, other characters (UTF-8) kept.
Result Quote(Args args) {
  if (!args[0].is_string()) return NoSuchOverload("strings.quote", args);
  std::string out = "\"";
  for (const char c : args[0].as_string()) {
    switch (c) {
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  return Value(out + "\"");
}

}  // namespace

void AddStringExtensions(FunctionTable& table) {
  AddReceiver(table, "charAt", 1, 1, CharAt);
  AddReceiver(table, "indexOf", 1, 2, IndexOf);
  AddReceiver(table, "lastIndexOf", 1, 2, LastIndexOf);
  AddReceiver(table, "lowerAscii", 0, 0,
              [](Args args) { return AsciiCase<'A', 'Z', 'a' - 'A'>("lowerAscii", args); });
  AddReceiver(table, "upperAscii", 0, 0,
              [](Args args) { return AsciiCase<'a', 'z', 'A' - 'a'>("upperAscii", args); });
  AddReceiver(table, "replace", 2, 3, Replace);
  AddReceiver(table, "split", 1, 2, Split);
  AddReceiver(table, "substring", 1, 2, Substring);
  AddReceiver(table, "trim", 0, 0, Trim);
  AddReceiver(table, "reverse", 0, 0, Reverse);
  AddReceiver(table, "join", 0, 1, Join);
  AddGlobal(table, "strings.quote", 1, Quote);
}

}  // namespace slipway::expr::library
