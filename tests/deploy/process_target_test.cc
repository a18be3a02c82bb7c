// ProcessTarget with real processes: a tiny python HTTP server per instance.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"
#include "deploy/net_io.h"
#include "util/subprocess.h"

namespace slipway::deploy {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testing::MakeServerArtifact;
using ::testing::Not;
using testing::ReadText;
using testing::TempDir;
using testing::WaitUntil;
using testing::WriteText;

constexpr char kServe[] =
    "echo \"start $PORT $SLIPWAY_REVISION $SLIPWAY_DIGEST $GREETING $AUDIENCE\"; "
    "exec python3 server.py {port}";

class ProcessTargetTest : public ::testing::Test {
 protected:
  ProcessTargetOptions Options(std::string command = kServe) {
    ProcessTargetOptions options;
    options.state_dir = dir_.path() / "state";
    options.command = std::move(command);
    options.env = {{"GREETING", "hello"}, {"AUDIENCE", "world"}};
    options.readiness.interval = milliseconds(100);
    options.restart_backoff = milliseconds(100);
    options.stop_grace = milliseconds(3000);
    return options;
  }

  std::unique_ptr<Target> Make(ProcessTargetOptions options) {
    Result<std::unique_ptr<Target>> target = MakeProcessTarget(std::move(options));
    EXPECT_TRUE(target.ok()) << target.status().ToString();
    return target.ok() ? std::move(target).value() : nullptr;
  }

  RevisionSpec Revision(const std::string& id, int instances) {
    RevisionSpec spec;
    spec.id = id;
    spec.digest = "sha256:" + id;
    spec.artifact_dir = artifact_;
    spec.instances = instances;
    return spec;
  }

  RevisionState State(Target& target, const std::string& id) {
    Result<RevisionState> state = target.Inspect(id);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? *state : RevisionState{};
  }

  bool ReadyCount(Target& target, const std::string& id, int ready) {
    return WaitUntil([&] { return State(target, id).ready == ready; });
  }

  // The pid the instance's server reports, or -1 when it does not answer.
  static int ServedPid(const Endpoint& endpoint) {
    Result<HttpAnswer> answer = HttpGet(endpoint, "/", milliseconds(3000));
    if (!answer.ok() || answer->status != 200) return -1;
    return std::stoi(answer->body.substr(answer->body.find(' ') + 1));
  }

  nlohmann::json Record(const std::string& id) {
    return nlohmann::json::parse(ReadText(dir_.path() / "state" / id / "instances.json"));
  }

