// Every class of problem the loader reports, with its exact position and hint.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec/test_util.h"

namespace slipway::spec::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(Errors, UnknownKeysSuggestTheClosestAllowedKey) {
  EXPECT_THAT(Errors("nmae: x\njobs:\n  a:\n    neds: b\n    steps:\n      - rnu: x\n        "
                     "frobnicate: 1\n"),
              ElementsAre("p.yml:1:1: unknown key 'nmae' in the pipeline (did you mean 'name'?)",
                          "p.yml:4:5: unknown key 'neds' in job 'a' (did you mean 'needs'?)",
                          "p.yml:6:9: unknown key 'rnu' in step (did you mean 'run'?)",
                          "p.yml:6:9: step has no 'run' (add run: <commands>)",
                          "p.yml:7:9: unknown key 'frobnicate' in step (expected name, if, run, "
                          "shell, working-directory, env, timeout or continue-on-error)"));
  EXPECT_THAT(Errors("jobs:\n  a:\n    runs_on: x\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:3:5: unknown key 'runs_on' in job 'a' (did you mean 'runs-on'?)"));
  EXPECT_THAT(Errors("on:\n  push:\n    branch: main\njobs:\n  a:\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:3:5: unknown key 'branch' in push (did you mean 'branches'?)"));
}

TEST(Errors, WrongTypesNameWhatWasExpectedAndWhatWasFound) {
  EXPECT_THAT(
      Errors(OneJob("    runs-on: {a: 1}\n    outputs: {a: b}\n    timeout: true\n"
                    "    steps:\n      - run: [x]\n        continue-on-error: yes\n"
                    "      - run: x\n        name: 1.0\n")),
      ElementsAre("p.yml:3:14: expected a string or a list of strings, got a map",
                  "p.yml:4:14: expected a list of output names, got a map",
                  "p.yml:5:14: expected a duration such as 10m, got boolean true",
                  "p.yml:7:14: expected a string, got a list",
                  "p.yml:8:28: expected a boolean, got string 'yes' (use true or false)",
                  "p.yml:10:15: expected a string, got number 1.0 (quote it to use it as text: "
                  "'1.0')"));
  EXPECT_THAT(Errors("jobs: [a, b]\n"), ElementsAre("p.yml:1:7: expected a map, got a list"));
  EXPECT_THAT(Errors("- a\n- b\n"), ElementsAre("p.yml:1:1: expected a map, got a list"));
  EXPECT_THAT(Errors(OneJob("    steps:\n      - run: x\n        env: {A: [1]}\n")),
              ElementsAre("p.yml:5:18: expected a string, number or boolean, got a list"));
  // A quoted "true" is a string, so it is not a boolean.
  EXPECT_THAT(Errors(OneJob("    steps:\n      - run: x\n        continue-on-error: 'true'\n")),
              ElementsAre("p.yml:5:28: expected a boolean, got string 'true' (use true or false)"));
}

TEST(Errors, EmptyValuesAreReportedAtTheirKey) {
  // yaml-cpp marks an empty value at the next token; the key is where the user looks.
  EXPECT_THAT(Errors("name:\njobs:\n  a:\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:1:1: expected a string, got null"));
}

TEST(Errors, DuplicateKeysPointAtTheFirstDefinition) {
  EXPECT_THAT(Errors("name: a\nname: b\njobs:\n  a:\n    steps: [{run: x}]\n    env:\n"
                     "      X: 1\n      X: 2\n  a:\n    steps: [{run: y}]\n"),
              ElementsAre("p.yml:2:1: duplicate key 'name' in the pipeline (first defined at line "
                          "1, column 1)",
                          "p.yml:8:7: duplicate key 'X' in env (first defined at line 7, column 7)",
                          "p.yml:9:3: duplicate key 'a' in jobs (first defined at line 4, column "
                          "3)"));
  EXPECT_THAT(Errors(OneJob("    steps:\n      - run: x\n        run: y\n")),
              ElementsAre("p.yml:5:9: duplicate key 'run' in step (first defined at line 4, "
                          "column 9)"));
}

