// The acceptance test of progressive delivery under real traffic: while a paced load of about
// 500 requests/s runs through the router's frontend, a first deploy, a canary, a blue-green
// switch and an aborted canary each complete without one failed request. Real revisions (a
// ProcessTarget running the python test server), once behind the built-in proxy driven through
// its admin API, once behind a real haproxy driven through its Runtime API.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"
#include "deploy/haproxy_process.h"
#include "deploy/traffic_load.h"
#include "proxy/proxy.h"

namespace slipway::deploy {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::HaproxyProcess;
using testing::LoadAnswer;
using testing::LoadClock;
using testing::TempDir;
using testing::TrafficLoad;
using testing::WaitUntil;

constexpr int kRequestsPerSecond = 500;
// The load is paced, so on an idle machine it sends kRequestsPerSecond; a loaded build
// machine slows the answers (and so the pace) down, but never this far.
constexpr double kMinRequestsPerSecond = 150;

// Revisions that answered the requests among `answers` (failures aside), with their counts.
std::map<std::string, int> Revisions(const std::vector<LoadAnswer>& answers) {
  std::map<std::string, int> counts;
  for (const LoadAnswer& answer : answers) {
    if (!answer.failed()) ++counts[answer.revision];
  }
  return counts;
}

std::string Show(const std::map<std::string, int>& counts) {
  std::string out;
  for (const auto& [revision, n] : counts) out += revision + "=" + std::to_string(n) + " ";
  return out;
}

// One environment: a process target for revisions A–D, a router in front of them, and the load.
class Scenario {
 public:
  Scenario(Router& router, Endpoint frontend) : router_(router), frontend_(std::move(frontend)) {
    ProcessTargetOptions options;
    options.state_dir = dir_.path() / "instances";
    options.command = "exec python3 server.py {port}";
    options.readiness.interval = milliseconds(100);
    options.stop_grace = seconds(5);
    Result<std::unique_ptr<Target>> target = MakeProcessTarget(options);
    EXPECT_TRUE(target.ok()) << target.status().ToString();
    if (target.ok()) target_ = std::move(target).value();
    artifact_ = testing::MakeServerArtifact(dir_.path() / "artifact");
  }

  ~Scenario() {
    load_.reset();
    if (!target_) return;
    for (const std::string& revision : target_->Revisions()) (void)target_->Remove(revision);
  }

  void Run() {
    ASSERT_TRUE(target_);
    FirstDeploy();
    if (HasFatalFailure()) return;
    CanaryToFull();
    if (HasFatalFailure()) return;
    BlueGreen();
    if (HasFatalFailure()) return;
    AbortedCanary();
    if (HasFatalFailure()) return;

    const double elapsed =
        std::chrono::duration<double>(LoadClock::now() - load_->started()).count();
    load_->Stop();
    std::printf("[ load ] %zu requests in %.1f s (%.0f/s), %zu failed\n", load_->total(), elapsed,
                static_cast<double>(load_->total()) / elapsed, load_->failures());
    EXPECT_GE(static_cast<double>(load_->total()), kMinRequestsPerSecond * elapsed)
        << "the load did not really run";
    EXPECT_EQ(load_->failures(), 0u) << "first failures:\n" << load_->DescribeFailures();
  }

 private:
  static bool HasFatalFailure() { return ::testing::Test::HasFatalFailure(); }

  // Two instances each. B and D keep their connections open (HTTP/1.1 keep-alive), A and C
  // close each one after answering (HTTP/1.0): routers must drain both kinds.
  RevisionSpec Revision(const std::string& id) const {
    const bool keep_alive = id == "B" || id == "D";
    return {id, "", artifact_, 2, {{"HTTP_KEEP_ALIVE", keep_alive ? "1" : "0"}}};
  }

  RolloutOptions Options() const {
    RolloutOptions options;
    options.target = target_.get();
    options.router = &router_;
    options.ready_timeout = seconds(60);
    options.poll_interval = milliseconds(50);
    options.drain_delay = seconds(1);
    return options;
  }

