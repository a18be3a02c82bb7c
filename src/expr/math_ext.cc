// CEL's math extension (as cel-go's ext.Math defines it): math.greatest and math.least over
// mixed numbers, math.ceil/floor/round/trunc on doubles, math.abs and math.sign, the double
// classifiers isNaN/isInf/isFinite, and bit operations on int and uint (shifts are logical and
// a shift of 64 or more yields 0).
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "expr/ast.h"
#include "expr/library.h"
#include "expr/operators.h"

namespace slipway::expr::library {
namespace {

bool IsNumber(const Value& v) { return v.is_int() || v.is_uint() || v.is_double(); }

// math.greatest(a, b, …) or math.greatest([a, b, …]): the extreme number, of its own type.
template <bool kGreatest>
Result Extreme(std::string_view name, Args args) {
  Args values = args;
  if (args.size() == 1 && args[0].is_list()) values = Args(args[0].as_list());
  if (values.empty()) {
    return Error{0, std::string(name) + "() expects at least one number, got none"};
  }
  const Value* best = nullptr;
  for (const Value& value : values) {
    if (!IsNumber(value)) {
      return Error{0, "no such overload: " + std::string(name) + "() expects numbers, got " +
                          std::string(value.type_name())};
    }
    if (best == nullptr) {
      best = &value;
      continue;
    }
    const auto better =
        Relation(kGreatest ? Node::Kind::kGreater : Node::Kind::kLess, value, *best, 0);
    if (std::get<Value>(better).as_bool()) best = &value;
  }
  return *best;
}

template <double (*F)(double)>
Result OnDouble(std::string_view name, Args args) {
  if (!args[0].is_double()) return NoSuchOverload(name, args);
  return Value(F(args[0].as_double()));
}

Result Abs(Args args) {
  const Value& x = args[0];
  if (x.is_uint()) return x;
  if (x.is_double()) return Value(std::fabs(x.as_double()));
  if (x.is_int()) {
    if (x.as_int() == std::numeric_limits<int64_t>::min()) {
      return Error{0, "math.abs() overflow: " + std::to_string(x.as_int())};
    }
    return Value(x.as_int() < 0 ? -x.as_int() : x.as_int());
  }
  return NoSuchOverload("math.abs", args);
}

Result Sign(Args args) {
  const Value& x = args[0];
  if (x.is_uint()) return Value::Uint(x.as_uint() > 0 ? 1 : 0);
  if (x.is_int()) return Value(int64_t{(x.as_int() > 0) - (x.as_int() < 0)});
  if (x.is_double()) {
    const double d = x.as_double();
    if (std::isnan(d)) return x;
    return Value(d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0);
  }
  return NoSuchOverload("math.sign", args);
}

template <bool (*F)(double)>
Result Classify(std::string_view name, Args args) {
  if (!args[0].is_double()) return NoSuchOverload(name, args);
  return Value(F(args[0].as_double()));
}

// Wrappers: the standard library's functions are not addressable.
double Ceil(double d) { return std::ceil(d); }
double Floor(double d) { return std::floor(d); }
double Round(double d) { return std::round(d); }  // half away from zero
double Trunc(double d) { return std::trunc(d); }

bool IsNan(double d) { return std::isnan(d); }
bool IsInf(double d) { return std::isinf(d); }
bool IsFinite(double d) { return std::isfinite(d); }

enum class BitOp { kAnd, kOr, kXor };

template <BitOp kOp>
Result Bits(std::string_view name, Args args) {
  const auto apply = [](uint64_t a, uint64_t b) {
    return kOp == BitOp::kAnd ? a & b : kOp == BitOp::kOr ? a | b : a ^ b;
  };
  if (args[0].is_int() && args[1].is_int()) {
    return Value(static_cast<int64_t>(
        apply(static_cast<uint64_t>(args[0].as_int()), static_cast<uint64_t>(args[1].as_int()))));
  }
  if (args[0].is_uint() && args[1].is_uint()) {
    return Value::Uint(apply(args[0].as_uint(), args[1].as_uint()));
  }
  return NoSuchOverload(name, args);
}

Result BitNot(Args args) {
  if (args[0].is_int()) return Value(~args[0].as_int());
  if (args[0].is_uint()) return Value::Uint(~args[0].as_uint());
  return NoSuchOverload("math.bitNot", args);
}

template <bool kLeft>
Result Shift(std::string_view name, Args args) {
  if ((!args[0].is_int() && !args[0].is_uint()) || !args[1].is_int()) {
    return NoSuchOverload(name, args);
  }
  const int64_t by = args[1].as_int();
  if (by < 0)
    return Error{0, std::string(name) + "() got a negative offset: " + std::to_string(by)};
  const uint64_t bits =
      args[0].is_int() ? static_cast<uint64_t>(args[0].as_int()) : args[0].as_uint();
  const uint64_t shifted = by >= 64 ? 0 : kLeft ? bits << by : bits >> by;
  if (args[0].is_int()) return Value(static_cast<int64_t>(shifted));
  return Value::Uint(shifted);
}

void AddVariadic(FunctionTable& table, const std::string& name, Result (*function)(Args)) {
  table.global[name] = [name, function](Args args) -> Result {
    if (args.empty()) return Error{0, "function '" + name + "' expects at least 1 argument, got 0"};
    return function(args);
  };
}

}  // namespace

void AddMathExtensions(FunctionTable& table) {
  AddVariadic(table, "math.greatest",
              [](Args args) { return Extreme<true>("math.greatest", args); });
  AddVariadic(table, "math.least", [](Args args) { return Extreme<false>("math.least", args); });
  AddGlobal(table, "math.ceil", 1, [](Args args) { return OnDouble<Ceil>("math.ceil", args); });
  AddGlobal(table, "math.floor", 1, [](Args args) { return OnDouble<Floor>("math.floor", args); });
  AddGlobal(table, "math.round", 1, [](Args args) { return OnDouble<Round>("math.round", args); });
  AddGlobal(table, "math.trunc", 1, [](Args args) { return OnDouble<Trunc>("math.trunc", args); });
  AddGlobal(table, "math.abs", 1, Abs);
  AddGlobal(table, "math.sign", 1, Sign);
  AddGlobal(table, "math.isNaN", 1, [](Args args) { return Classify<IsNan>("math.isNaN", args); });
  AddGlobal(table, "math.isInf", 1, [](Args args) { return Classify<IsInf>("math.isInf", args); });
  AddGlobal(table, "math.isFinite", 1,
            [](Args args) { return Classify<IsFinite>("math.isFinite", args); });
  AddGlobal(table, "math.bitAnd", 2,
            [](Args args) { return Bits<BitOp::kAnd>("math.bitAnd", args); });
  AddGlobal(table, "math.bitOr", 2, [](Args args) { return Bits<BitOp::kOr>("math.bitOr", args); });
  AddGlobal(table, "math.bitXor", 2,
            [](Args args) { return Bits<BitOp::kXor>("math.bitXor", args); });
  AddGlobal(table, "math.bitNot", 1, BitNot);
  AddGlobal(table, "math.bitShiftLeft", 2,
            [](Args args) { return Shift<true>("math.bitShiftLeft", args); });
  AddGlobal(table, "math.bitShiftRight", 2,
            [](Args args) { return Shift<false>("math.bitShiftRight", args); });
}

}  // namespace slipway::expr::library