TEST(Errors, AnchorsWorkButMergeKeysAreRejected) {
  EXPECT_THAT(Errors("jobs:\n  a:\n    env: &common {A: 1}\n    steps: [{run: x}]\n  b:\n"
                     "    env: *common\n    steps: [{run: x}]\n"),
              IsEmpty());
  EXPECT_THAT(Errors("jobs:\n  a: &base\n    steps: [{run: x}]\n  b:\n    <<: *base\n"),
              ElementsAre("p.yml:4:3: job 'b' has no steps (add steps: with at least one step "
                          "with 'run')",
                          "p.yml:5:5: YAML merge keys ('<<') are not supported (repeat the keys, "
                          "or put an anchor (&name) on a whole value and reuse it (*name))"));
}

TEST(Errors, YamlSyntaxErrorsUseTheParserPosition) {
  EXPECT_THAT(Errors("jobs:\n  a:\n    steps: [{run: x}\n"),
              ElementsAre("p.yml:3:12: YAML syntax error: while parsing a flow sequence: did not "
                          "find expected ',' or ']'"));
  EXPECT_THAT(Errors("jobs:\n  a: 1\n   b: 2\n"),
              ElementsAre("p.yml:3:5: YAML syntax error: mapping values are not allowed in this "
                          "context"));
}

// yaml-cpp alone accepts a missing closing quote and swallows the rest of the file into the
// string; the libyaml check reports it where the string starts.
TEST(Errors, UnterminatedQuoteIsASyntaxError) {
  EXPECT_THAT(Errors("jobs:\n  a:\n    steps:\n      - run: \"make\n  b:\n    steps:\n"
                     "      - run: make b\n"),
              ElementsAre("p.yml:4:14: YAML syntax error: while scanning a quoted scalar: found "
                          "unexpected end of stream"));
}

TEST(Errors, MoreThanOneDocumentIsAnError) {
  EXPECT_THAT(Errors("jobs:\n  a:\n    steps: [{run: x}]\n---\njobs: {}\n"),
              ElementsAre("p.yml:5:1: expected one YAML document, found 2 (remove the extra "
                          "'---')"));
}

TEST(Errors, EmptyFiles) {
  const std::string empty =
      "p.yml:1:1: the pipeline file is empty (a pipeline needs at least "
      "'jobs:')";
  EXPECT_THAT(Errors(""), ElementsAre(empty));
  EXPECT_THAT(Errors("# only a comment\n\n"), ElementsAre(empty));
  EXPECT_THAT(Errors("name: x\n"), ElementsAre("p.yml:1:1: the pipeline is missing required key "
                                               "'jobs'"));
  EXPECT_THAT(Errors("jobs:\n"), ElementsAre("p.yml:1:1: 'jobs' is empty (define at least one "
                                             "job)"));
  EXPECT_THAT(Errors("jobs: {}\n"), ElementsAre("p.yml:1:7: 'jobs' is empty (define at least one "
                                                "job)"));
}

TEST(Errors, JobsNeedSteps) {
  EXPECT_THAT(Errors("jobs:\n  a:\n    timeout: 5m\n  b:\n    steps: []\n  c:\n    steps:\n"),
              ElementsAre("p.yml:2:3: job 'a' has no steps (add steps: with at least one step "
                          "with 'run')",
                          "p.yml:5:12: job 'b' has no steps (add at least one step with 'run')",
                          "p.yml:7:5: job 'c' has no steps"));
  EXPECT_THAT(Errors(OneJob("    steps:\n      - name: only a name\n      - run: ''\n")),
              ElementsAre("p.yml:4:9: step has no 'run' (add run: <commands>)",
                          "p.yml:5:14: 'run' is empty"));
  EXPECT_THAT(Errors("jobs:\n  a: 3\n"), ElementsAre("p.yml:2:6: expected a map, got number 3"));
}

