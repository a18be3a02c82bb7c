#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "expr/expr.h"
#include "expr_test_util.h"

namespace slipway::expr {
namespace {

using testing::Eval;
using testing::MustParse;

Activation Pipeline() {
  Activation activation;
  activation.variables["branch"] = "main";
  activation.variables["event"] = "push";
  activation.variables["count"] = 3;
  activation.variables["ratio"] = 3.0;
  activation.variables["flag"] = true;
  activation.variables["nothing"] = nullptr;
  activation.variables["env"] = Value::Map{{"CI", "true"}, {"EMPTY", ""}};
  activation.variables["needs"] = Value::Map{
      {"build", Value::Map{{"result", "success"},
                           {"outputs", Value::Map{{"version", "1.2.3"}, {"build-id", "42"}}}}}};
  activation.variables["list"] = Value::List{"a", 2, true};
  activation.functions["success"] = [](std::span<const Value>) -> std::variant<Value, Error> {
    return Value(true);
  };
  activation.functions["concat"] = [](std::span<const Value> args) -> std::variant<Value, Error> {
    std::string out;
    for (const Value& arg : args) out += arg.ToTemplateString();
    return Value(out);
  };
  activation.functions["fail"] = [](std::span<const Value>) -> std::variant<Value, Error> {
    return Error{0, "fail() was called"};
  };
  activation.functions["throws"] = [](std::span<const Value>) -> std::variant<Value, Error> {
    throw std::runtime_error("boom");
  };
  return activation;
}

Value Ok(std::string_view text) {
  auto result = Eval(text, Pipeline());
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << text << ": column " << error->column << ": " << error->message;
    return Value("<error>");
  }
  return std::get<Value>(result);
}

Error Err(std::string_view text) {
  auto result = Eval(text, Pipeline());
  if (auto* error = std::get_if<Error>(&result)) return *error;
  ADD_FAILURE() << text << " evaluated to " << std::get<Value>(result).ToTemplateString();
  return Error{-1, "<no error>"};
}

TEST(EvaluateTest, Variables) {
  EXPECT_EQ(Ok("branch"), Value("main"));
  EXPECT_EQ(Ok("nothing"), Value());
  const Error error = Err("branch == 'main' && nope");
  EXPECT_EQ(error.column, 21);
  EXPECT_EQ(error.message, "undeclared reference to 'nope'");
}

TEST(EvaluateTest, MemberAndIndexOnMaps) {
  EXPECT_EQ(Ok("needs.build.outputs.version"), Value("1.2.3"));
  EXPECT_EQ(Ok("needs['build'].outputs[\"build-id\"]"), Value("42"));
  EXPECT_EQ(Ok("env.CI == 'true'"), Value(true));
  EXPECT_EQ(Ok("needs[concat('bu', 'ild')].result"), Value("success"));

  Error error = Err("needs.test.result");
  EXPECT_EQ(error.column, 7);
  EXPECT_EQ(error.message, "no such key: 'test'");
  error = Err("env['MISSING']");
  EXPECT_EQ(error.column, 4);
  EXPECT_EQ(error.message, "no such key: 'MISSING'");
  error = Err("env[1]");
  EXPECT_EQ(error.message, "no such key: 1");
  error = Err("branch.name");
  EXPECT_EQ(error.column, 8);
  EXPECT_EQ(error.message, "cannot select field 'name' from a value of type string");
  error = Err("nothing.x");
  EXPECT_EQ(error.message, "cannot select field 'x' from a value of type null_type");
  error = Err("count[0]");
  EXPECT_EQ(error.column, 6);
  EXPECT_EQ(error.message, "cannot index a value of type int");
}

TEST(EvaluateTest, IndexOnLists) {
  EXPECT_EQ(Ok("list[0]"), Value("a"));
  EXPECT_EQ(Ok("list[2]"), Value(true));
  Error error = Err("list[3]");
  EXPECT_EQ(error.column, 5);
  EXPECT_EQ(error.message, "index out of range: 3 (list size 3)");
  error = Err("list['0']");
  EXPECT_EQ(error.message, "list index must be an int, got string");
  EXPECT_EQ(Ok("list[1.0]"), Value(2));  // a whole double indexes, as in CEL
  error = Err("list[1.5]");
  EXPECT_EQ(error.message, "list index must be a whole number, got 1.5");
  EXPECT_EQ(Err("list[nope]").message, "undeclared reference to 'nope'");
}

TEST(EvaluateTest, NegativeListIndexIsOutOfRange) {
  Activation activation = Pipeline();
  activation.variables["minus_one"] = -1;
  auto result = Eval("list[minus_one]", activation);
  ASSERT_TRUE(std::holds_alternative<Error>(result));
  EXPECT_EQ(std::get<Error>(result).message, "index out of range: -1 (list size 3)");
}

TEST(EvaluateTest, Not) {
  EXPECT_EQ(Ok("!true"), Value(false));
  EXPECT_EQ(Ok("!false"), Value(true));
  EXPECT_EQ(Ok("!!flag"), Value(true));
  const Error error = Err("!branch");
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.message, "no such overload: '!' expects a bool, got string");
  EXPECT_EQ(Err("!nope").message, "undeclared reference to 'nope'");
}

