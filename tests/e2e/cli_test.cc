// The command line itself: validation errors a user can jump to, typed inputs, bad flags.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class ValidateTest : public E2eTest {};

// The documented example of a broken file (docs/pipeline.md, `slipway validate`), with a
// step that would leave evidence if anything ran.
constexpr char kBrokenPipeline[] = R"yaml(name: demo
on: [push, schedule]
jobs:
  build:
    need: lint
    timeout: 30
    steps:
      - run: touch "$E2E_STATE/ran"
        continue-on-error: yes
  lint:
    needs: biuld
    if: matrix.os == 'linux'
    steps:
      - run: touch "$E2E_STATE/ran"
)yaml";

TEST_F(ValidateTest, BrokenFileListsEveryErrorWithItsPosition) {
  CommitPipeline(kBrokenPipeline);
  Outcome run = Slipway({"validate"});
  EXPECT_EQ(run.exit_code, 1) << run;
  const std::vector<std::string> lines = Lines(run.all());
  const std::vector<std::string> expected = {
      ".slipway.yml:2:12: 'schedule' needs the map form to give its cron times "
      "(on: {schedule: [{cron: '0 3 * * *'}]})",
      ".slipway.yml:5:5: unknown key 'need' in job 'build' (did you mean 'needs'?)",
      ".slipway.yml:6:14: duration '30' has no unit (add a unit, e.g. 30s or 10m)",
      ".slipway.yml:9:28: expected a boolean, got string 'yes' (use true or false)",
      ".slipway.yml:11:12: job 'lint' needs 'biuld', which is not a job (did you mean 'build'?)",
      ".slipway.yml:12:9: job 'lint' has no matrix",
  };
  EXPECT_EQ(lines, expected) << run;
}