TEST(Errors, NamesMustBeIdentifiers) {
  EXPECT_THAT(Errors("jobs:\n  'my job':\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:2:3: invalid job name 'my job' (use letters, digits, '_' and "
                          "'-', starting with a letter or '_')"));
  EXPECT_THAT(Errors(OneJob("    outputs: [ok, 9lives, ok]\n    steps: [{run: x}]\n")),
              ElementsAre("p.yml:3:19: invalid output name '9lives' (use letters, digits, '_' "
                          "and '-', starting with a letter or '_')",
                          "p.yml:3:27: output 'ok' is listed twice (first listed at line 3, "
                          "column 15)"));
  EXPECT_THAT(Errors("env:\n  MY-VAR: 1\njobs:\n  a:\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:2:3: invalid environment variable name 'MY-VAR' (use letters, "
                          "digits and '_', not starting with a digit)"));
}

TEST(Errors, NeedsTargetsMustExist) {
  EXPECT_THAT(Errors("jobs:\n  build:\n    steps: [{run: x}]\n  test:\n    needs: [biuld, "
                     "test, zzz]\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:5:13: job 'test' needs 'biuld', which is not a job (did you "
                          "mean 'build'?)",
                          "p.yml:5:20: job 'test' needs itself",
                          "p.yml:5:26: job 'test' needs 'zzz', which is not a job"));
  // A job that failed to load is still a job: needing it is not a second error.
  EXPECT_THAT(Errors("jobs:\n  a: 1\n  b:\n    needs: a\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:2:6: expected a map, got number 1"));
}

TEST(Errors, CyclesAreReportedOnceAsAPath) {
  EXPECT_THAT(Errors(R"(jobs:
  a:
    needs: c
    steps: [{run: x}]
  b:
    needs: a
    steps: [{run: x}]
  c:
    needs: [b, a]
    steps: [{run: x}]
  d:
    needs: e
    steps: [{run: x}]
  e:
    needs: d
    steps: [{run: x}]
  f:
    needs: [a, d]
    steps: [{run: x}]
)"),
              ElementsAre("p.yml:3:12: cycle in needs: a -> c -> a",
                          "p.yml:12:12: cycle in needs: d -> e -> d"));
}

TEST(Errors, Durations) {
  EXPECT_THAT(
      Errors(OneJob("    timeout: 30\n    steps:\n      - run: x\n        timeout: 10x\n"
                    "      - run: x\n        timeout: 0s\n      - run: x\n        timeout: "
                    "-5m\n")),
      ElementsAre("p.yml:3:14: duration '30' has no unit (add a unit, e.g. 30s or 10m)",
                  "p.yml:6:18: invalid duration '10x': unknown unit 'x' (units are ms, s, m, h "
                  "and d, e.g. 1h30m)",
                  "p.yml:8:18: duration '0s' must be greater than 0",
                  "p.yml:10:18: duration '-5m' is negative; it must be greater than 0"));
}

TEST(Errors, Cron) {
  EXPECT_THAT(Errors(R"(on:
  schedule:
    - cron: '0 25 * * *'
    - cron: '* * * *'
    - cron: '0 0 * foo *'
    - cron: '@often'
    - cron: '*/0 * * * *'
jobs:
  a:
    steps: [{run: x}]
)"),
              ElementsAre("p.yml:3:13: invalid cron '0 25 * * *': hour field '25': 25 is out of "
                          "range 0-23",
                          "p.yml:4:13: invalid cron '* * * *': expected 5 fields (minute hour "
                          "day-of-month month day-of-week), got 4",
                          "p.yml:5:13: invalid cron '0 0 * foo *': month field 'foo': 'foo' is "
                          "not a number or name",
                          "p.yml:6:13: invalid cron '@often': unknown macro '@often'; use "
                          "@hourly, @daily, @weekly, @monthly or @yearly",
                          "p.yml:7:13: invalid cron '*/0 * * * *': minute field '*/0': step '0' "
                          "must be a positive number"));
}

