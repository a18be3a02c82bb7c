// The functions every evaluation and check knows unless the caller defines the same name:
// size(x), int(x), double(x), string(x), with CEL's overloads.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <system_error>

#include "expr/operators.h"

namespace slipway::expr {
namespace {

using Result = std::variant<Value, Error>;
using Args = std::span<const Value>;

Error NoOverload(std::string_view function, std::string_view expected, const Value& got) {
  return Error{0, "no such overload: " + std::string(function) + "() expects " +
                      std::string(expected) + ", got " + std::string(got.type_name())};
}

// Strings count Unicode code points, as in CEL: every byte but UTF-8 continuation bytes.
Result Size(Args args) {
  const Value& x = args[0];
  if (x.is_string()) {
    int64_t code_points = 0;
    for (const char c : x.as_string())
      code_points += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    return Value(code_points);
  }
  if (x.is_list()) return Value(static_cast<int64_t>(x.as_list().size()));
  if (x.is_map()) return Value(static_cast<int64_t>(x.as_map().size()));
  return NoOverload("size", "a string, list or map", x);
}

// Doubles truncate toward zero; out of int range (or NaN) is an error. Strings are decimal.
Result Int(Args args) {
  const Value& x = args[0];
  if (x.is_int()) return x;
  if (x.is_double()) {
    constexpr double kTwoTo63 = 9223372036854775808.0;
    const double d = x.as_double();
    if (std::isnan(d) || d < -kTwoTo63 || d >= kTwoTo63) {
      return Error{0, "int() argument out of range: " + x.ToTemplateString()};
    }
    return Value(static_cast<int64_t>(std::trunc(d)));
  }
  if (x.is_string()) {
    const std::string& s = x.as_string();
    int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc() && ptr == s.data() + s.size()) return Value(value);
    return Error{0, "int() cannot convert '" + s + "' to an int"};
  }
  return NoOverload("int", "an int, double or string", x);
}

Result Double(Args args) {
  const Value& x = args[0];
  if (x.is_double()) return x;
  if (x.is_int()) return Value(static_cast<double>(x.as_int()));
  if (x.is_string()) {
    const std::string& s = x.as_string();
    double value = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc() && ptr == s.data() + s.size()) return Value(value);
    return Error{0, "double() cannot convert '" + s + "' to a double"};
  }
  return NoOverload("double", "an int, double or string", x);
}

// Numbers in their shortest round-trip form, as templates splice them.
Result String(Args args) {
  const Value& x = args[0];
  if (x.is_string() || x.is_int() || x.is_double() || x.is_bool()) {
    return Value(x.ToTemplateString());
  }
  return NoOverload("string", "a string, int, double or bool", x);
}

// Each built-in takes one argument; the checker knows that, the evaluator checks it here.
template <Result (*F)(Args)>
Result OneArgument(std::string_view name, Args args) {
  if (args.size() != 1) {
    return Error{0, "function '" + std::string(name) + "' expects 1 argument, got " +
                        std::to_string(args.size())};
  }
  return F(args);
}

const std::map<std::string, Activation::Function, std::less<>>& Builtins() {
  static const std::map<std::string, Activation::Function, std::less<>> kBuiltins = {
      {"size", [](Args args) { return OneArgument<Size>("size", args); }},
      {"int", [](Args args) { return OneArgument<Int>("int", args); }},
      {"double", [](Args args) { return OneArgument<Double>("double", args); }},
      {"string", [](Args args) { return OneArgument<String>("string", args); }},
  };
  return kBuiltins;
}

}  // namespace

const Activation::Function* FindBuiltin(std::string_view name) {
  const auto it = Builtins().find(name);
  return it == Builtins().end() ? nullptr : &it->second;
}

bool IsBuiltinFunction(std::string_view name) { return FindBuiltin(name) != nullptr; }

}  // namespace slipway::expr
