// The example service's pipeline (examples/hello-service), run as a user would after cloning.
#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class ExamplePipelineTest : public E2eTest {};

TEST_F(ExamplePipelineTest, HelloServiceSucceedsWithTestsOutputsAndArtifacts) {
  fs::copy(fs::path(SLIPWAY_SOURCE_DIR) / "examples" / "hello-service", repo_,
           fs::copy_options::recursive);
  Commit("hello-service");

  // Up to the package: the deploy jobs are deploy_example_test's (they hold ports).
  Outcome run =
      Run({"--json", "-j", "4", "--job", "package", "--secret", "DEMO_TOKEN=tok-" + marker_});
  ASSERT_EQ(run.exit_code, 0) << run;
  EXPECT_TRUE(run.json["success"].get<bool>());

  const std::vector<std::string> expected = {"check",     "build (O2)", "build (Os)",
                                             "test (O2)", "test (Os)",  "package"};
  EXPECT_EQ(run.JobIds(), expected);
  for (const auto& id : expected) EXPECT_EQ(run.Result(id), "success") << id;

  const std::string version = ReadText(repo_ / "VERSION").substr(0, 5);
  EXPECT_EQ(run.Job("check")["outputs"]["version"], version);

  // The smoke tests' JUnit reports are parsed: every test case, all passed.
  for (const char* id : {"test (O2)", "test (Os)"}) {
    const Json& tests = run.Job(id)["attempts"].back()["tests"];
    EXPECT_EQ(tests.size(), 10u) << id;
    for (const auto& test : tests) EXPECT_EQ(test["status"], "passed") << test.dump();
  }
  // The summary (on stderr with --json) shows the counts too.
  EXPECT_CONTAINS(run.err, "tests: 10 passed, 0 failed");
  EXPECT_CONTAINS(run.err, "pipeline succeeded");

  // The package job received both binaries from build (artifacts) and used the output.
  EXPECT_CONTAINS(run.err, "hello-service-" + version + ".tar.gz: OK");
  // The publish dry run printed the token only masked.
  EXPECT_CONTAINS(run.err, "with token ***");
  EXPECT_NOT_CONTAINS(run.all(), "tok-" + marker_);
}

}  // namespace
}  // namespace slipway::e2e
