// The exec provider running real shell commands: what they print becomes the measurement;
// failures, garbage, timeouts and runaway output are errors, and no process outlives a call.
#include <gmock/gmock.h>

#include <fstream>

#include "provider_test_util.h"
#include "util/fs.h"

namespace slipway::verify::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

Result<Measurement> RunCommand(std::string command, expr::Value::Map variables = {},
                               std::function<void(ExecProviderOptions&)> change = {}) {
  ExecProviderOptions options;
  options.command = std::move(command);
  options.timeout = 5000ms;
  if (change) change(options);
  auto provider = MakeExecProvider(options);
  if (!provider.ok()) return provider.status();
  return (*provider)->Measure(RequestFor(std::move(variables)));
}

// Whether process `pid` still runs: a zombie (killed, waiting for init to reap it) does not.
bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t state = line.rfind(')') + 2;  // "pid (comm) S ..."
  return state < line.size() && line[state] != 'Z';
}

class ExecProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("slipway-exec-test");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
  }
  void TearDown() override { (void)RemoveTree(dir_); }
  pid_t ReadPid(const char* name) {
    std::ifstream in(dir_ / name);
    pid_t pid = -1;
    in >> pid;
    return pid;
  }
  std::filesystem::path dir_;
};

TEST_F(ExecProviderTest, ANumberIsTheValue) {
  auto m = RunCommand("echo '  0.125 '");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->value, 0.125);
  EXPECT_EQ(m->samples, std::vector<double>{0.125});
  EXPECT_EQ(m->result, expr::Value(0.125));
}

TEST_F(ExecProviderTest, VariablesAreTemplatesAndEnvironment) {
  const expr::Value::Map variables = {{"revision", "canary-7"},
                                      {"args", expr::Value::Map{{"base-line", 40}}}};
  auto m = RunCommand(
      R"(test "$SLIPWAY_REVISION" = canary-7 || exit 9
         echo $(( ${{ args["base-line"] }} + $SLIPWAY_ARGS_BASE_LINE + ${#SLIPWAY_ARGS} )))",
      variables);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->value, 40 + 40 + 16);  // SLIPWAY_ARGS is the map as JSON: {"base-line":40}
}

TEST_F(ExecProviderTest, ListsAndObjectsFillSamplesAndCounts) {
  auto list = RunCommand("echo '[3, 1.5, 2]'");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(list->samples, (std::vector<double>{3, 1.5, 2}));
  EXPECT_EQ(list->value, 3);

  auto object = RunCommand(
      R"(printf '{"value": 0.02, "samples": [1, 2], "events": 2, "total": 100, "note": "x"}\n')");
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  EXPECT_EQ(object->value, 0.02);
  EXPECT_EQ(object->samples, (std::vector<double>{1, 2}));
  ASSERT_TRUE(object->counts.has_value());
  EXPECT_EQ(object->counts->events, 2u);
  EXPECT_EQ(object->counts->total, 100u);
  ASSERT_TRUE(object->result.is_map());
  EXPECT_EQ(object->result.as_map().at("note"), expr::Value("x"));
}

TEST_F(ExecProviderTest, StderrDoesNotCorruptTheNumberButExplainsAFailure) {
  auto fine = RunCommand("echo 'warning: slow' >&2; echo 5");
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(fine->value, 5);

  auto failed = RunCommand("echo 7; echo 'cannot reach the database' >&2; exit 3");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(), AllOf(HasSubstr("exit 3"), HasSubstr("status 3"),
                                               HasSubstr("cannot reach the database")));
}

TEST_F(ExecProviderTest, GarbageIsAnErrorQuotingIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"echo '12 ms'", "12 ms"},
      {"echo NaN", "NaN"},
      {"true", "printed nothing"},
      {"echo '\"12\"'", "\"12\""},
      {"echo '[1, \"x\"]'", "not all finite numbers"},
      {"echo '{\"value\": \"high\"}'", "\"value\" is not a number"},
      {"echo '{\"events\": 5, \"total\": 2}'", "events <= total"},
      {"echo '{\"events\": 5}'", "without \"total\""},
      {"echo '{\"samples\": [1, null]}'", "\"samples\""},
      {"printf '1\\n2\\n'", "1?2"},
  };
  for (const auto& [command, says] : cases) {
    auto m = RunCommand(command);
    ASSERT_FALSE(m.ok()) << command;
    EXPECT_EQ(m.status().code(), StatusCode::kUnavailable) << command;
    EXPECT_THAT(m.status().message(), AllOf(HasSubstr("exec \""), HasSubstr(says))) << command;
  }
  auto infinite = RunCommand("echo 1e999");  // out of a double's range: not a number to JSON
  EXPECT_EQ(infinite.status().code(), StatusCode::kUnavailable) << infinite.status().ToString();
  EXPECT_THAT(infinite.status().message(), HasSubstr("1e999"));
}

