// Garbage in: the parser, checker, evaluator and templates must never crash or hang, and every
// error they return must point inside the text (or just past its end).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "expr/expr.h"

namespace slipway::expr {
namespace {

Activation SomeContext() {
  Activation activation;
  activation.variables["a"] = Value::Map{{"b", Value::List{1, "x", true}}, {"c", "d"}};
  activation.variables["x"] = true;
  activation.functions["f"] = [](std::span<const Value> args) -> std::variant<Value, Error> {
    return args.empty() ? Value() : args[0];
  };
  return activation;
}

Scope SomeScope() {
  Scope scope;
  scope.check_reference = [](const std::vector<std::string>& path) -> std::optional<std::string> {
    if (path.empty() || path[0].empty()) return "empty path";
    if (path[0] == "a" || path[0] == "x") return std::nullopt;
    return "unknown";
  };
  scope.functions = {{"f", -1}};
  return scope;
}

// Runs everything on `text`; returns whether it parsed as an expression.
bool Exercise(const std::string& text) {
  const int limit = static_cast<int>(text.size()) + 1;
  auto parsed = Expression::Parse(text);
  bool ok = false;
  if (auto* error = std::get_if<Error>(&parsed)) {
    EXPECT_GE(error->column, 1) << text;
    EXPECT_LE(error->column, limit) << text;
    EXPECT_FALSE(error->message.empty()) << text;
  } else {
    ok = true;
    const Expression& expression = std::get<Expression>(parsed);
    if (auto error = Check(expression, SomeScope())) {
      EXPECT_GE(error->column, 1) << text;
      EXPECT_LE(error->column, limit) << text;
    }
    for (const auto& reference : expression.References()) {
      EXPECT_FALSE(reference.path.empty()) << text;
      EXPECT_GE(reference.column, 1) << text;
    }
    auto result = Evaluate(expression, SomeContext());
    if (auto* error = std::get_if<Error>(&result)) {
      EXPECT_GE(error->column, 1) << text;
      EXPECT_LE(error->column, limit) << text;
    }
  }
  auto tmpl = Template::Parse(text);
  if (auto* error = std::get_if<Error>(&tmpl)) {
    EXPECT_GE(error->column, 1) << text;
    EXPECT_LE(error->column, limit) << text;
  } else {
    auto rendered = std::get<Template>(tmpl).Render(SomeContext());
    if (auto* error = std::get_if<Error>(&rendered)) {
      EXPECT_GE(error->column, 1) << text;
      EXPECT_LE(error->column, limit) << text;
    }
  }
  return ok;
}

TEST(RobustnessTest, RandomBytes) {
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<int> length(0, 48);
  std::uniform_int_distribution<int> byte(0, 255);
  const std::string favourites = "'\"\\(){}[].,!=&|$ ab019xuUr_\n<>+-*/%?:";
  std::uniform_int_distribution<size_t> favourite(0, favourites.size() - 1);
  for (int i = 0; i < 10000; ++i) {
    std::string text;
    const int n = length(rng);
    for (int j = 0; j < n; ++j) {
      text += byte(rng) < 160 ? favourites[favourite(rng)] : static_cast<char>(byte(rng));
    }
    Exercise(text);
  }
}

TEST(RobustnessTest, RandomTokenSoup) {
  const std::vector<std::string> tokens = {"a",
                                           "x",
                                           "f",
                                           ".",
                                           ".b",
                                           "['c']",
                                           "[",
                                           "]",
                                           "(",
                                           ")",
                                           "'s'",
                                           "\"}}\"",
                                           "==",
                                           "!=",
                                           "&&",
                                           "||",
                                           "!",
                                           ",",
                                           "1",
                                           "0",
                                           "2.5",
                                           "null",
                                           "true",
                                           "${{",
                                           "}}",
                                           " ",
                                           "{",
                                           "}",
                                           "<",
                                           "<=",
                                           ">=",
                                           "+",
                                           "-",
                                           "*",
                                           "/",
                                           "%",
                                           "?",
                                           ":",
                                           " in ",
                                           "size",
                                           "9223372036854775807"};
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> pick(0, tokens.size() - 1);
  std::uniform_int_distribution<int> length(1, 30);
  int parsed = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string text;
    const int n = length(rng);
    for (int j = 0; j < n; ++j) text += tokens[pick(rng)];
    parsed += Exercise(text) ? 1 : 0;
  }
  // The soup must reach past the first token now and then, or this test proves little.
  EXPECT_GT(parsed, 100);
}

TEST(RobustnessTest, EveryPrefixOfAValidExpression) {
  const std::string text =
      "!(a.b[0] == 1.5 && f(a['c'], \"q\\u00e9\") != null) || x == '''t}}''' || r'\\d' == a.c "
      "|| (size(a.b) - 1 < 2 * -a.b[1] % 3 ? 'c' in a : 1 / 0 >= 2.5 + 1.0)";
  ASSERT_TRUE(Exercise(text));
  for (size_t n = 0; n < text.size(); ++n) Exercise(text.substr(0, n));
}

TEST(RobustnessTest, PathologicalNesting) {
  const auto error_of = [](const std::string& text) {
    auto parsed = Expression::Parse(text);
    EXPECT_TRUE(std::holds_alternative<Error>(parsed));
    return std::holds_alternative<Error>(parsed) ? std::get<Error>(parsed) : Error{};
  };
  EXPECT_EQ(error_of(std::string(100000, '(')).message,
            "expression is too long (100000 bytes; the limit is 16384)");
  const std::string too_deep = "expression nested too deeply (limit is 64 levels)";
  EXPECT_EQ(error_of(std::string(16384, '(')).message, too_deep);
  EXPECT_EQ(error_of(std::string(16384, '!')).message, too_deep);
  std::string selects = "a";
  while (selects.size() < 16000) selects += ".a";
  EXPECT_EQ(error_of(selects).message, too_deep);
  std::string indexes;
  while (indexes.size() < 16000) indexes += "a[";
  EXPECT_EQ(error_of(indexes).message, too_deep);
  std::string calls;
  while (calls.size() < 16000) calls += "f(";
  EXPECT_EQ(error_of(calls).message, too_deep);
  std::string equals = "a";
  while (equals.size() < 16000) equals += "==a";
  EXPECT_EQ(error_of(equals).message, too_deep);
  std::string sums = "a";
  while (sums.size() < 16000) sums += "+a";
  EXPECT_EQ(error_of(sums).message, too_deep);
  EXPECT_EQ(error_of(std::string(16000, '-') + "1").message, too_deep);
  std::string conditionals;
  while (conditionals.size() < 16000) conditionals += "a?a:";
  EXPECT_EQ(error_of(conditionals + "a").message, too_deep);

  // Templates hand the same texts to the parser.
  auto tmpl = Template::Parse("${{ " + std::string(10000, '(') + " }}");
  ASSERT_TRUE(std::holds_alternative<Error>(tmpl));
  EXPECT_EQ(std::get<Error>(tmpl).message, too_deep);
  std::string many_opens;
  for (int i = 0; i < 50000; ++i) many_opens += "${{";
  tmpl = Template::Parse(many_opens);
  ASSERT_TRUE(std::holds_alternative<Error>(tmpl));
}

TEST(RobustnessTest, ManyTemplatePartsRenderInOrder) {
  std::string text;
  std::string expected;
  for (int i = 0; i < 20000; ++i) {
    text += "<${{ a.c }}>";
    expected += "<d>";
  }
  auto tmpl = Template::Parse(text);
  ASSERT_TRUE(std::holds_alternative<Template>(tmpl));
  auto rendered = std::get<Template>(tmpl).Render(SomeContext());
  ASSERT_TRUE(std::holds_alternative<std::string>(rendered));
  EXPECT_EQ(std::get<std::string>(rendered), expected);
}

}  // namespace
}  // namespace slipway::expr
