// size(), int(), double(), string(): available without being declared, overridable by callers.
#include <gtest/gtest.h>

#include <string>

#include "expr/expr.h"
#include "expr_test_util.h"

namespace slipway::expr {
namespace {

Activation Context() {
  Activation activation;
  activation.variables["list"] = Value::List{"a", 2, true};
  activation.variables["env"] = Value::Map{{"CI", "true"}, {"EMPTY", ""}};
  return activation;
}

Value Ok(std::string_view text, const Activation& activation = Context()) {
  auto result = testing::Eval(text, activation);
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << text << ": column " << error->column << ": " << error->message;
    return Value("<error>");
  }
  return std::get<Value>(result);
}

void ExpectError(std::string_view text, int column, std::string_view message) {
  auto result = testing::Eval(text, Context());
  ASSERT_TRUE(std::holds_alternative<Error>(result)) << text;
  EXPECT_EQ(std::get<Error>(result).column, column) << text;
  EXPECT_EQ(std::get<Error>(result).message, message) << text;
}

TEST(BuiltinsTest, Size) {
  EXPECT_EQ(Ok("size('abc')"), Value(3));
  EXPECT_EQ(Ok("size('')"), Value(0));
  EXPECT_EQ(Ok("size('\\u00e9\\U0001F600')"), Value(2));  // code points, not bytes
  EXPECT_EQ(Ok("size(list)"), Value(3));
  EXPECT_EQ(Ok("size(env)"), Value(2));
  EXPECT_EQ(Ok("size(env) > 0"), Value(true));
  ExpectError("size(1)", 1,
              "no such overload: size() expects a string, bytes, list or map, got int");
  ExpectError("1 + size()", 5, "function 'size' expects 1 argument, got 0");
  ExpectError("size(list, env)", 1, "function 'size' expects 1 argument, got 2");
}

TEST(BuiltinsTest, Int) {
  EXPECT_EQ(Ok("int(7)"), Value(7));
  EXPECT_EQ(Ok("int(2.9)"), Value(2));
  EXPECT_EQ(Ok("int(-2.9)"), Value(-2));
  EXPECT_TRUE(Ok("int(2.0)").is_int());
  EXPECT_EQ(Ok("int('42')"), Value(42));
  EXPECT_EQ(Ok("int('-9223372036854775808')"), Value(INT64_MIN));
  ExpectError("int('4.2')", 1, "int() cannot convert '4.2' to an int");
  ExpectError("int('')", 1, "int() cannot convert '' to an int");
  ExpectError("int(1e19)", 1, "int() argument out of range: 1e+19");
  ExpectError("int(0.0 / 0.0)", 1, "int() argument out of range: NaN");
  ExpectError(
      "int(true)", 1,
      "no such overload: int() expects an int, uint, double, string or timestamp, got bool");
}

TEST(BuiltinsTest, Double) {
  EXPECT_EQ(Ok("double(3)"), Value(3.0));
  EXPECT_TRUE(Ok("double(3)").is_double());
  EXPECT_EQ(Ok("double(2.5)"), Value(2.5));
  EXPECT_EQ(Ok("double('2.5e1')"), Value(25.0));
  EXPECT_EQ(Ok("double(3) / 2.0"), Value(1.5));
  ExpectError("double('x')", 1, "double() cannot convert 'x' to a double");
  ExpectError("double(null)", 1,
              "no such overload: double() expects a double, int, uint or string, got null_type");
}

TEST(BuiltinsTest, String) {
  EXPECT_EQ(Ok("string(3)"), Value("3"));
  EXPECT_EQ(Ok("string(-2.5)"), Value("-2.5"));
  EXPECT_EQ(Ok("string(true)"), Value("true"));
  EXPECT_EQ(Ok("string('s')"), Value("s"));
  EXPECT_EQ(Ok("'v' + string(1 + 1)"), Value("v2"));
  ExpectError(
      "string(list)", 1,
      "no such overload: string() expects a string, int, uint, double, bool, bytes, duration or "
      "timestamp, got list");
}

TEST(BuiltinsTest, CallerFunctionsOverrideBuiltins) {
  Activation activation = Context();
  activation.functions["size"] = [](std::span<const Value> args) -> std::variant<Value, Error> {
    return Value(static_cast<int64_t>(args.size()) * 100);
  };
  EXPECT_EQ(Ok("size('abc')", activation), Value(100));
  EXPECT_EQ(Ok("size(1, 2)", activation), Value(200));
  EXPECT_EQ(Ok("int('5')", activation), Value(5));  // the others are still there
}

TEST(BuiltinsTest, IsBuiltinFunction) {
  for (const char* name : {"size", "int", "double", "string"}) {
    EXPECT_TRUE(IsBuiltinFunction(name)) << name;
  }
  EXPECT_FALSE(IsBuiltinFunction("success"));
  EXPECT_FALSE(IsBuiltinFunction("has"));
  EXPECT_FALSE(IsBuiltinFunction(""));
}

}  // namespace
}  // namespace slipway::expr