  TempDir dir_;
  std::filesystem::path artifact_ = MakeServerArtifact(dir_.path() / "artifact");
};

TEST_F(ProcessTargetTest, StartsInstancesInTheirOwnSessionsAndScales) {
  auto target = Make(Options());
  ASSERT_TRUE(target);
  RevisionSpec spec = Revision("r1", 2);
  spec.env = {{"GREETING", "hi"}};  // the revision's env wins over the target's
  ASSERT_TRUE(target->Apply(spec).ok());
  ASSERT_TRUE(ReadyCount(*target, "r1", 2));
  RevisionState state = State(*target, "r1");
  EXPECT_EQ(state.desired, 2);
  EXPECT_EQ(state.running, 2);
  ASSERT_EQ(state.endpoints.size(), 2u);
  EXPECT_NE(state.endpoints[0].port, state.endpoints[1].port);
  const Endpoint first = state.endpoints[0];
  const int first_pid = ServedPid(first);
  EXPECT_GT(first_pid, 0);
  const nlohmann::json record = Record("r1");  // the loop must not outlive it
  for (const auto& instance : record["instances"]) {
    const pid_t pid = instance["pid"].get<pid_t>();
    EXPECT_EQ(getsid(pid), pid) << "each instance leads a session of its own";
  }
  // The environment and the log: PORT, revision, digest and the configured env.
  const std::string log = ReadText(dir_.path() / "state/r1/0.log");
  EXPECT_THAT(log, HasSubstr("start " + std::to_string(first.port) + " r1 sha256:r1 hi world"));

  // Up to 3, then down to 1: the newest instances go, the first keeps running untouched.
  ASSERT_TRUE(target->Apply(Revision("r1", 3)).ok());
  ASSERT_TRUE(ReadyCount(*target, "r1", 3));
  const std::vector<Endpoint> three = State(*target, "r1").endpoints;
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  state = State(*target, "r1");
  EXPECT_EQ(state.running, 1);
  ASSERT_EQ(state.endpoints.size(), 1u);
  EXPECT_EQ(state.endpoints[0], first);
  EXPECT_EQ(ServedPid(first), first_pid);
  EXPECT_EQ(ServedPid(three[2]), -1) << "a stopped instance no longer answers";
  // Applying the same again changes nothing.
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  EXPECT_EQ(ServedPid(first), first_pid);
  EXPECT_EQ(State(*target, "r1").restarts, 0);
  // Zero instances: the revision stays known, with nothing running.
  ASSERT_TRUE(target->Apply(Revision("r1", 0)).ok());
  state = State(*target, "r1");
  EXPECT_EQ(state.running, 0);
  EXPECT_EQ(ServedPid(first), -1);
  EXPECT_EQ(target->Revisions(), std::vector<std::string>{"r1"});
  ASSERT_TRUE(target->Remove("r1").ok());
}

TEST_F(ProcessTargetTest, RemoveStopsTheProcessGroupAndKeepsLogs) {
  auto target = Make(Options("python3 server.py {port} & echo child started; wait"));
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  ASSERT_TRUE(ReadyCount(*target, "r1", 1));
  const pid_t pgid = Record("r1")["instances"][0]["pid"].get<pid_t>();
  EXPECT_EQ(ProcessGroupMembers(pgid).size(), 2u) << "the shell and its python child";
  const Endpoint endpoint = State(*target, "r1").endpoints.at(0);

  ASSERT_TRUE(target->Remove("r1").ok());
  EXPECT_TRUE(ProcessGroupMembers(pgid).empty());
  EXPECT_EQ(ServedPid(endpoint), -1);
  EXPECT_EQ(target->Inspect("r1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(target->Revisions().empty());
  EXPECT_THAT(ReadText(dir_.path() / "state/r1/0.log"), HasSubstr("child started"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state/r1/instances.json"));
  EXPECT_EQ(target->Remove("r1").code(), StatusCode::kNotFound);
}

TEST_F(ProcessTargetTest, CrashesAreRestartedWithBackoffUntilTheBudgetIsSpent) {
  ProcessTargetOptions options = Options("date +%s%N; echo 'boom' >&2; exit 3");
  options.max_restarts = 3;
  auto target = Make(options);
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  ASSERT_TRUE(WaitUntil([&] { return State(*target, "r1").crash_looping; }));
  const RevisionState state = State(*target, "r1");
  EXPECT_EQ(state.restarts, 3);
  EXPECT_EQ(state.running, 0);
  EXPECT_EQ(state.ready, 0);
  EXPECT_THAT(state.message, HasSubstr("crash looping"));
  EXPECT_THAT(state.message, HasSubstr("exited with status 3"));

  // Four starts; the pauses between them at least 100, 200 and 400 ms (the backoff doubles).
  std::vector<long long> starts;
  std::istringstream log(ReadText(dir_.path() / "state/r1/0.log"));
  for (std::string line; std::getline(log, line);) {
    if (line != "boom") starts.push_back(std::stoll(line));
  }
  ASSERT_EQ(starts.size(), 4u);
  for (size_t i = 1; i < starts.size(); ++i) {
    EXPECT_GE((starts[i] - starts[i - 1]) / 1000000, 100 << (i - 1)) << "restart " << i;
  }
  // Given up: nothing starts any more, not even when applied again.
  EXPECT_EQ(target->Apply(Revision("r1", 1)).code(), StatusCode::kFailedPrecondition);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(State(*target, "r1").restarts, 3);
  EXPECT_EQ(State(*target, "r1").running, 0);
  // Removing it resets that.
  ASSERT_TRUE(target->Remove("r1").ok());
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  EXPECT_FALSE(State(*target, "r1").crash_looping);
  ASSERT_TRUE(target->Remove("r1").ok());
}

TEST_F(ProcessTargetTest, AnInstanceFailingItsLivenessCheckIsRestarted) {
  ProcessTargetOptions options = Options();
  HealthCheck liveness;
  liveness.kind = HealthCheck::Kind::kHttp;
  liveness.http_path = "/healthz";
  liveness.interval = milliseconds(100);
  liveness.failure_threshold = 2;
  options.liveness = liveness;
  auto target = Make(options);
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  ASSERT_TRUE(ReadyCount(*target, "r1", 1));
  const Endpoint endpoint = State(*target, "r1").endpoints.at(0);
  const int pid = ServedPid(endpoint);

  WriteText(artifact_ / "unhealthy", "");
  ASSERT_TRUE(WaitUntil([&] { return State(*target, "r1").restarts >= 1; }));
  std::filesystem::remove(artifact_ / "unhealthy");
  EXPECT_THAT(State(*target, "r1").message, HasSubstr("liveness"));
  ASSERT_TRUE(ReadyCount(*target, "r1", 1));
  const RevisionState state = State(*target, "r1");
  ASSERT_EQ(state.endpoints.size(), 1u);
  EXPECT_EQ(state.endpoints[0], endpoint) << "a restarted instance keeps its port";
  const int new_pid = ServedPid(endpoint);
  EXPECT_GT(new_pid, 0);
  EXPECT_NE(new_pid, pid);
  ASSERT_TRUE(target->Remove("r1").ok());
}

TEST_F(ProcessTargetTest, AnInstanceThatNeverPassesReadinessStaysNotReady) {
  ProcessTargetOptions options = Options();
  options.readiness.kind = HealthCheck::Kind::kHttp;
  options.readiness.http_path = "/never";
  options.readiness.failure_threshold = 2;
  auto target = Make(options);
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  // Wait until the server answers (python starts slowly), then a few more checks.
  ASSERT_TRUE(
      WaitUntil([&] { return State(*target, "r1").message.find("503") != std::string::npos; }));
  std::this_thread::sleep_for(milliseconds(300));
  const RevisionState state = State(*target, "r1");
  EXPECT_EQ(state.running, 1);
  EXPECT_EQ(state.ready, 0);
  EXPECT_TRUE(state.endpoints.empty());
  EXPECT_EQ(state.restarts, 0);
  EXPECT_THAT(state.message, HasSubstr("/never answered 503"));
  ASSERT_TRUE(target->Remove("r1").ok());
}

TEST_F(ProcessTargetTest, ExecReadinessCheckRunsInTheInstanceDirectory) {
  ProcessTargetOptions options = Options();
  options.readiness.kind = HealthCheck::Kind::kExec;
  options.readiness.command = "test -e ready-{revision} && echo checked $PORT > checked";
  auto target = Make(options);
  ASSERT_TRUE(target);
  ASSERT_TRUE(target->Apply(Revision("r1", 1)).ok());
  ASSERT_TRUE(WaitUntil([&] {
    return State(*target, "r1").message.find("exited with status 1") != std::string::npos;
  }));
  EXPECT_EQ(State(*target, "r1").ready, 0);
  WriteText(artifact_ / "ready-r1", "");
  ASSERT_TRUE(ReadyCount(*target, "r1", 1));
  EXPECT_EQ(ReadText(artifact_ / "checked"),
            "checked " + std::to_string(State(*target, "r1").endpoints.at(0).port) + "\n");
  ASSERT_TRUE(target->Remove("r1").ok());
}

TEST_F(ProcessTargetTest, ANewTargetAdoptsRunningInstancesAndRestartsDeadOnes) {
  auto first = Make(Options());
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->Apply(Revision("r1", 2)).ok());
  ASSERT_TRUE(first->Apply(Revision("r2", 1)).ok());
  ASSERT_TRUE(ReadyCount(*first, "r1", 2));
  ASSERT_TRUE(ReadyCount(*first, "r2", 1));
  const std::vector<Endpoint> endpoints = State(*first, "r1").endpoints;
  const int pid0 = ServedPid(endpoints[0]);
  const nlohmann::json record = Record("r1");
  first.reset();  // "the server restarts": instances keep running

  // Meanwhile instance 1 dies.
  const pid_t dead = record["instances"][1]["pid"].get<pid_t>();
  ASSERT_EQ(kill(-dead, SIGKILL), 0);
  ASSERT_TRUE(WaitUntil([&] { return ProcessGroupMembers(dead).empty(); }));

  auto second = Make(Options());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->Revisions(), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(State(*second, "r2").ready, 1) << "readiness is carried over, then re-checked";
  ASSERT_TRUE(ReadyCount(*second, "r1", 2));
  const RevisionState state = State(*second, "r1");
  EXPECT_EQ(state.restarts, 1);
  EXPECT_EQ(state.endpoints, endpoints);
  EXPECT_EQ(ServedPid(endpoints[0]), pid0) << "the live instance was adopted, not restarted";
  EXPECT_EQ(Record("r1")["instances"][0]["pid"], record["instances"][0]["pid"]);
  EXPECT_NE(Record("r1")["instances"][1]["pid"], record["instances"][1]["pid"]);
  EXPECT_THAT(state.message, HasSubstr("instance 1"));

  // The adopted instances are fully managed: Remove stops them.
  ASSERT_TRUE(second->Remove("r1").ok());
  ASSERT_TRUE(second->Remove("r2").ok());
  EXPECT_EQ(ServedPid(endpoints[0]), -1);
}

TEST_F(ProcessTargetTest, BadRevisionsAndOptionsAreRefused) {
  EXPECT_EQ(MakeProcessTarget(ProcessTargetOptions{}).status().code(),
            StatusCode::kInvalidArgument);
  auto target = Make(Options());
  ASSERT_TRUE(target);
  EXPECT_EQ(target->Apply(Revision("../escape", 1)).code(), StatusCode::kInvalidArgument);
  RevisionSpec missing = Revision("r1", 1);
  missing.artifact_dir = dir_.path() / "nowhere";
  EXPECT_EQ(target->Apply(missing).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(target->Inspect("r9").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace slipway::deploy
