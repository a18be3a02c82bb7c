#include <gtest/gtest.h>

#include <string>

#include "expr/expr.h"

namespace slipway::expr {
namespace {

Template MustParseTemplate(std::string_view text) {
  auto parsed = Template::Parse(text);
  if (auto* error = std::get_if<Error>(&parsed)) {
    ADD_FAILURE() << text << ": column " << error->column << ": " << error->message;
    return Template();
  }
  return std::get<Template>(std::move(parsed));
}

Error TemplateError(std::string_view text) {
  auto parsed = Template::Parse(text);
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  ADD_FAILURE() << text << " parsed but should not have";
  return Error{-1, "<parsed>"};
}

Activation Context() {
  Activation activation;
  activation.variables["branch"] = "main";
  activation.variables["event"] = "push";
  activation.variables["x"] = "X";
  activation.variables["needs"] =
      Value::Map{{"build", Value::Map{{"outputs", Value::Map{{"version", "1.2.3"}}}}}};
  activation.variables["matrix"] = Value::Map{{"os", "linux"}, {"shard", 2}, {"ratio", 0.25}};
  activation.variables["list"] = Value::List{1, "two", nullptr};
  return activation;
}

std::string Render(std::string_view text) {
  auto rendered = MustParseTemplate(text).Render(Context());
  if (auto* error = std::get_if<Error>(&rendered)) {
    ADD_FAILURE() << text << ": column " << error->column << ": " << error->message;
    return "<error>";
  }
  return std::get<std::string>(rendered);
}

TEST(TemplateTest, PlainTextIsOneLiteralPart) {
  const Template plain = MustParseTemplate("make test -j2 {not} $HOME ${x} {{ y }}");
  ASSERT_EQ(plain.parts().size(), 1u);
  EXPECT_EQ(plain.parts()[0].literal, "make test -j2 {not} $HOME ${x} {{ y }}");
  EXPECT_FALSE(plain.parts()[0].expression);
  EXPECT_FALSE(plain.has_expressions());
  EXPECT_TRUE(MustParseTemplate("").parts().empty());
  EXPECT_EQ(Render(""), "");
}

TEST(TemplateTest, SplitsIntoPartsWithOffsets) {
  const Template parsed = MustParseTemplate("v${{ needs.build.outputs.version }}-${{branch}}");
  EXPECT_TRUE(parsed.has_expressions());
  const auto& parts = parsed.parts();
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].literal, "v");
  EXPECT_EQ(parts[0].offset, 0);
  ASSERT_TRUE(parts[1].expression);
  EXPECT_EQ(parts[1].expression->text(), " needs.build.outputs.version ");
  EXPECT_EQ(parts[1].offset, 4);
  EXPECT_EQ(parts[2].literal, "-");
  EXPECT_EQ(parts[2].offset, 35);
  ASSERT_TRUE(parts[3].expression);
  EXPECT_EQ(parts[3].expression->text(), "branch");
  EXPECT_EQ(parts[3].offset, 39);
}

TEST(TemplateTest, RendersEveryPart) {
  EXPECT_EQ(Render("v${{ needs.build.outputs.version }}-${{ branch }}"), "v1.2.3-main");
  EXPECT_EQ(Render("echo ${{ branch }}\necho ${{ event }}\n"), "echo main\necho push\n");
  EXPECT_EQ(Render("${{x}}${{x}}"), "XX");
  EXPECT_EQ(Render("shard ${{ matrix.shard }} of ${{ matrix['os'] }} at ${{ matrix.ratio }}"),
            "shard 2 of linux at 0.25");
  EXPECT_EQ(Render("${{ branch == 'main' }}/${{ list }}/${{ null }}|"), "true/[1,\"two\",null]/|");
}

TEST(TemplateTest, RendersOperatorsAndBuiltins) {
  EXPECT_EQ(Render("shard ${{ matrix.shard + 1 }}/${{ size(list) }}"), "shard 3/3");
  EXPECT_EQ(Render("${{ matrix.shard > 1 ? 'many' : 'one' }}-${{ matrix.ratio * 4.0 }}"), "many-1");
  EXPECT_EQ(Render("${{ 'v' + string(-matrix.shard) }}"), "v-2");
  auto rendered = MustParseTemplate("at ${{ matrix.shard / 0 }}").Render(Context());
  ASSERT_TRUE(std::holds_alternative<Error>(rendered));
  EXPECT_EQ(std::get<Error>(rendered).column, 21);  // the '/', within the whole template
  EXPECT_EQ(std::get<Error>(rendered).message, "division by zero");
}