TEST_F(ValidateTest, NamedFileCycleAndJsonPositions) {
  Write("ci/release.slipway.yml", R"yaml(jobs:
  publish:
    needs: sign
    steps:
      - run: echo publish
  sign:
    needs: publish
    steps:
      - run: echo sign
)yaml");
  Commit();
  Outcome run = Slipway({"validate", "ci/release.slipway.yml"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.all(), "ci/release.slipway.yml:");
  EXPECT_CONTAINS(run.all(), "cycle in needs: ");

  Outcome json = Slipway({"validate", "--json", "ci/release.slipway.yml"});
  EXPECT_EQ(json.exit_code, 1) << json;
  Json diagnostics = Json::parse(json.out, nullptr, false);
  ASSERT_TRUE(diagnostics.is_array()) << json;
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_GT(diagnostics[0]["line"].get<int>(), 0);
  EXPECT_GT(diagnostics[0]["column"].get<int>(), 0);
}

TEST_F(ValidateTest, ValidFileExitsZero) {
  CommitPipeline("jobs:\n  a:\n    steps:\n      - run: 'true'\n");
  Outcome run = Slipway({"validate"});
  EXPECT_EQ(run.exit_code, 0) << run;
  EXPECT_CONTAINS(run.out, ".slipway.yml: ok");
}

TEST_F(ValidateTest, RunOnABrokenFileRunsNothing) {
  CommitPipeline(kBrokenPipeline);
  Outcome run = Run();
  EXPECT_NE(run.exit_code, 0) << run;
  EXPECT_CONTAINS(run.all(), ".slipway.yml:5:5: unknown key 'need'");
  EXPECT_FALSE(fs::exists(state_ / "ran"));
}

TEST_F(ValidateTest, YamlSyntaxErrorHasAPosition) {
  CommitPipeline("jobs:\n  a: [\n");
  Outcome run = Slipway({"validate"});
  EXPECT_EQ(run.exit_code, 1) << run;
  // The end of the text, where the missing "]" should be.
  EXPECT_CONTAINS(run.err, ".slipway.yml:2:7: YAML syntax error");
}

// A forgotten closing quote must not swallow the rest of the file: here job `b` silently
// became part of job `a`'s script and validate said "ok".
TEST_F(ValidateTest, UnterminatedQuoteIsASyntaxError) {
  CommitPipeline(R"yaml(jobs:
  a:
    steps:
      - run: "touch $E2E_STATE/a
  b:
    steps:
      - run: touch $E2E_STATE/b
)yaml");
  Outcome run = Slipway({"validate"});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_CONTAINS(run.err, ".slipway.yml:");
  EXPECT_CONTAINS(run.err, "YAML syntax error");
  Outcome ran = Run();
  EXPECT_NE(ran.exit_code, 0) << ran;
  EXPECT_FALSE(fs::exists(state_ / "a"));
  EXPECT_FALSE(fs::exists(state_ / "b"));
}

TEST_F(ValidateTest, UnknownFlagOrCommandIsAUsageErrorWithASuggestion) {
  CommitPipeline("jobs:\n  a:\n    steps:\n      - run: touch \"$E2E_STATE/ran\"\n");
  Outcome flag = Run({"--jbo", "a"});
  EXPECT_EQ(flag.exit_code, 2) << flag;
  EXPECT_CONTAINS(flag.err, "unknown flag --jbo");
  EXPECT_CONTAINS(flag.err, "did you mean '--job'?");
  EXPECT_FALSE(fs::exists(state_ / "ran"));

  Outcome command = Slipway({"valdate"});
  EXPECT_EQ(command.exit_code, 2) << command;
  EXPECT_CONTAINS(command.err, "did you mean 'validate'?");

  Outcome positional = Run({"a"});
  EXPECT_EQ(positional.exit_code, 2) << positional;
  EXPECT_FALSE(fs::exists(state_ / "ran"));
}

class LogDirTest : public E2eTest {};

TEST_F(LogDirTest, EachJobInstanceGetsItsOwnCompleteLog) {
  CommitPipeline(R"yaml(jobs:
  build:
    matrix:
      os: [linux, macos]
    steps:
      - run: echo "output of build on ${{ matrix.os }}"
  build_linux:
    steps:
      - run: echo "output of the job build_linux"
  retried:
    retry: 1
    steps:
      - run: |
          echo "output of attempt $SLIPWAY_ATTEMPT"
          test "$SLIPWAY_ATTEMPT" = 2
)yaml");
  const fs::path logs = root_ / "logs";
  Outcome run = Run({"--log-dir", logs.string()});
  ASSERT_EQ(run.exit_code, 0) << run;
  std::vector<std::string> contents;
  for (const auto& entry : fs::directory_iterator(logs)) {
    contents.push_back(ReadText(entry.path()));
  }
  EXPECT_EQ(contents.size(), 4u) << "one log file per job instance";
  for (const std::string line :
       {"output of build on linux", "output of build on macos", "output of the job build_linux"}) {
    EXPECT_EQ(std::count_if(contents.begin(), contents.end(),
                            [&](const std::string& text) {
                              return text.find(line + "\n") != std::string::npos &&
                                     Count(text, "job success") == 1;
                            }),
              1)
        << "no log holds exactly '" << line << "' and one job end";
  }
  // Both attempts of a retried job, in one file.
  EXPECT_EQ(std::count_if(contents.begin(), contents.end(),
                          [](const std::string& text) {
                            return text.find("output of attempt 1\n") != std::string::npos &&
                                   text.find("output of attempt 2\n") != std::string::npos;
                          }),
            1);
}

class InputsTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    CommitPipeline(R"yaml(on:
  manual:
    inputs:
      count:
        type: number
        required: true
      level:
        type: choice
        options: [quick, full]
        default: quick
      dry-run:
        type: boolean
        default: false
      who:
        description: free text
jobs:
  show:
    env:
      WHO: ${{ inputs.who }}
    steps:
      - run: |
          printf '%s ' "count=${{ inputs.count }}" "level=${{ inputs.level }}" \
            "dry=${{ inputs['dry-run'] }}" > "$E2E_STATE/inputs"
          echo "who=$WHO" >> "$E2E_STATE/inputs"
)yaml");
  }

  // Runs with `inputs`; on a usage error checks that the message names `culprit` and that
  // nothing ran.
  void ExpectRejected(const std::vector<std::string>& inputs, const std::string& culprit) {
    std::vector<std::string> args;
    for (const auto& input : inputs) {
      args.push_back("--input");
      args.push_back(input);
    }
    Outcome run = Run(args);
    EXPECT_EQ(run.exit_code, 2) << run;
    EXPECT_CONTAINS(run.err, "'" + culprit + "'");
    EXPECT_FALSE(fs::exists(state_ / "inputs"));
  }
};

TEST_F(InputsTest, TypedInputsAreAccepted) {
  Outcome run = Run({"--input", "count=3", "--input", "level=full", "--input", "dry-run=true",
                     "--input", "who=it's me"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(ReadText(state_ / "inputs"), "count=3 level=full dry=true who=it's me\n");
}

TEST_F(InputsTest, DefaultsApply) {
  Outcome run = Run({"--input", "count=2.5"});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_EQ(ReadText(state_ / "inputs"), "count=2.5 level=quick dry=false who=\n");
}

TEST_F(InputsTest, WrongTypeIsRejected) { ExpectRejected({"count=three"}, "count"); }

TEST_F(InputsTest, ChoiceOutsideTheOptionsIsRejected) {
  ExpectRejected({"count=1", "level=medium"}, "level");
}

TEST_F(InputsTest, BooleanMustBeTrueOrFalse) {
  ExpectRejected({"count=1", "dry-run=yes"}, "dry-run");
}

TEST_F(InputsTest, UnknownInputIsRejected) { ExpectRejected({"count=1", "colour=red"}, "colour"); }

TEST_F(InputsTest, MissingRequiredInputIsRejected) { ExpectRejected({}, "count"); }

TEST_F(InputsTest, InputWithoutValueIsRejected) {
  Outcome run = Run({"--input", "count"});
  EXPECT_EQ(run.exit_code, 2) << run;
  EXPECT_CONTAINS(run.err, "count");
  EXPECT_FALSE(fs::exists(state_ / "inputs"));
}

}  // namespace
}  // namespace slipway::e2e
