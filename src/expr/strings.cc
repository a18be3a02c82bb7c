// size() and the string functions of CEL's standard library: contains, startsWith, endsWith
// and matches. matches() uses RE2 syntax and RE2 itself, whose matching time is linear in the
// text, so a pattern from a pipeline cannot make an evaluation hang.
#include <re2/re2.h>

#include <cstdint>
#include <string>

#include "expr/library.h"

namespace slipway::expr::library {
namespace {

// Compiled programs larger than this are refused ("pattern too large"): patterns come from
// pipeline files and must not exhaust memory.
constexpr int64_t kMaxRegexMemory = int64_t{8} << 20;

int64_t CodePoints(std::string_view s) {
  int64_t count = 0;
  for (const char c : s) count += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return count;
}

// Strings count Unicode code points, bytes count bytes.
Result Size(Args args) {
  const Value& x = args[0];
  if (x.is_string()) return Value(CodePoints(x.as_string()));
  if (x.is_bytes()) return Value(static_cast<int64_t>(x.as_bytes().size()));
  if (x.is_list()) return Value(static_cast<int64_t>(x.as_list().size()));
  if (x.is_map()) return Value(static_cast<int64_t>(x.as_map().size()));
  return Expects("size", "a string, bytes, list or map", x);
}

template <bool (*Test)(std::string_view, std::string_view)>
Result StringPredicate(std::string_view name, Args args) {
  if (!args[0].is_string() || !args[1].is_string()) return NoSuchOverload(name, args, true);
  return Value(Test(args[0].as_string(), args[1].as_string()));
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}
bool StartsWith(std::string_view s, std::string_view part) { return s.starts_with(part); }
bool EndsWith(std::string_view s, std::string_view part) { return s.ends_with(part); }

// True when the pattern matches any substring (RE2::PartialMatch), as CEL specifies.
Result Matches(Args args) {
  if (!args[0].is_string() || !args[1].is_string()) return NoSuchOverload("matches", args);
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kMaxRegexMemory);
  const RE2 pattern(args[1].as_string(), options);
  if (!pattern.ok()) {
    return Error{0, "matches() got an invalid regular expression '" + args[1].as_string() +
                        "': " + pattern.error()};
  }
  return Value(RE2::PartialMatch(args[0].as_string(), pattern));
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code_point = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xe0) == 0xc0) {
      length = 2;
      code_point = byte & 0x1f;
    } else if ((byte & 0xf0) == 0xe0) {
      length = 3;
      code_point = byte & 0x0f;
    } else if ((byte & 0xf8) == 0xf0) {
      length = 4;
      code_point = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallest[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;
    }
    i += length;
  }
  return true;
}

void AddStringFunctions(FunctionTable& table) {
  AddGlobal(table, "size", 1, Size);
  AddReceiver(table, "size", 0, 0, Size);
  AddReceiver(table, "contains", 1, 1,
              [](Args args) { return StringPredicate<Contains>("contains", args); });
  AddReceiver(table, "startsWith", 1, 1,
              [](Args args) { return StringPredicate<StartsWith>("startsWith", args); });
  AddReceiver(table, "endsWith", 1, 1,
              [](Args args) { return StringPredicate<EndsWith>("endsWith", args); });
  AddGlobal(table, "matches", 2, Matches);
  AddReceiver(table, "matches", 1, 1, Matches);
}

}  // namespace slipway::expr::library