TEST(TemplateTest, LiteralTextIsVerbatim) {
  EXPECT_EQ(Render("a $ { {{ }} } $${{ x }}\\n'\"\t"), "a $ { {{ }} } $X\\n'\"\t");
}

TEST(TemplateTest, ClosingBracesInsideStringLiteralDoNotEndTheExpression) {
  EXPECT_EQ(Render("${{ '}}' }}"), "}}");
  EXPECT_EQ(Render("<${{ \"a}}b\" == x || x == '}}' }}>"), "<false>");
  const Template parsed = MustParseTemplate("${{ '}}' }} after");
  ASSERT_EQ(parsed.parts().size(), 2u);
  EXPECT_EQ(parsed.parts()[1].literal, " after");
}

TEST(TemplateTest, MapLiteralBracesDoNotEndTheExpression) {
  EXPECT_EQ(Render("[${{ {'a': {'b': 'x'}}.a.b }}]"), "[x]");
  EXPECT_EQ(Render("${{ {'k': 1}}}"), "{\"k\":1}");
}

TEST(TemplateTest, UnterminatedExpressionIsAnError) {
  Error error = TemplateError("a ${{ x");
  EXPECT_EQ(error.column, 3);
  EXPECT_EQ(error.message, "unterminated '${{' (no matching '}}')");
  error = TemplateError("ok ${{ x }} then ${{ x } }");
  EXPECT_EQ(error.column, 18);
  EXPECT_EQ(error.message, "unterminated '${{' (no matching '}}')");
  // The lexer stops at the apostrophe, but the real mistake is the missing '}}'.
  error = TemplateError("${{ x } it's");
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.message, "unterminated '${{' (no matching '}}')");
}

TEST(TemplateTest, ErrorsInsideExpressionsPointIntoTheTemplate) {
  Error error = TemplateError("${{ 'abc }}");
  EXPECT_EQ(error.column, 5);
  EXPECT_EQ(error.message, "unterminated string literal");
  error = TemplateError("ab ${{ a == }}");
  EXPECT_EQ(error.column, 13);
  EXPECT_EQ(error.message, "unexpected end of expression");
  error = TemplateError("${{ a # }}");
  EXPECT_EQ(error.column, 7);
  EXPECT_EQ(error.message, "unexpected character '#'");
  error = TemplateError("${{}}");
  EXPECT_EQ(error.column, 4);
  EXPECT_EQ(error.message, "unexpected end of expression");
  error = TemplateError("${{ " + std::string(20000, 'a') + " }}");
  EXPECT_EQ(error.column, 4);
  EXPECT_EQ(error.message, "expression is too long (the limit is 16384 bytes)");
}

TEST(TemplateTest, RenderErrorsPointIntoTheTemplate) {
  auto rendered = MustParseTemplate("x=${{ needs.nope }}").Render(Context());
  ASSERT_TRUE(std::holds_alternative<Error>(rendered));
  EXPECT_EQ(std::get<Error>(rendered).column, 13);
  EXPECT_EQ(std::get<Error>(rendered).message, "no such key: 'nope'");
}

TEST(TemplateTest, OffsetPlusCheckColumnIsTheTemplateColumn) {
  const std::string text = "run ${{ matrix.arch }}";
  const Template parsed = MustParseTemplate(text);
  ASSERT_EQ(parsed.parts().size(), 2u);
  const Template::Part& part = parsed.parts()[1];
  Scope scope;
  scope.check_reference = [](const std::vector<std::string>&) -> std::optional<std::string> {
    return "nope";
  };
  const auto error = Check(*part.expression, scope);
  ASSERT_TRUE(error);
  EXPECT_EQ(part.offset + error->column, static_cast<int>(text.find("matrix")) + 1);
}

}  // namespace
}  // namespace slipway::expr
