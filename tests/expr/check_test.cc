#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "expr/expr.h"
#include "expr_test_util.h"

namespace slipway::expr {
namespace {

using testing::MustParse;
using Path = std::vector<std::string>;

std::vector<Path> Paths(std::string_view text) {
  std::vector<Path> paths;
  for (const auto& reference : MustParse(text).References()) paths.push_back(reference.path);
  return paths;
}

std::vector<int> ReferenceColumns(std::string_view text) {
  std::vector<int> columns;
  for (const auto& reference : MustParse(text).References()) columns.push_back(reference.column);
  return columns;
}

TEST(ReferencesTest, MemberAndStringIndexChainsAreOnePath) {
  EXPECT_EQ(Paths("needs.build.outputs.version"),
            (std::vector<Path>{{"needs", "build", "outputs", "version"}}));
  EXPECT_EQ(Paths("matrix['os'] == 'linux'"), (std::vector<Path>{{"matrix", "os"}}));
  EXPECT_EQ(Paths("needs[\"build-linux\"].outputs['v']"),
            (std::vector<Path>{{"needs", "build-linux", "outputs", "v"}}));
  EXPECT_EQ(Paths("branch"), (std::vector<Path>{{"branch"}}));
}

TEST(ReferencesTest, ChainsStopAtNonLiteralIndexes) {
  EXPECT_EQ(Paths("a.b[0].c"), (std::vector<Path>{{"a", "b"}}));
  EXPECT_EQ(Paths("a[x].y"), (std::vector<Path>{{"a"}, {"x"}}));
  EXPECT_EQ(Paths("a[b.c]['d']"), (std::vector<Path>{{"a"}, {"b", "c"}}));
  EXPECT_EQ(Paths("f(x).y"), (std::vector<Path>{{"x"}}));
  EXPECT_TRUE(Paths("'lit' == 1").empty());
}

TEST(ReferencesTest, SourceOrderAndColumns) {
  const std::string text = "matrix['os'] == 'linux' && !f(inputs.name, env.CI) || branch == x";
  EXPECT_EQ(
      Paths(text),
      (std::vector<Path>{{"matrix", "os"}, {"inputs", "name"}, {"env", "CI"}, {"branch"}, {"x"}}));
  EXPECT_EQ(ReferenceColumns(text), (std::vector<int>{1, 31, 44, 55, 65}));
}

TEST(ReferencesTest, InsideEveryOperator) {
  EXPECT_EQ(Paths("a < b.c ? -d[0] * e['f'] : g in h.i"),
            (std::vector<Path>{{"a"}, {"b", "c"}, {"d"}, {"e", "f"}, {"g"}, {"h", "i"}}));
  EXPECT_EQ(ReferenceColumns("x + y % z >= w"), (std::vector<int>{1, 5, 9, 14}));
  EXPECT_EQ(Paths("size(a.b) > 0 && int(c) - 1 != double(d)"),
            (std::vector<Path>{{"a", "b"}, {"c"}, {"d"}}));
}

TEST(CallsTest, InsideEveryOperator) {
  const auto calls = MustParse("size(x) > 0 ? -f(y) : g(z) in h()").Calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].name, "size");
  EXPECT_EQ(calls[1].name, "f");
  EXPECT_EQ(calls[1].column, 16);
  EXPECT_EQ(calls[2].name, "g");
  EXPECT_EQ(calls[3].name, "h");
}

TEST(CallsTest, NamesAndColumns) {
  const auto calls = MustParse("success() || failure() && !always(f(x))").Calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].name, "success");
  EXPECT_EQ(calls[0].column, 1);
  EXPECT_EQ(calls[1].name, "failure");
  EXPECT_EQ(calls[1].column, 14);
  EXPECT_EQ(calls[2].name, "always");
  EXPECT_EQ(calls[2].column, 28);
  EXPECT_EQ(calls[3].name, "f");
  EXPECT_EQ(calls[3].column, 35);
  EXPECT_TRUE(MustParse("a.b == 'c'").Calls().empty());
}

