// Fuzzes parse + check + evaluate against a small activation holding a value of every type, so
// the operators, functions, macros and indexing meet all of them. The checker is held to its
// word: when an expression checks as type T and evaluates to a value, the value is a T. Any
// expression must evaluate to a value or an error, bounded in time and memory (libFuzzer's -timeout
// and -rss_limit_mb catch what the evaluator's limits miss).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "expr/expr.h"

using namespace slipway::expr;

namespace {

const Activation& FuzzActivation() {
  static const Activation activation = [] {
    Activation a;
    Value::Map map;
    map.emplace(Value("a"), Value(1));
    map.emplace(Value("b-c"), Value(Value::List{Value(1.5), Value("x")}));
    map.emplace(Value(2), Value(true));
    a.variables = {
        {Value("i"), Value(int64_t{-7})},
        {Value("u"), Value::Uint(42)},
        {Value("d"), Value(2.5)},
        {Value("s"), Value("héllo")},
        {Value("b"), Value(true)},
        {Value("n"), Value()},
        {Value("y"), Value::Bytes(std::string("\x00\xff", 2))},
        {Value("l"), Value(Value::List{Value(1), Value(2), Value(3)})},
        {Value("m"), Value(std::move(map))},
        {Value("dur"), Value(Duration{90, 500000000})},
        {Value("ts"), Value(Timestamp{1700000000, 0})},
        {Value("t"), Value::Type("int")},
    };
    a.functions.emplace("success", [](std::span<const Value>) -> std::variant<Value, Error> {
      return Value(true);
    });
    return a;
  }();
  return activation;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = Expression::Parse(text);
  if (std::holds_alternative<Error>(parsed)) return 0;
  const auto& expression = std::get<Expression>(parsed);

  // The activation's variables declared with their types, so the checker's typed paths run.
  static const Scope scope = [] {
    Scope s;
    s.check_reference = [](const std::vector<std::string>& path) -> std::optional<std::string> {
      if (path.empty() || path[0] != "undefined") return std::nullopt;
      return "not defined";
    };
    s.functions.emplace("success", 0);
    for (const auto& [name, value] : FuzzActivation().variables) {
      s.variables.emplace(name.as_string(), Type::OfValue(value));
    }
    s.variables.emplace("m.a", Type::Of(Type::Kind::kInt));
    return s;
  }();
  auto checked = CheckType(expression, scope);
  if (auto* error = std::get_if<Error>(&checked);
      error != nullptr && (error->column < 0 || static_cast<size_t>(error->column) > size + 1)) {
    std::abort();  // a check error's column lies within the text
  }

  auto result = Evaluate(expression, FuzzActivation());
  if (auto* value = std::get_if<Value>(&result)) {
    (void)value->ToTemplateString();
    (void)(*value == *value);
    // Soundness: a value of a checked expression has the kind the checker deduced.
    if (const Type* type = std::get_if<Type>(&checked)) {
      const Type::Kind kind = type->kind();
      if (kind != Type::Kind::kDyn && kind != Type::Kind::kWrapper &&
          Type::OfValue(*value).kind() != kind) {
        std::abort();
      }
    }
  } else if (std::get<Error>(result).column < 0) {
    std::abort();
  }
  (void)EvaluateCondition(expression, FuzzActivation());
  return 0;
}