TEST(EvaluateTest, AndOr) {
  EXPECT_EQ(Ok("true && true"), Value(true));
  EXPECT_EQ(Ok("true && false"), Value(false));
  EXPECT_EQ(Ok("false && true"), Value(false));
  EXPECT_EQ(Ok("false && false"), Value(false));
  EXPECT_EQ(Ok("true || true"), Value(true));
  EXPECT_EQ(Ok("true || false"), Value(true));
  EXPECT_EQ(Ok("false || true"), Value(true));
  EXPECT_EQ(Ok("false || false"), Value(false));
}

TEST(EvaluateTest, AndOrAbsorbErrorsOnEitherSide) {
  EXPECT_EQ(Ok("false && nope"), Value(false));
  EXPECT_EQ(Ok("nope && false"), Value(false));
  EXPECT_EQ(Ok("true || nope"), Value(true));
  EXPECT_EQ(Ok("nope || true"), Value(true));
  EXPECT_EQ(Ok("false && 'not a bool'"), Value(false));
  EXPECT_EQ(Ok("1 || true"), Value(true));
  EXPECT_EQ(Ok("fail() && false"), Value(false));
  EXPECT_EQ(Ok("list[9] || needs.x.y || true"), Value(true));

  Error error = Err("true && nope");
  EXPECT_EQ(error.column, 9);
  EXPECT_EQ(error.message, "undeclared reference to 'nope'");
  error = Err("nope || false");
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.message, "undeclared reference to 'nope'");
  // Both sides fail: the left one is reported.
  error = Err("first || second");
  EXPECT_EQ(error.message, "undeclared reference to 'first'");
  error = Err("true && 'yes'");
  EXPECT_EQ(error.column, 6);
  EXPECT_EQ(error.message, "no such overload: '&&' expects bool operands, got string");
  error = Err("count || false");
  EXPECT_EQ(error.column, 7);
  EXPECT_EQ(error.message, "no such overload: '||' expects bool operands, got int");
}

TEST(EvaluateTest, EqualityWithinTypes) {
  EXPECT_EQ(Ok("branch == 'main'"), Value(true));
  EXPECT_EQ(Ok("branch != 'main'"), Value(false));
  EXPECT_EQ(Ok("'a' == 'b'"), Value(false));
  EXPECT_EQ(Ok("count == 3"), Value(true));
  EXPECT_EQ(Ok("count != 4"), Value(true));
  EXPECT_EQ(Ok("1.5 == 1.5"), Value(true));
  EXPECT_EQ(Ok("true == flag"), Value(true));
  EXPECT_EQ(Ok("null == nothing"), Value(true));
  EXPECT_EQ(Ok("env == env"), Value(true));
  EXPECT_EQ(Ok("needs.build.outputs == needs['build']['outputs']"), Value(true));
  EXPECT_EQ(Ok("env == needs"), Value(false));
  EXPECT_EQ(Ok("list == list"), Value(true));
}