TEST_F(ExecProviderTest, ATimeoutKillsTheWholeProcessGroup) {
  auto m = RunCommand("sleep 30 & echo $! > " + (dir_ / "child").string() + "; wait", {},
                      [](ExecProviderOptions& o) { o.timeout = 300ms; });
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(m.status().message(), HasSubstr("300 ms"));
  const pid_t child = ReadPid("child");
  ASSERT_GT(child, 0);
  EXPECT_FALSE(Alive(child));
}

TEST_F(ExecProviderTest, ABackgroundChildDoesNotOutliveTheMeasurement) {
  auto m =
      RunCommand("sleep 30 >/dev/null 2>&1 & echo $! > " + (dir_ / "child").string() + "; echo 1");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->value, 1);
  const pid_t child = ReadPid("child");
  ASSERT_GT(child, 0);
  EXPECT_FALSE(Alive(child));
}

TEST_F(ExecProviderTest, OutputOverTheLimitIsAnError) {
  auto m = RunCommand("yes 1", {}, [](ExecProviderOptions& o) { o.max_output_bytes = 1000; });
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(m.status().message(), HasSubstr("more than 1000 bytes"));
}

TEST_F(ExecProviderTest, RunsInTheWorkingDirectoryWithTheGivenEnvironment) {
  std::ofstream(dir_ / "value.txt") << "17\n";
  auto m = RunCommand("cat value.txt; test \"$TEAM\" = payments", {}, [&](ExecProviderOptions& o) {
    o.working_dir = dir_;
    o.env = {{"TEAM", "payments"}};
  });
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->value, 17);
}

TEST_F(ExecProviderTest, AMissingVariableAndBadOptionsAreInvalidArguments) {
  auto missing = RunCommand("echo ${{ args.n }}", {{"revision", "x"}});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(),
              AllOf(HasSubstr("exec"), HasSubstr("command"), HasSubstr("args")));

  const std::vector<std::pair<std::function<void(ExecProviderOptions&)>, std::string>> bad = {
      {[](ExecProviderOptions& o) { o.command = ""; }, "command is required"},
      {[](ExecProviderOptions& o) { o.command = "echo ${{ 1 +"; }, "command"},
      {[](ExecProviderOptions& o) { o.timeout = 0ms; }, "timeout"},
      {[](ExecProviderOptions& o) { o.max_output_bytes = 0; }, "max_output_bytes"},
      {[](ExecProviderOptions& o) { o.working_dir = "/nonexistent/dir"; }, "/nonexistent/dir"},
      {[](ExecProviderOptions& o) {
         o.env = {{"A=B", "c"}};
       },
       "A=B"},
  };
  for (const auto& [change, says] : bad) {
    ExecProviderOptions options;
    options.command = "echo 1";
    change(options);
    const Status status = MakeExecProvider(options).status();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << says;
    EXPECT_THAT(status.message(), HasSubstr(says));
  }
}

}  // namespace
}  // namespace slipway::verify::testing
