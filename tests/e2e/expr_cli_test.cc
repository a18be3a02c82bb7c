// `slipway expr`: one expression against a JSON document, as a policy author tries a rule.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class ExprCliTest : public E2eTest {};

TEST_F(ExprCliTest, DocumentKeysAreVariablesAndTheResultIsJson) {
  Write("input.json", R"({"artifact": {"digest": "sha256:ab", "signed": true},
                          "tests": {"failed": 0, "passed": 41},
                          "ratio": 0.25, "huge": 18446744073709551615})");
  Outcome run = Slipway({"expr", "--input", "input.json", "artifact.signed && tests.failed == 0"});
  EXPECT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(run.out, "true\n");

  run = Slipway({"expr", "-i", "input.json", "--", "tests"});
  EXPECT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(Json::parse(run.out), Json::parse(R"({"failed": 0, "passed": 41})")) << run;

  // JSON integers stay integers (a uint past int64); other numbers are doubles.
  run = Slipway({"expr", "-i", "input.json", "huge"});
  EXPECT_EQ(run.out, "18446744073709551615\n") << run;
  run = Slipway({"expr", "-i", "input.json", "ratio * 2.0"});
  EXPECT_EQ(run.out, "0.5\n") << run;
  run = Slipway({"expr", "-i", "input.json", "tests.passed + 1"});
  EXPECT_EQ(run.out, "42\n") << run;
}

TEST_F(ExprCliTest, WithoutInputOnlyLiteralsAndNonFiniteDoublesPrintAsStrings) {
  Outcome run = Slipway({"expr", "'a' + 'b'"});
  EXPECT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(run.out, "\"ab\"\n");
  run = Slipway({"expr", "1.0 / 0.0"});
  EXPECT_EQ(run.out, "\"Infinity\"\n") << run;
}

TEST_F(ExprCliTest, AnErrorNamesItsColumnWithACaretAndExitsOne) {
  Outcome run = Slipway({"expr", "1 + (2 *"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_EQ(run.out, "");
  const std::vector<std::string> lines = Lines(run.err);
  ASSERT_EQ(lines.size(), 3u) << run;
  EXPECT_EQ(lines[0].rfind("error: column 9: ", 0), 0u) << run;
  EXPECT_EQ(lines[1], "  1 + (2 *");
  EXPECT_EQ(lines[2], "          ^");

  // An evaluation error too: an unknown variable, at its column.
  run = Slipway({"expr", "1 < missing"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, "error: column 5: ");
  EXPECT_CONTAINS(run.err, "missing");
}

TEST_F(ExprCliTest, TypeErrorsAreReportedBeforeEvaluating) {
  Outcome run = Slipway({"expr", "1 + 'a'"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err,
                  "error: column 3: found no matching overload for '+' applied to (int, string)");
  // Without --policy the input's variables are dyn: only evaluation can tell.
  Write("input.json", R"({"n": 1})");
  run = Slipway({"expr", "-i", "input.json", "n + 'a'"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, "error: column 3: ");
}

// --policy: the expression is checked as a rule (the gate's fields and their types, a bool),
// and the input read as the gate's input document (time.now, a string in JSON, a timestamp).
TEST_F(ExprCliTest, PolicyRulesAreCheckedAsTheLoaderChecksThem) {
  Write("gate.json", R"({"artifact": {"sbom": true}, "change": {"files": ["docs/a.md"]},
                         "time": {"now": "2026-11-27T14:03:00Z", "hour": 14}})");
  Outcome run = Slipway({"expr", "--policy", "-i", "gate.json",
                         "artifact.sbom && change.files.all(f, f.startsWith('docs/')) && "
                         "time.now.getHours('Europe/Paris') == 15"});
  EXPECT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(run.out, "true\n");

  run = Slipway({"expr", "--policy", "-i", "gate.json", "artifact.sbom > 0"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, "found no matching overload for '>' applied to (bool, int)");
  run = Slipway({"expr", "--policy", "size(change.files)"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, "a rule must be a bool expression; this one is int");
  run = Slipway({"expr", "--policy", "artifact.provenence.verified"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, "the gate's input has no field 'artifact.provenence'");

  Write("bad-time.json", R"({"time": {"now": "yesterday"}})");
  run = Slipway({"expr", "--policy", "-i", "bad-time.json", "true"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, "time.now is not an RFC 3339 time: 'yesterday'");
}

TEST_F(ExprCliTest, BadInputNamesTheFileLineAndColumn) {
  Write("bad.json", "{\"a\": 1,\n  \"b\": tru}\n");
  Outcome run = Slipway({"expr", "--input", "bad.json", "a"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, "bad.json:2:");
  EXPECT_CONTAINS(run.err, "invalid JSON");

  Write("list.json", "[1, 2]");
  run = Slipway({"expr", "--input", "list.json", "a"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, "must be a JSON object");

  run = Slipway({"expr", "--input", "absent.json", "a"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, "absent.json");

  run = Slipway({"expr"});
  EXPECT_EQ(run.exit_code, 2) << run;
  EXPECT_CONTAINS(run.err, "needs an expression");
}

}  // namespace
}  // namespace slipway::e2e