  // Waits until at least `n` requests sent at or after `since` were answered, and returns
  // which revisions answered them.
  std::map<std::string, int> AnsweredSince(LoadClock::time_point since, size_t n = 150) {
    EXPECT_TRUE(WaitUntil([&] { return load_->CountSentSince(since) >= n; }, seconds(30)))
        << "the load stalled";
    return Revisions(load_->AnswersSentSince(since));
  }

  std::vector<std::string> Running() const { return target_->Revisions(); }

  // 1. The environment's first revision: no traffic before it (nothing to route to), then all
  // of it.
  void FirstDeploy() {
    StrategyPlan plan;
    plan.kind = StrategyPlan::Kind::kCanary;
    Rollout rollout(Options(), std::nullopt, Revision("A"), plan);
    const RolloutResult result = rollout.Run();
    ASSERT_TRUE(result.succeeded) << result.reason;
    Result<std::vector<Backend>> routes = router_.Observe();
    ASSERT_TRUE(routes.ok()) << routes.status().ToString();
    ASSERT_EQ(routes->size(), 1u);
    EXPECT_EQ((*routes)[0].revision, "A");
    EXPECT_EQ((*routes)[0].endpoints.size(), 2u);

    load_ = std::make_unique<TrafficLoad>(
        TrafficLoad::Options{.frontend = frontend_, .per_second = kRequestsPerSecond});
    const auto counts = AnsweredSince(load_->started());
    EXPECT_EQ(counts.size(), 1u) << Show(counts);
    EXPECT_GT(counts.count("A"), 0u) << Show(counts);
  }

  // 2. Canary B: 5% → 25% → 100%, short pauses; then B alone, A stopped.
  void CanaryToFull() {
    StrategyPlan plan;
    plan.kind = StrategyPlan::Kind::kCanary;
    using Kind = CanaryStepPlan::Kind;
    plan.steps = {{Kind::kSetWeight, 5, {}, "", {}},
                  {Kind::kPause, 0, milliseconds(800), "", {}},
                  {Kind::kSetWeight, 25, {}, "", {}},
                  {Kind::kPause, 0, milliseconds(800), "", {}},
                  {Kind::kSetWeight, 100, {}, "", {}}};
    const auto started = LoadClock::now();
    Rollout rollout(Options(), Revision("A"), Revision("B"), plan);
    const RolloutResult result = rollout.Run();
    const auto finished = LoadClock::now();
    ASSERT_TRUE(result.succeeded) << result.reason;
    EXPECT_EQ(Running(), std::vector<std::string>{"B"});

    // During the canary both answered; after it only B does.
    std::map<std::string, int> during;
    for (const LoadAnswer& a : load_->AnswersSentSince(started)) {
      if (!a.failed() && a.sent < finished) ++during[a.revision];
    }
    EXPECT_GT(during["A"], 0) << Show(during);
    EXPECT_GT(during["B"], 0) << Show(during);
    const auto after = AnsweredSince(finished);
    EXPECT_EQ(after.size(), 1u) << Show(after);
    EXPECT_GT(after.count("B"), 0u) << Show(after);
  }

  // 3. Blue-green C: warm, switched at once, B kept warm briefly and then stopped.
  void BlueGreen() {
    StrategyPlan plan;
    plan.kind = StrategyPlan::Kind::kBlueGreen;
    plan.scale_down_delay = seconds(1);
    Rollout rollout(Options(), Revision("B"), Revision("C"), plan);
    const RolloutResult result = rollout.Run();
    const auto finished = LoadClock::now();
    ASSERT_TRUE(result.succeeded) << result.reason;
    EXPECT_EQ(Running(), std::vector<std::string>{"C"});
    const auto after = AnsweredSince(finished);
    EXPECT_EQ(after.size(), 1u) << Show(after);
    EXPECT_GT(after.count("C"), 0u) << Show(after);
  }