TEST(Errors, Events) {
  EXPECT_THAT(Errors("on: schedule\njobs:\n  a:\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:1:5: 'schedule' needs the map form to give its cron times (on: "
                          "{schedule: [{cron: '0 3 * * *'}]})"));
  EXPECT_THAT(Errors("on: [push, pusj, nightly]\njobs:\n  a:\n    steps: [{run: x}]\n"),
              ElementsAre("p.yml:1:12: unknown event 'pusj' (did you mean 'push'?)",
                          "p.yml:1:18: unknown event 'nightly' (events are push, schedule or "
                          "manual)"));
}

TEST(Errors, Globs) {
  EXPECT_THAT(
      Errors(R"(on:
  push:
    branches: ['main', '![oops']
    paths: []
jobs:
  a:
    artifacts: ['dist/[x']
    reports: {junit: '[a-'}
    cache: {key: k, paths: 'a/[b'}
    steps: [{run: x}]
)"),
      ElementsAre("p.yml:3:24: invalid glob '[oops': unterminated character class '[' at column 1",
                  "p.yml:4:12: 'paths' must not be empty (remove it to match everything)",
                  "p.yml:7:17: invalid glob 'dist/[x': unterminated character class '[' at "
                  "column 6",
                  "p.yml:8:22: invalid glob '[a-': unterminated character class '[' at column 1",
                  "p.yml:9:28: invalid glob 'a/[b': unterminated character class '[' at column "
                  "3"));
}

TEST(Errors, Inputs) {
  EXPECT_THAT(Errors(R"(on:
  manual:
    inputs:
      a: {type: boolean, default: 'yes'}
      b: {type: number, default: many}
      c: {type: choice, options: [red, green], default: gren}
      d: {type: choice}
      e: {type: string, options: [x]}
      f: {type: text}
      g: {type: choice, options: []}
jobs:
  a:
    steps: [{run: x}]
)"),
              ElementsAre("p.yml:4:35: expected a boolean, got string 'yes' (use true or false)",
                          "p.yml:5:34: expected a number, got string 'many'",
                          "p.yml:6:57: default 'gren' is not one of the options (did you mean "
                          "'green'?)",
                          "p.yml:7:7: choice input 'd' has no options (list the allowed values "
                          "under 'options')",
                          "p.yml:8:25: 'options' is only allowed for inputs of type choice",
                          "p.yml:9:17: unknown input type 'text' (types are string, boolean, "
                          "number or choice)",
                          "p.yml:10:34: a choice input needs at least one option"));
}

