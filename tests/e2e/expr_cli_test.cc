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
