// Relations, arithmetic, `in` and `?:`: CEL semantics, and errors that name the operator, the
// operand types and the operator's column.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "expr/expr.h"
#include "expr_test_util.h"

namespace slipway::expr {
namespace {

Activation Context() {
  Activation activation;
  activation.variables["count"] = 3;
  activation.variables["zero"] = 0;
  activation.variables["ratio"] = 0.5;
  activation.variables["name"] = "main";
  activation.variables["list"] = Value::List{"a", 2, true};
  activation.variables["env"] = Value::Map{{"CI", "true"}, {"EMPTY", ""}};
  return activation;
}

Value Ok(std::string_view text) {
  auto result = testing::Eval(text, Context());
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << text << ": column " << error->column << ": " << error->message;
    return Value("<error>");
  }
  return std::get<Value>(result);
}

Error Err(std::string_view text) {
  auto result = testing::Eval(text, Context());
  if (auto* error = std::get_if<Error>(&result)) return *error;
  ADD_FAILURE() << text << " evaluated to " << std::get<Value>(result).ToTemplateString();
  return Error{-1, "<no error>"};
}

void ExpectError(std::string_view text, int column, std::string_view message) {
  const Error error = Err(text);
  EXPECT_EQ(error.column, column) << text;
  EXPECT_EQ(error.message, message) << text;
}

TEST(RelationTest, Numbers) {
  EXPECT_EQ(Ok("1 < 2"), Value(true));
  EXPECT_EQ(Ok("2 < 2"), Value(false));
  EXPECT_EQ(Ok("2 <= 2"), Value(true));
  EXPECT_EQ(Ok("3 > count"), Value(false));
  EXPECT_EQ(Ok("3 >= count"), Value(true));
  EXPECT_EQ(Ok("-1 < -0.5"), Value(true));
  EXPECT_EQ(Ok("ratio < 0.05"), Value(false));
  EXPECT_EQ(Ok("1.5 >= 1.5"), Value(true));
}

TEST(RelationTest, IntAndDoubleCompareNumericallyAndExactly) {
  EXPECT_EQ(Ok("1 < 1.5"), Value(true));
  EXPECT_EQ(Ok("2.0 > 1"), Value(true));
  EXPECT_EQ(Ok("1 <= 1.0"), Value(true));
  EXPECT_EQ(Ok("1.0 >= 1"), Value(true));
  EXPECT_EQ(Ok("-2 < -1.5"), Value(true));
  EXPECT_EQ(Ok("-1 > -1.5"), Value(true));
  // Converting the int to a double would round and call these equal.
  EXPECT_EQ(Ok("9223372036854775807 < 9223372036854775808.0"), Value(true));
  EXPECT_EQ(Ok("9007199254740993 > 9007199254740992.0"), Value(true));
  EXPECT_EQ(Ok("9007199254740992.0 < 9007199254740993"), Value(true));
  EXPECT_EQ(Ok("1e300 > 9223372036854775807"), Value(true));
  EXPECT_EQ(Ok("-1e300 < -9223372036854775807"), Value(true));
}

TEST(RelationTest, NanIsUnordered) {
  for (const char* op : {"<", "<=", ">", ">="}) {
    EXPECT_EQ(Ok(std::string("0.0 / 0.0 ") + op + " 1.0"), Value(false)) << op;
    EXPECT_EQ(Ok(std::string("1 ") + op + " 0.0 / 0.0"), Value(false)) << op;
  }
}

TEST(RelationTest, StringsByCodePointAndBools) {
  EXPECT_EQ(Ok("'abc' < 'abd'"), Value(true));
  EXPECT_EQ(Ok("'ab' < 'abc'"), Value(true));
  EXPECT_EQ(Ok("'' < 'a'"), Value(true));
  EXPECT_EQ(Ok("'Z' < 'a'"), Value(true));
  EXPECT_EQ(Ok("'z' < '\\u00e9'"), Value(true));  // bytes >= 0x80 sort after ASCII
  EXPECT_EQ(Ok("'\\uffff' < '\\U0001F600'"), Value(true));
  EXPECT_EQ(Ok("name >= 'main'"), Value(true));
  EXPECT_EQ(Ok("false < true"), Value(true));
  EXPECT_EQ(Ok("true <= true"), Value(true));
  EXPECT_EQ(Ok("true > true"), Value(false));
}

TEST(RelationTest, OtherTypesAreErrors) {
  ExpectError("1 < 'a'", 3, "no such overload: '<' on int and string");
  ExpectError("name >= true", 6, "no such overload: '>=' on string and bool");
  ExpectError("null > 1", 6, "no such overload: '>' on null_type and int");
  ExpectError("list <= list", 6, "no such overload: '<=' on list and list");
  ExpectError("env < env", 5, "no such overload: '<' on map and map");
  ExpectError("true < 1", 6, "no such overload: '<' on bool and int");
  ExpectError("nope < 1", 1, "undeclared reference to 'nope'");
  ExpectError("1 < env.NOPE", 9, "no such key: 'NOPE'");
}

TEST(ArithmeticTest, Ints) {
  EXPECT_EQ(Ok("1 + 2"), Value(3));
  EXPECT_EQ(Ok("7 - 10"), Value(-3));
  EXPECT_EQ(Ok("6 * 7"), Value(42));
  EXPECT_EQ(Ok("7 / 2"), Value(3));
  EXPECT_EQ(Ok("-7 / 2"), Value(-3));  // truncates toward zero
  EXPECT_EQ(Ok("7 % 3"), Value(1));
  EXPECT_EQ(Ok("-7 % 3"), Value(-1));  // takes the dividend's sign
  EXPECT_EQ(Ok("count * count - 1"), Value(8));
  EXPECT_TRUE(Ok("1 + 2").is_int());
}

TEST(ArithmeticTest, Doubles) {
  EXPECT_EQ(Ok("1.5 + 1.0"), Value(2.5));
  EXPECT_EQ(Ok("0.5 - 1.5"), Value(-1.0));
  EXPECT_EQ(Ok("ratio * 100.0"), Value(50.0));
  EXPECT_EQ(Ok("7.0 / 2.0"), Value(3.5));
  EXPECT_TRUE(Ok("1.5 + 1.0").is_double());
  const Value inf = Ok("1.0 / 0.0");
  ASSERT_TRUE(inf.is_double());
  EXPECT_TRUE(std::isinf(inf.as_double()) && inf.as_double() > 0);
  EXPECT_EQ(Ok("-1.0 / 0.0 < -1e308"), Value(true));
  const Value nan = Ok("0.0 / 0.0");
  ASSERT_TRUE(nan.is_double());
  EXPECT_TRUE(std::isnan(nan.as_double()));
}

TEST(ArithmeticTest, PlusConcatenatesStringsAndLists) {
  EXPECT_EQ(Ok("'ab' + 'cd'"), Value("abcd"));
  EXPECT_EQ(Ok("name + '-' + 'x'"), Value("main-x"));
  EXPECT_EQ(Ok("list + list"), Value(Value::List{"a", 2, true, "a", 2, true}));
  EXPECT_EQ(Ok("size(list + list)"), Value(6));
  ExpectError("'a' - 'b'", 5, "no such overload: '-' on string and string");
  ExpectError("list * 2", 6, "no such overload: '*' on list and int");
  ExpectError("env + env", 5, "no such overload: '+' on map and map");
}

TEST(ArithmeticTest, MismatchedTypesNameOperatorAndTypes) {
  ExpectError("1 + 'a'", 3, "no such overload: '+' on int and string");
  ExpectError("true + true", 6, "no such overload: '+' on bool and bool");
  ExpectError("null * 1", 6, "no such overload: '*' on null_type and int");
  ExpectError("1.5 % 1.0", 5, "no such overload: '%' on double and double");
}

TEST(ArithmeticTest, IntAndDoubleDoNotMix) {
  const std::string hint =
      " (CEL does not mix int and double in arithmetic: write 2.0 rather than 2, or convert "
      "with double() or int())";
  ExpectError("ratio * 100", 7, "no such overload: '*' on double and int" + hint);
  ExpectError("1 + 2.5", 3, "no such overload: '+' on int and double" + hint);
  ExpectError("count / 2.0", 7, "no such overload: '/' on int and double" + hint);
  EXPECT_EQ(Ok("double(count) / 2.0"), Value(1.5));
}

TEST(ArithmeticTest, DivisionByZero) {
  ExpectError("1/0", 2, "division by zero");
  ExpectError("count % zero", 7, "modulus by zero");
  ExpectError("1 + 10 / (count - 3)", 8, "division by zero");
}

TEST(ArithmeticTest, IntegerOverflow) {
  EXPECT_EQ(Ok("9223372036854775807 + 0"), Value(INT64_MAX));
  EXPECT_EQ(Ok("-9223372036854775807 - 1"), Value(INT64_MIN));
  ExpectError("9223372036854775807 + 1", 21, "integer overflow");
  ExpectError("-9223372036854775807 - 2", 22, "integer overflow");
  ExpectError("4611686018427387904 * 2", 21, "integer overflow");
  ExpectError("(-9223372036854775807 - 1) / -1", 28, "integer overflow");
  ExpectError("(-9223372036854775807 - 1) % -1", 28, "integer overflow");
  ExpectError("-(-9223372036854775807 - 1)", 1, "integer overflow");
}

TEST(ArithmeticTest, UnaryMinus) {
  EXPECT_EQ(Ok("-count"), Value(-3));
  EXPECT_EQ(Ok("--count"), Value(3));
  EXPECT_EQ(Ok("-ratio"), Value(-0.5));
  EXPECT_EQ(Ok("-ratio < 1.0"), Value(true));
  EXPECT_EQ(Ok("2 - -1"), Value(3));
  ExpectError("-name", 1, "no such overload: '-' expects an int or double, got string");
  ExpectError(" - true", 2, "no such overload: '-' expects an int or double, got bool");
  ExpectError("!-1", 1, "no such overload: '!' expects a bool, got int");
}

TEST(ArithmeticTest, Precedence) {
  EXPECT_EQ(Ok("2 + 3 * 4"), Value(14));
  EXPECT_EQ(Ok("(2 + 3) * 4"), Value(20));
  EXPECT_EQ(Ok("10 - 4 - 3"), Value(3));
  EXPECT_EQ(Ok("100 / 10 / 5"), Value(2));
  EXPECT_EQ(Ok("2 * 3 % 4"), Value(2));
  EXPECT_EQ(Ok("-2 * 3 + 1 == -5"), Value(true));
  EXPECT_EQ(Ok("1 + 1 < 3 && 2 * 2 == 4"), Value(true));
}

TEST(InTest, ListsAndMapKeys) {
  EXPECT_EQ(Ok("'a' in list"), Value(true));
  EXPECT_EQ(Ok("2 in list"), Value(true));
  EXPECT_EQ(Ok("2.0 in list"), Value(true));  // CEL equality: numbers compare numerically
  EXPECT_EQ(Ok("'b' in list"), Value(false));
  EXPECT_EQ(Ok("list in list"), Value(false));
  EXPECT_EQ(Ok("'CI' in env"), Value(true));
  EXPECT_EQ(Ok("'NOPE' in env"), Value(false));
  EXPECT_EQ(Ok("1 in env"), Value(false));
  EXPECT_EQ(Ok("!('x' in env)"), Value(true));
  ExpectError("'a' in name", 5,
              "no such overload: 'in' on string and string (the right side must be a list or a "
              "map)");
  ExpectError("1 in 1", 3,
              "no such overload: 'in' on int and int (the right side must be a list or a map)");
  ExpectError("nope in list", 1, "undeclared reference to 'nope'");
}

TEST(ConditionalTest, EvaluatesOnlyTheChosenBranch) {
  EXPECT_EQ(Ok("true ? 1 : 2"), Value(1));
  EXPECT_EQ(Ok("false ? 1 : 2"), Value(2));
  EXPECT_EQ(Ok("count > 2 ? 'big' : 'small'"), Value("big"));
  EXPECT_EQ(Ok("false ? nope : 'ok'"), Value("ok"));
  EXPECT_EQ(Ok("true ? 'ok' : 1 / 0"), Value("ok"));
  EXPECT_EQ(Ok("zero != 0 ? 10 / zero : 0"), Value(0));
  EXPECT_EQ(Ok("count == 1 ? 'one' : count == 3 ? 'three' : 'other'"), Value("three"));
  EXPECT_EQ(Ok("(count > 1 ? 10 : 20) + 1"), Value(11));
  ExpectError("1 ? 2 : 3", 3, "no such overload: '?:' expects a bool condition, got int");
  ExpectError("nope ? 1 : 2", 1, "undeclared reference to 'nope'");
  ExpectError("true ? 1 / zero : 2", 10, "division by zero");
}

TEST(ConditionalTest, AnalysisStyleConditions) {
  Activation activation;
  activation.variables["result"] =
      Value::Map{{"status", 200}, {"latency_ms", 250}, {"rate", 0.996}};
  const auto condition = [&](std::string_view text) {
    auto result = EvaluateCondition(testing::MustParse(text), activation);
    EXPECT_TRUE(std::holds_alternative<bool>(result))
        << text << ": " << std::get<Error>(result).message;
    return std::holds_alternative<bool>(result) && std::get<bool>(result);
  };
  EXPECT_TRUE(condition("result.status == 200 && result.latency_ms <= 300"));
  EXPECT_TRUE(condition("result.rate * 100.0 >= 99.5"));
  EXPECT_TRUE(condition("result.rate * 100 >= 99 || true"));  // || absorbs the error
  EXPECT_TRUE(condition("size(result) > 0"));
  EXPECT_TRUE(condition("-result.rate < 1"));
  EXPECT_FALSE(condition("result.status >= 500 ? true : result.latency_ms > 300"));
  EXPECT_TRUE(condition("'rate' in result && !('errors' in result)"));
}

}  // namespace
}  // namespace slipway::expr