  // 4. Canary D at 25%, paused until approved, aborted from here during the pause: from the
  // moment Abort returns every request is C's, D is stopped, the rollout failed with the reason.
  void AbortedCanary() {
    StrategyPlan plan;
    plan.kind = StrategyPlan::Kind::kCanary;
    using Kind = CanaryStepPlan::Kind;
    plan.steps = {{Kind::kSetWeight, 25, {}, "", {}}, {Kind::kPause, 0, std::nullopt, "", {}}};
    Rollout rollout(Options(), Revision("C"), Revision("D"), plan);
    RolloutResult result;
    std::thread runner([&] { result = rollout.Run(); });
    const bool paused =
        WaitUntil([&] { return rollout.current_step() == "pause until approved"; }, seconds(60));
    // D takes its share before the abort (so the abort really takes traffic away from it).
    const auto paused_at = LoadClock::now();
    const bool d_served = paused && WaitUntil([&] {
                            return Revisions(load_->AnswersSentSince(paused_at))["D"] >= 20;
                          });
    const auto abort_called = LoadClock::now();
    const Status aborted = rollout.Abort("stopped by the traffic test");
    const auto abort_returned = LoadClock::now();
    runner.join();
    ASSERT_TRUE(paused) << "the canary never paused: " << rollout.current_step();
    EXPECT_TRUE(d_served) << Show(Revisions(load_->AnswersSentSince(paused_at)));
    EXPECT_TRUE(aborted.ok()) << aborted.ToString();
    EXPECT_FALSE(result.succeeded);
    EXPECT_EQ(result.reason, "stopped by the traffic test");
    EXPECT_EQ(Running(), std::vector<std::string>{"C"});

    const auto after = AnsweredSince(abort_returned, 300);
    EXPECT_EQ(after.size(), 1u) << Show(after);
    EXPECT_GT(after.count("C"), 0u) << Show(after);

    // Timings are printed, not asserted (see bench/deploy for the benchmark).
    std::optional<LoadAnswer> last_d;
    for (const LoadAnswer& a : load_->Answers()) {
      if (a.revision == "D" && (!last_d || a.answered > last_d->answered)) last_d = a;
    }
    const auto ms = [&](LoadClock::time_point t) {
      return std::chrono::duration<double, std::milli>(t - abort_returned).count();
    };
    std::printf(
        "[ abort ] Abort() took %.1f ms; last request answered by D: sent %+.1f ms, answered "
        "%+.1f ms after Abort() returned\n",
        std::chrono::duration<double, std::milli>(abort_returned - abort_called).count(),
        last_d ? ms(last_d->sent) : 0.0, last_d ? ms(last_d->answered) : 0.0);
  }

  TempDir dir_;
  Router& router_;
  const Endpoint frontend_;
  std::unique_ptr<Target> target_;
  std::filesystem::path artifact_;
  std::unique_ptr<TrafficLoad> load_;
};

TEST(RolloutTrafficTest, BuiltInProxyServesEveryRequestThroughRolloutsAndAnAbort) {
  proxy::ProxyOptions options;
  options.threads = 2;
  options.admin_enabled = true;
  options.admin_token = "traffic-test-token";
  Result<std::unique_ptr<proxy::Proxy>> proxy = proxy::Proxy::Start(options, proxy::Routes{});
  ASSERT_TRUE(proxy.ok()) << proxy.status().ToString();
  std::unique_ptr<Router> router = MakeProxyRouter(
      {.admin = {"127.0.0.1", (*proxy)->admin_port()}, .token = options.admin_token});
  Scenario scenario(*router, {"127.0.0.1", (*proxy)->port()});
  scenario.Run();
}

// haproxy as docs/deploy.md configures it, deliberately without `option redispatch` or
// `retries`: no request may depend on haproxy retrying it elsewhere.
TEST(RolloutTrafficTest, HaproxyServesEveryRequestThroughRolloutsAndAnAbort) {
  constexpr int kSlots = 6;
  TempDir dir;
  HaproxyProcess haproxy(dir.path(), kSlots);
  ASSERT_TRUE(haproxy.ok()) << haproxy.error();
  Result<std::unique_ptr<Router>> router = MakeHaproxyRouter(haproxy.RouterOptions(kSlots));
  ASSERT_TRUE(router.ok()) << router.status().ToString();
  Scenario scenario(**router, haproxy.frontend());
  scenario.Run();
}

}  // namespace
}  // namespace slipway::deploy