Scope PipelineScope() {
  Scope scope;
  scope.check_reference = [](const Path& path) -> std::optional<std::string> {
    static const std::set<std::string> kContexts = {"branch", "event", "env", "needs", "matrix"};
    if (!kContexts.contains(path[0])) return "unknown context '" + path[0] + "'";
    if (path[0] == "matrix" && (path.size() < 2 || path[1] != "os")) {
      return "matrix has no axis '" + (path.size() < 2 ? std::string() : path[1]) + "'";
    }
    return std::nullopt;
  };
  scope.functions = {
      {"success", 0}, {"failure", 0}, {"hashFiles", -1}, {"contains", 2}, {"fromJSON", 1}};
  return scope;
}

std::optional<Error> CheckText(std::string_view text, const Scope& scope = PipelineScope()) {
  return Check(MustParse(text), scope);
}

TEST(CheckTest, AcceptsDefinedNames) {
  EXPECT_EQ(CheckText("success() && branch == 'main' && matrix.os == 'linux'"), std::nullopt);
  EXPECT_EQ(CheckText("contains(env.X, 'a') || hashFiles('a', 'b', 'c') == fromJSON(event)"),
            std::nullopt);
}

TEST(CheckTest, ReportsUndefinedReferenceWithScopeMessage) {
  auto error = CheckText("branch == 'x' && matrix.arch == 'arm64'");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 18);
  EXPECT_EQ(error->message, "matrix has no axis 'arch'");

  error = CheckText("secrets.TOKEN != ''");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 1);
  EXPECT_EQ(error->message, "unknown context 'secrets'");
}

TEST(CheckTest, ReportsUnknownFunctionsAndWrongArity) {
  auto error = CheckText("branch == 'x' || nosuch()");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 18);
  EXPECT_EQ(error->message, "unknown function 'nosuch'");

  error = CheckText("success(1)");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 1);
  EXPECT_EQ(error->message, "function 'success' expects 0 arguments, got 1");

  error = CheckText("contains('a')");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "function 'contains' expects 2 arguments, got 1");

  error = CheckText("fromJSON()");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "function 'fromJSON' expects 1 argument, got 0");

  error = CheckText("!hashFiles()");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 2);
  EXPECT_EQ(error->message, "function 'hashFiles' expects at least 1 argument, got 0");
}

TEST(CheckTest, ReportsTheFirstProblemInSourceOrder) {
  auto error = CheckText("nosuch(secrets.x)");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "unknown function 'nosuch'");

  error = CheckText("secrets.x == nosuch()");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "unknown context 'secrets'");

  error = CheckText("success() && contains(matrix.cpu, nope)");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 23);
  EXPECT_EQ(error->message, "matrix has no axis 'cpu'");
}

TEST(CheckTest, WalksEveryOperator) {
  EXPECT_EQ(CheckText("branch < 'm' ? matrix.os + 'x' : -1 in needs"), std::nullopt);
  auto error = CheckText("success() ? 1 : 2 * -matrix.arch");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 22);
  EXPECT_EQ(error->message, "matrix has no axis 'arch'");
  error = CheckText("1 + 2 > 0 && 'a' in nosuch()");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 21);
  EXPECT_EQ(error->message, "unknown function 'nosuch'");
}

TEST(CheckTest, BuiltinsNeedNoDeclaration) {
  EXPECT_EQ(CheckText("size(env.X) > 0 && int(env.N) == 3 && double(1) > 0.5 && string(1) == "
                      "'1'"),
            std::nullopt);
  auto error = CheckText("size(env.X, 1) > 0");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 1);
  EXPECT_EQ(error->message, "function 'size' expects 1 argument, got 2");
  error = CheckText("string()");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "function 'string' expects 1 argument, got 0");

  Scope scope;
  scope.functions = {{"size", 2}};  // the scope's own `size` wins
  EXPECT_EQ(CheckText("size(a, b) + int(c)", scope), std::nullopt);
  EXPECT_TRUE(CheckText("size(a)", scope));
}

TEST(CheckTest, WithoutReferenceCheckerOnlyCallsAreChecked) {
  Scope scope;
  scope.functions = {{"f", 1}};
  EXPECT_EQ(CheckText("anything.at.all && f(x)", scope), std::nullopt);
  EXPECT_TRUE(CheckText("g()", scope));
}

}  // namespace
}  // namespace slipway::expr
