// Expressions in the pipeline: contexts must exist where used, functions only where allowed,
// and every problem is reported where the expression sits in the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec/test_util.h"

namespace slipway::spec::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Two jobs: `b` exports `v`, `a` needs `b`, has a matrix with an include key; inputs `target`.
std::string WithRun(std::string_view step) {
  return R"(on:
  manual:
    inputs:
      target: {}
jobs:
  b:
    outputs: [v]
    steps: [{run: x}]
  a:
    needs: b
    matrix:
      os: [linux]
      include: [{os: linux, extra: '1'}]
    steps:
)" + std::string(step);
}

TEST(Expressions, DefinedContextsAreAccepted) {
  EXPECT_THAT(Errors(WithRun("      - run: ${{ branch }} ${{ event }} ${{ env.ANYTHING }} ${{ "
                             "inputs.target }} ${{ matrix.os }} ${{ matrix.extra }} ${{ "
                             "needs.b.result }} ${{ needs.b.outputs.v }} ${{ matrix['os'] }} ${{ "
                             "needs.b }} ${{ inputs }}\n")),
              IsEmpty());
}

TEST(Expressions, UndefinedContextsHaveHints) {
  EXPECT_THAT(
      Errors(WithRun("      - run: ${{ brnch }} ${{ inputs.targte }} ${{ matrix.oss }} ${{ "
                     "needs.c.result }} ${{ needs.b.outputs.w }} ${{ needs.b.res }} ${{ event.x }} "
                     "${{ inputs.zzz }} ${{ needs.b.outputs.v.deeper }} ${{ github.sha }}\n")),
      ElementsAre("p.yml:15:18: unknown context 'brnch' (did you mean 'branch'?)",
                  "p.yml:15:31: undefined input 'targte' (did you mean 'target'?)",
                  "p.yml:15:52: job 'a' has no matrix axis or include key 'oss' (did you mean "
                  "'os'?)",
                  "p.yml:15:70: job 'a' does not need 'c'",
                  "p.yml:15:92: job 'b' has no output 'w' (declare it under outputs of job 'b')",
                  "p.yml:15:117: 'needs.b' has no field 'res' (use needs.b.result or "
                  "needs.b.outputs.NAME)",
                  "p.yml:15:136: 'event' is a string and has no field 'x'",
                  "p.yml:15:151: undefined input 'zzz' (declare it under on.manual.inputs)",
                  "p.yml:15:169: 'needs.b.outputs.v' is a string and has no field 'deeper'",
                  "p.yml:15:201: unknown context 'github' (available here: branch, event, env, "
                  "inputs, matrix or needs)"));
}

TEST(Expressions, NeedsOfAnotherJobSuggestsAddingIt) {
  EXPECT_THAT(Errors("jobs:\n  b:\n    steps: [{run: x}]\n  a:\n    steps:\n      - run: ${{ "
                     "needs.b.result }}\n"),
              ElementsAre("p.yml:6:18: job 'a' does not need 'b' (add 'b' to its needs)"));
}

TEST(Expressions, MisspeltOutputSuggestsTheDeclaredOne) {
  EXPECT_THAT(Errors("jobs:\n  b:\n    outputs: [version]\n    steps: [{run: x}]\n  a:\n"
                     "    needs: b\n    steps:\n      - run: ${{ needs.b.outputs.versoin }}\n"),
              ElementsAre("p.yml:8:18: job 'b' has no output 'versoin' (did you mean "
                          "'version'?)"));
}

TEST(Expressions, PipelineLevelSeesNoMatrixOrNeeds) {
  EXPECT_THAT(Errors("env:\n  A: ${{ matrix.os }}\n  B: ${{ needs.x.result }}\nconcurrency: ${{ "
                     "inputs.x }}\njobs:\n  a:\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:2:10: 'matrix' is only available inside a job",
                          "p.yml:3:10: 'needs' is only available inside a job",
                          "p.yml:4:18: undefined input 'x' (declare it under on.manual.inputs)"));
  EXPECT_THAT(Errors("env:\n  A: ${{ foo }}\njobs:\n  a:\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:2:10: unknown context 'foo' (available here: branch, event, env "
                          "or inputs)"));
}

