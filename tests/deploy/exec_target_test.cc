// ExecTarget with small shell scripts standing in for kubectl and friends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"

namespace slipway::deploy {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

class ExecTargetTest : public ::testing::Test {
 protected:
  ExecTargetOptions Options() {
    ExecTargetOptions options;
    options.state_dir = dir_.path() / "state";
    // apply records what it was given; status reports it back.
    options.apply =
        "echo \"$SLIPWAY_REVISION $SLIPWAY_DIGEST $SLIPWAY_INSTANCES $SLIPWAY_ENVIRONMENT "
        "$REGION $(basename \"$PWD\")\" > " +
        (dir_.path() / "applied-$SLIPWAY_REVISION").string() + "; echo 'applying…' >&2";
    options.status =
        "echo \"{\\\"desired\\\":$SLIPWAY_INSTANCES,\\\"running\\\":$SLIPWAY_INSTANCES,"
        "\\\"ready\\\":1,\\\"endpoints\\\":[\\\"10.0.0.7:8080\\\"],\\\"message\\\":\\\"rolling\\\"}"
        "\"";
    options.remove = "touch " + (dir_.path() / "removed-$SLIPWAY_REVISION").string();
    options.environment = "staging";
    options.env = {{"REGION", "eu"}};
    return options;
  }

  std::unique_ptr<Target> Make(ExecTargetOptions options) {
    Result<std::unique_ptr<Target>> target = MakeExecTarget(std::move(options));
    EXPECT_TRUE(target.ok()) << target.status().ToString();
    return target.ok() ? std::move(target).value() : nullptr;
  }

  RevisionSpec Revision(const std::string& id, int instances) {
    std::filesystem::create_directories(dir_.path() / "artifact");
    return {id, "sha256:" + id, dir_.path() / "artifact", instances, {}};
  }

  TempDir dir_;
};

TEST_F(ExecTargetTest, AppliesInspectsAndRemovesThroughTheCommands) {
  auto target = Make(Options());
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->Apply(Revision("r1", 3)).ok());
  ASSERT_TRUE(target->Apply(Revision("r2", 1)).ok());
  EXPECT_EQ(ReadText(dir_.path() / "applied-r1"), "r1 sha256:r1 3 staging eu artifact\n");
  EXPECT_THAT(ReadText(dir_.path() / "state/r1.apply.stderr"), HasSubstr("applying…"));

  Result<RevisionState> state = target->Inspect("r1");
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->id, "r1");
  EXPECT_EQ(state->desired, 3);
  EXPECT_EQ(state->running, 3);
  EXPECT_EQ(state->ready, 1);
  EXPECT_THAT(state->endpoints, ElementsAre(Endpoint{"10.0.0.7", 8080}));
  EXPECT_EQ(state->message, "rolling");
  EXPECT_EQ(target->Inspect("r9").status().code(), StatusCode::kNotFound);

  // Re-applying keeps the order; the record survives a new target.
  ASSERT_TRUE(target->Apply(Revision("r1", 2)).ok());
  EXPECT_THAT(target->Revisions(), ElementsAre("r1", "r2"));
  target = Make(Options());
  ASSERT_TRUE(target);
  EXPECT_THAT(target->Revisions(), ElementsAre("r1", "r2"));
  EXPECT_EQ(target->Inspect("r1")->desired, 2);

  ASSERT_TRUE(target->Remove("r1").ok());
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "removed-r1"));
  EXPECT_THAT(target->Revisions(), ElementsAre("r2"));
  EXPECT_EQ(target->Remove("r1").code(), StatusCode::kNotFound);
}

TEST_F(ExecTargetTest, GarbageStatusOutputIsAClearError) {
  ExecTargetOptions options = Options();
  options.status = "echo 'NAME READY STATUS'; echo 'warning: context is old' >&2";
  auto target = Make(options);
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  Result<RevisionState> state = target->Inspect("r1");
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(state.status().message(), HasSubstr("status command"));
  EXPECT_THAT(state.status().message(), HasSubstr("not JSON"));
  EXPECT_THAT(state.status().message(), HasSubstr("NAME READY STATUS"));
  EXPECT_THAT(state.status().message(), HasSubstr("warning: context is old"));
}

TEST_F(ExecTargetTest, AFailingCommandReportsItsStderrAndRecordsNothing) {
  ExecTargetOptions options = Options();
  options.apply =
      "echo 'error: the server doesn'\\''t have a resource type \"deploy\"' >&2; exit 4";
  auto target = Make(options);
  ASSERT_TRUE(target);
  const Status status = target->Apply(Revision("r1", 1));
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("exited with status 4"));
  EXPECT_THAT(status.message(), HasSubstr("doesn't have a resource type"));
  EXPECT_TRUE(target->Revisions().empty());
}

TEST_F(ExecTargetTest, ACommandThatHangsTimesOut) {
  ExecTargetOptions options = Options();
  options.status = "echo waiting for rollout >&2; sleep 30";
  options.timeout = milliseconds(300);
  auto target = Make(options);
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  const auto start = std::chrono::steady_clock::now();
  Result<RevisionState> state = target->Inspect("r1");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(state.status().message(), HasSubstr("timed out"));
  EXPECT_THAT(state.status().message(), HasSubstr("waiting for rollout"));
}

TEST_F(ExecTargetTest, OptionsNeedApplyAndStatus) {
  ExecTargetOptions options = Options();
  options.status.clear();
  EXPECT_EQ(MakeExecTarget(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace slipway::deploy