TEST(EvaluateTest, HeterogeneousEqualityIsFalseExceptNumbers) {
  EXPECT_EQ(Ok("count == ratio"), Value(true));
  EXPECT_EQ(Ok("3 == 3.0"), Value(true));
  EXPECT_EQ(Ok("3.0 != 3"), Value(false));
  EXPECT_EQ(Ok("3 == 3.5"), Value(false));
  EXPECT_EQ(Ok("1 == '1'"), Value(false));
  EXPECT_EQ(Ok("1 != '1'"), Value(true));
  EXPECT_EQ(Ok("true == 1"), Value(false));
  EXPECT_EQ(Ok("null == false"), Value(false));
  EXPECT_EQ(Ok("null == ''"), Value(false));
  EXPECT_EQ(Ok("env.EMPTY == null"), Value(false));
  EXPECT_EQ(Ok("list == env"), Value(false));
  EXPECT_EQ(Ok("0x7FFFFFFFFFFFFFFF == 9223372036854775807.0"), Value(false));
}

TEST(EvaluateTest, EqualityPropagatesErrors) {
  EXPECT_EQ(Err("nope == 1").message, "undeclared reference to 'nope'");
  const Error error = Err("1 == env.NOPE");
  EXPECT_EQ(error.column, 10);
  EXPECT_EQ(error.message, "no such key: 'NOPE'");
}

TEST(EvaluateTest, CallsGoThroughActivationFunctions) {
  EXPECT_EQ(Ok("success()"), Value(true));
  EXPECT_EQ(Ok("concat(branch, '-', count)"), Value("main-3"));
  EXPECT_EQ(Ok("concat(list, env)"), Value("[\"a\",2,true]{\"CI\":\"true\",\"EMPTY\":\"\"}"));

  Error error = Err("success() && nosuch(1)");
  EXPECT_EQ(error.column, 14);
  EXPECT_EQ(error.message, "unknown function 'nosuch'");
  error = Err("concat('a', fail())");
  EXPECT_EQ(error.column, 13);
  EXPECT_EQ(error.message, "fail() was called");
  error = Err("concat(nope)");
  EXPECT_EQ(error.column, 8);
  EXPECT_EQ(error.message, "undeclared reference to 'nope'");
  error = Err("throws()");
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.message, "function 'throws' failed: boom");
}

TEST(EvaluateTest, FunctionErrorKeepsItsOwnColumn) {
  Activation activation;
  activation.functions["f"] = [](std::span<const Value>) -> std::variant<Value, Error> {
    return Error{2, "bad"};
  };
  auto result = Eval("   f()", activation);
  ASSERT_TRUE(std::holds_alternative<Error>(result));
  EXPECT_EQ(std::get<Error>(result).column, 2);
}

TEST(EvaluateConditionTest, NeedsABool) {
  const Activation activation = Pipeline();
  auto result = EvaluateCondition(MustParse("branch == 'main' && success()"), activation);
  ASSERT_TRUE(std::holds_alternative<bool>(result));
  EXPECT_TRUE(std::get<bool>(result));

  result = EvaluateCondition(MustParse("event != 'push'"), activation);
  ASSERT_TRUE(std::holds_alternative<bool>(result));
  EXPECT_FALSE(std::get<bool>(result));

  result = EvaluateCondition(MustParse("  branch"), activation);
  ASSERT_TRUE(std::holds_alternative<Error>(result));
  EXPECT_EQ(std::get<Error>(result).column, 3);
  EXPECT_EQ(std::get<Error>(result).message, "condition must evaluate to a bool, got string");

  result = EvaluateCondition(MustParse("nothing"), activation);
  ASSERT_TRUE(std::holds_alternative<Error>(result));
  EXPECT_EQ(std::get<Error>(result).message, "condition must evaluate to a bool, got null_type");

  result = EvaluateCondition(MustParse("needs.deploy.result == 'success'"), activation);
  ASSERT_TRUE(std::holds_alternative<Error>(result));
  EXPECT_EQ(std::get<Error>(result).message, "no such key: 'deploy'");
}

}  // namespace
}  // namespace slipway::expr