TEST(Expressions, FunctionsOnlyWhereAllowed) {
  EXPECT_THAT(Errors(OneJob(R"(    if: always() && hashFiles('x') != ''
    cache:
      key: k-${{ hashFiles('a', 'b') }}-${{ success() }}
      paths: x
    steps:
      - run: ${{ failure() }} ${{ toJSON(env) }} ${{ hashfiles('x') }}
)")),
              ElementsAre("p.yml:3:21: 'hashFiles()' is only allowed in cache key and restore-keys",
                          "p.yml:5:45: 'success()' is only allowed in job and step if: conditions",
                          "p.yml:8:18: 'failure()' is only allowed in job and step if: conditions",
                          "p.yml:8:35: unknown function 'toJSON'",
                          "p.yml:8:54: unknown function 'hashfiles' (did you mean 'hashFiles'?)"));
}

TEST(Expressions, ArgumentCountsComeFromTheExpressionChecker) {
  EXPECT_THAT(Errors(OneJob(R"(    if: success(1)
    cache: {key: '${{ hashFiles() }}', paths: x}
    steps: [{run: x}]
)")),
              ElementsAre("p.yml:3:9: function 'success' expects 0 arguments, got 1",
                          "p.yml:4:23: function 'hashFiles' expects at least 1 argument, got 0"));
}

TEST(Expressions, OperatorsAndBuiltinsAreAcceptedEverywhere) {
  EXPECT_THAT(
      Errors(WithRun("      - run: \"${{ size(inputs.target) > 0 ? int(needs.b.outputs.v) + 1 "
                     ": -1 }} ${{ 'os' in matrix && double(env.N) * 2.0 >= 1.5 }}\"\n"
                     "        if: string(matrix.os) != 'mac' && size(needs.b.result) < 9\n")),
      IsEmpty());
  EXPECT_THAT(Errors(WithRun("      - run: ${{ size(inputs.targte) > 0 }} ${{ size() }}\n")),
              ElementsAre("p.yml:15:23: undefined input 'targte' (did you mean 'target'?)",
                          "p.yml:15:49: function 'size' expects 1 argument, got 0"));
  EXPECT_THAT(Errors(WithRun("      - run: ${{ needs.b-linux.result }}\n")),
              ElementsAre("p.yml:15:25: invalid expression: 'b-linux': names cannot contain '-'; "
                          "use an index (a['b-linux']), or put spaces around '-' to subtract"));
}

TEST(Expressions, TypesAreCheckedAndConditionsMustBeBooleans) {
  EXPECT_THAT(Errors(WithRun("      - run: \"${{ size(inputs.target) + 'x' }}\"\n"
                             "        if: matrix.os == 'linux' && success()\n")),
              ElementsAre("p.yml:15:39: found no matching overload for '+' applied to (int, "
                          "string)"));
  EXPECT_THAT(Errors(WithRun("      - run: x\n        if: size(matrix.os)\n")),
              ElementsAre("p.yml:16:13: an if: condition must be a bool; this one is int "
                          "(compare it, e.g. inputs.count > 0)"));
}

TEST(Expressions, SyntaxErrors) {
  EXPECT_THAT(Errors(OneJob(R"(    if: branch ==
    steps:
      - run: echo ${{ branch
      - run: x
        if: ${{ (a }}
)")),
              ElementsAre("p.yml:3:9: invalid expression: unexpected end of expression",
                          "p.yml:5:19: invalid expression: unterminated '${{' (no matching '}}')",
                          "p.yml:7:19: invalid expression: expected ')', got end of expression"));
}

TEST(Expressions, ConditionsMayBeBareOrWrapped) {
  LoadResult result = ParsePipeline(OneJob(R"(    if: ${{ false }}
    steps:
      - run: x
        if: "${{ failure() || branch == 'main' }}"
      - run: x
        if: false
)"),
                                    "p.yml");
  ASSERT_TRUE(result.ok()) << result.diagnostics[0].ToString();
  const Job& job = result.pipeline->jobs[0];
  EXPECT_EQ(job.if_condition, "success() && (false)");
  EXPECT_EQ(job.steps[0].if_condition, "failure() || branch == 'main'");
  EXPECT_EQ(job.steps[1].if_condition, "success() && (false)");
  EXPECT_THAT(Errors(OneJob("    if: ''\n    steps: [{run: x}]\n")),
              ElementsAre("p.yml:3:9: empty condition (write an expression such as branch == "
                          "'main', or remove 'if')"));
}

// Where `${{ nope }}` is reported, for each way YAML can write the scalar.
std::vector<std::string> RunErrors(std::string_view run_lines) {
  return Errors("jobs:\n  a:\n    steps:\n      - name: x\n        run: " + std::string(run_lines));
}

TEST(ExpressionPositions, PlainScalar) {
  EXPECT_THAT(
      RunErrors("echo ${{ nope }}\n"),
      ElementsAre("p.yml:5:23: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
}

TEST(ExpressionPositions, SingleQuotedWithEscapedQuotes) {
  // 'it''s' is one character shorter in the value than in the file.
  EXPECT_THAT(
      RunErrors("'it''s ${{ nope }}'\n"),
      ElementsAre("p.yml:5:25: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
}

TEST(ExpressionPositions, DoubleQuotedWithEscapes) {
  EXPECT_THAT(
      RunErrors("\"a\\tb \\\"${{ nope }}\\\"\"\n"),
      ElementsAre("p.yml:5:26: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
}

TEST(ExpressionPositions, LiteralBlockScalar) {
  EXPECT_THAT(
      RunErrors("|\n          echo one\n\n          echo ${{ nope }}\n"),
      ElementsAre("p.yml:8:20: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
}

TEST(ExpressionPositions, FoldedBlockScalar) {
  EXPECT_THAT(
      RunErrors(">-\n          one\n          two ${{ nope }}\n"),
      ElementsAre("p.yml:7:19: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
}

TEST(ExpressionPositions, MultiLinePlainAndQuotedScalars) {
  EXPECT_THAT(
      RunErrors("echo one\n          two ${{ nope }}\n"),
      ElementsAre("p.yml:6:19: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
  EXPECT_THAT(
      RunErrors("\"echo one\n            two ${{ nope }}\"\n"),
      ElementsAre("p.yml:6:21: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
}

TEST(ExpressionPositions, AnchoredScalar) {
  EXPECT_THAT(
      RunErrors("&script echo ${{ nope }}\n"),
      ElementsAre("p.yml:5:31: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
}

TEST(ExpressionPositions, UntrackableEscapeFallsBackToTheScalar) {
  // \x41 decodes to a character we do not map back; the scalar's start is still right.
  EXPECT_THAT(
      RunErrors("\"\\x41 ${{ nope }}\"\n"),
      ElementsAre("p.yml:5:14: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
}

TEST(ExpressionPositions, WrappedCondition) {
  EXPECT_THAT(
      Errors(OneJob("    if: ${{  nope == 'x' }}\n    steps: [{run: x}]\n")),
      ElementsAre("p.yml:3:14: unknown context 'nope' (available here: branch, event, env, inputs, "
                  "matrix or needs)"));
}

}  // namespace
}  // namespace slipway::spec::testing
