// CheckType: the types CEL deduces, the overload errors it reports, and how declared variables
// (including dotted ones) and dyn flow through.
#include <gtest/gtest.h>

#include <string>

#include "expr/expr.h"
#include "expr_test_util.h"

namespace slipway::expr {
namespace {

using testing::MustParse;
using Kind = Type::Kind;

Scope Declared() {
  Scope scope;
  scope.variables = {
      {"n", Type::Of(Kind::kInt)},
      {"names", Type::List(Type::Of(Kind::kString))},
      {"labels", Type::Map(Type::Of(Kind::kString), Type::Of(Kind::kString))},
      {"when", Type::Of(Kind::kTimestamp)},
      {"maybe", Type::Wrapper(Type::Of(Kind::kInt))},
      {"doc", Type::Map(Type::Of(Kind::kString), Type())},
      {"doc.flag", Type::Of(Kind::kBool)},
      {"doc.inner.count", Type::Of(Kind::kInt)},
  };
  scope.functions = {{"success", 0}};
  return scope;
}

// The deduced type's spelling, or "error at COLUMN: MESSAGE".
std::string TypeOf(std::string_view text, const Scope& scope = Declared()) {
  auto checked = CheckType(MustParse(text), scope);
  if (auto* error = std::get_if<Error>(&checked)) {
    return "error at " + std::to_string(error->column) + ": " + error->message;
  }
  return std::get<Type>(checked).ToString();
}

TEST(TypeCheckTest, LiteralsAndAggregates) {
  EXPECT_EQ(TypeOf("1"), "int");
  EXPECT_EQ(TypeOf("1u"), "uint");
  EXPECT_EQ(TypeOf("1.5"), "double");
  EXPECT_EQ(TypeOf("b'x'"), "bytes");
  EXPECT_EQ(TypeOf("null"), "null_type");
  EXPECT_EQ(TypeOf("[1, 2]"), "list(int)");
  EXPECT_EQ(TypeOf("[1, 'a']"), "list(dyn)");
  EXPECT_EQ(TypeOf("[]"), "list(dyn)");
  EXPECT_EQ(TypeOf("[[], [[1]]]"), "list(list(list(int)))");
  EXPECT_EQ(TypeOf("{'a': 1}"), "map(string, int)");
  EXPECT_EQ(TypeOf("{'a': 1}['a']"), "int");
  EXPECT_EQ(TypeOf("int"), "type(int)");
  EXPECT_EQ(TypeOf("type(names)"), "type(list(string))");
  EXPECT_EQ(TypeOf("google.protobuf.Duration"), "type(google.protobuf.Duration)");
}

TEST(TypeCheckTest, OperatorsResolveTheirOverloads) {
  EXPECT_EQ(TypeOf("n + 1"), "int");
  EXPECT_EQ(TypeOf("n < 2.5"), "bool");  // numbers compare across types
  EXPECT_EQ(TypeOf("'a' + 'b'"), "string");
  EXPECT_EQ(TypeOf("names + ['x']"), "list(string)");
  EXPECT_EQ(TypeOf("when - duration('1h')"), "google.protobuf.Timestamp");
  EXPECT_EQ(TypeOf("when - when"), "google.protobuf.Duration");
  EXPECT_EQ(TypeOf("'x' in names"), "bool");
  EXPECT_EQ(TypeOf("'k' in labels"), "bool");
  EXPECT_EQ(TypeOf("n == 1 ? 'a' : 'b'"), "string");
  EXPECT_EQ(TypeOf("n == 1 ? 'a' : 2"), "dyn");
}

TEST(TypeCheckTest, MismatchedOperandsAreErrorsAtTheOperator) {
  EXPECT_EQ(TypeOf("n + 'a'"),
            "error at 3: found no matching overload for '+' applied to (int, string)");
  EXPECT_EQ(TypeOf("n == 'a'"),
            "error at 3: found no matching overload for '==' applied to (int, string)");
  EXPECT_EQ(TypeOf("!n"), "error at 1: found no matching overload for '!' applied to (int)");
  EXPECT_EQ(TypeOf("n && true"),
            "error at 3: found no matching overload for '&&' applied to (int, bool)");
  EXPECT_EQ(TypeOf("names[0] * 2"),
            "error at 10: found no matching overload for '*' applied to (string, int)");
  EXPECT_EQ(TypeOf("names['a']"),
            "error at 6: found no matching overload for '[]' applied to (list(string), string)");
  EXPECT_EQ(
      TypeOf("1 in labels"),
      "error at 3: found no matching overload for 'in' applied to (int, map(string, string))");
  EXPECT_EQ(TypeOf("n ? 1 : 2"), "error at 3: the condition of '?:' must be bool, not int");
}

TEST(TypeCheckTest, FunctionsAndMethods) {
  EXPECT_EQ(TypeOf("size(names)"), "int");
  EXPECT_EQ(TypeOf("names.size()"), "int");
  EXPECT_EQ(TypeOf("'abc'.startsWith('a')"), "bool");
  EXPECT_EQ(TypeOf("'a,b'.split(',')"), "list(string)");
  EXPECT_EQ(TypeOf("when.getHours('Europe/Paris')"), "int");
  EXPECT_EQ(TypeOf("timestamp('2024-01-01T00:00:00Z')"), "google.protobuf.Timestamp");
  EXPECT_EQ(TypeOf("math.abs(-1.5)"), "double");
  EXPECT_EQ(TypeOf("math.greatest(1, 2)"), "dyn");  // variadic: no signature
  EXPECT_EQ(TypeOf("success()"), "dyn");            // the caller's functions
  EXPECT_EQ(TypeOf("dyn(n)"), "dyn");
  EXPECT_EQ(TypeOf("size(n)"),
            "error at 1: found no matching overload for 'size' applied to (int)");
  EXPECT_EQ(TypeOf("n.startsWith('a')"),
            "error at 3: found no matching overload for 'startsWith' applied to (int, string)");
  EXPECT_EQ(TypeOf("when.getHours(1)"),
            "error at 6: found no matching overload for 'getHours' applied to "
            "(google.protobuf.Timestamp, int)");
}

TEST(TypeCheckTest, DynMatchesEveryOverload) {
  EXPECT_EQ(TypeOf("x + 1"), "int");  // x is not declared: dyn
  EXPECT_EQ(TypeOf("x + y"), "dyn");
  EXPECT_EQ(TypeOf("x.y.z == 'a'"), "bool");
  EXPECT_EQ(TypeOf("size(x)"), "int");
  EXPECT_EQ(TypeOf("dyn(n) == 'a'"), "bool");
}

TEST(TypeCheckTest, DottedDeclarationsTypeTheirSelections) {
  EXPECT_EQ(TypeOf("doc.flag"), "bool");
  EXPECT_EQ(TypeOf("doc.inner.count + 1"), "int");
  EXPECT_EQ(TypeOf("doc.other"), "dyn");  // map(string, dyn)
  EXPECT_EQ(TypeOf("doc.flag + 1"),
            "error at 10: found no matching overload for '+' applied to (bool, int)");
  EXPECT_EQ(TypeOf("n.field"), "error at 3: cannot select field 'field' from a value of type int");
  EXPECT_EQ(TypeOf("labels.app"), "string");
  EXPECT_EQ(TypeOf("[doc].all(doc, doc.flag)"), "bool");  // the macro variable hides `doc.flag`
}

TEST(TypeCheckTest, WrappersTakeNullAndPassAsTheirValue) {
  EXPECT_EQ(TypeOf("maybe == null"), "bool");
  EXPECT_EQ(TypeOf("maybe > 0"), "bool");
  EXPECT_EQ(TypeOf("maybe + 1"), "int");
  EXPECT_EQ(TypeOf("n == null"),
            "error at 3: found no matching overload for '==' applied to (int, null_type)");
}

TEST(TypeCheckTest, Macros) {
  EXPECT_EQ(TypeOf("names.all(s, s.startsWith('a'))"), "bool");
  EXPECT_EQ(TypeOf("names.map(s, size(s))"), "list(int)");
  EXPECT_EQ(TypeOf("names.filter(s, s != '')"), "list(string)");
  EXPECT_EQ(TypeOf("labels.filter(k, k != '')"), "list(string)");
  EXPECT_EQ(TypeOf("names.transformMap(i, s, i)"), "map(int, int)");
  EXPECT_EQ(TypeOf("cel.bind(x, 1, x + 1)"), "int");
  EXPECT_EQ(TypeOf("has(doc.flag)"), "bool");
  EXPECT_EQ(TypeOf("names.exists(s, size(s))"),
            "error at 17: the predicate of exists() must be bool, not int");
  EXPECT_EQ(TypeOf("n.all(i, true)"),
            "error at 3: all() cannot range over a value of type int (only over lists and maps)");
  EXPECT_EQ(TypeOf("names.map(s, s + 1)"),
            "error at 16: found no matching overload for '+' applied to (string, int)");
}

TEST(TypeCheckTest, NameErrorsComeFirstAndCheckAgrees) {
  Scope scope = Declared();
  scope.check_reference = [](const std::vector<std::string>& path) -> std::optional<std::string> {
    if (path[0] == "nope") return "no variable 'nope'";
    return std::nullopt;
  };
  EXPECT_EQ(TypeOf("nope + 'a'", scope), "error at 1: no variable 'nope'");
  EXPECT_FALSE(Check(MustParse("n + 1"), scope).has_value());
  ASSERT_TRUE(Check(MustParse("n + 'a'"), scope).has_value());
}

}  // namespace
}  // namespace slipway::expr