TEST(Errors, StepFields) {
  EXPECT_THAT(Errors(OneJob(R"(    steps:
      - run: x
        shell: zsh
        working-directory: /abs
      - run: x
        working-directory: a/../../b
)")),
              ElementsAre("p.yml:5:16: unknown shell 'zsh' (use bash, sh, python3 or a command "
                          "with {0} for the script, e.g. 'zsh {0}')",
                          "p.yml:6:28: working-directory must be relative to the workspace "
                          "(remove the leading '/')",
                          "p.yml:8:28: working-directory must not leave the workspace ('..')"));
}

TEST(Errors, RetryAndCache) {
  EXPECT_THAT(Errors(OneJob(R"(    retry: {max: 11, on: [failure, crash], exit-codes: [1, 300]}
    cache: {paths: x}
    steps: [{run: x}]
)")),
              ElementsAre("p.yml:3:18: expected an integer between 0 and 10, got 11",
                          "p.yml:3:36: unknown retry reason 'crash' (use failure, timeout or "
                          "infra)",
                          "p.yml:3:60: expected an integer between 0 and 255, got 300",
                          "p.yml:4:12: cache is missing required key 'key'"));
  EXPECT_THAT(Errors(OneJob("    retry: 'twice'\n    steps: [{run: x}]\n")),
              ElementsAre("p.yml:3:12: expected a retry count or a map, got string 'twice'"));
}

TEST(Errors, Concurrency) {
  EXPECT_THAT(Errors("concurrency: {cancel-in-progress: 1}\njobs:\n  a:\n    steps: [{run: "
                     "x}]\n"),
              ElementsAre("p.yml:1:14: concurrency is missing required key 'group'",
                          "p.yml:1:35: expected a boolean, got number 1"));
}

TEST(Errors, MatrixShape) {
  EXPECT_THAT(
      Errors(OneJob(R"(    matrix:
      os: []
      node: [1, 1]
      exclude:
        - {oss: linux}
      max-parallel: 0
    steps: [{run: x}]
)")),
      ElementsAre("p.yml:4:11: matrix axis 'os' has no values",
                  "p.yml:5:17: value '1' appears twice in matrix axis 'node'",
                  "p.yml:7:12: 'oss' is not a matrix axis (exclude entries may only name axes)",
                  "p.yml:8:21: expected an integer between 1 and 1000000, got 0"));
  EXPECT_THAT(Errors(OneJob("    matrix: {fail-fast: true}\n    steps: [{run: x}]\n")),
              ElementsAre("p.yml:3:13: matrix has no axes and no include entries (add an axis, "
                          "e.g. os: [linux, macos])"));
  EXPECT_THAT(Errors(OneJob("    matrix:\n      os: [a]\n      exclude: [{os: a}]\n    steps: "
                            "[{run: x}]\n")),
              ElementsAre("p.yml:4:7: matrix of job 'build' expands to no instances (exclude "
                          "removes every combination)"));
}

TEST(Errors, EverythingIsReportedInOnePass) {
  std::vector<std::string> errors = Errors(R"(nmae: demo
on:
  schedule:
    - cron: '99 * * * *'
jobs:
  build:
    timeout: 5
    steps:
      - run: echo ${{ matrix.os }}
  test:
    needs: [buidl]
    steps:
      - runn: x
  deploy:
    needs: deploy
    steps: []
)");
  EXPECT_THAT(errors,
              ElementsAre("p.yml:1:1: unknown key 'nmae' in the pipeline (did you mean 'name'?)",
                          "p.yml:4:13: invalid cron '99 * * * *': minute field '99': 99 is out of "
                          "range 0-59",
                          "p.yml:7:14: duration '5' has no unit (add a unit, e.g. 30s or 10m)",
                          "p.yml:9:23: job 'build' has no matrix",
                          "p.yml:11:13: job 'test' needs 'buidl', which is not a job (did you "
                          "mean 'build'?)",
                          "p.yml:13:9: unknown key 'runn' in step (did you mean 'run'?)",
                          "p.yml:13:9: step has no 'run' (add run: <commands>)",
                          "p.yml:15:12: job 'deploy' needs itself",
                          "p.yml:16:12: job 'deploy' has no steps (add at least one step with "
                          "'run')"));
  EXPECT_FALSE(ParsePipeline("jobs: {a: 1}", "p.yml").ok());
}

TEST(Errors, DiagnosticToStringLeavesOutUnknownPositions) {
  EXPECT_EQ((Diagnostic{"f.yml", {3, 7}, "bad", "fix it"}).ToString(), "f.yml:3:7: bad (fix it)");
  EXPECT_EQ((Diagnostic{"f.yml", {3, 0}, "bad", ""}).ToString(), "f.yml:3: bad");
  EXPECT_EQ((Diagnostic{"f.yml", {0, 0}, "bad", ""}).ToString(), "f.yml: bad");
}

TEST(Errors, ValidInputHasNoDiagnostics) {
  EXPECT_THAT(Errors(OneJob("    steps: [{run: x}]\n")), IsEmpty());
}

}  // namespace
}  // namespace slipway::spec::testing
