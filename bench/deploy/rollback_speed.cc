// Rollback speed (issue 5): how soon after the decision to abort a canary every new request
// lands on the stable revision, under a paced load, with the built-in proxy (in process, driven
// through its admin API as deploys drive it) and with a real haproxy (Runtime API).
//
// Per router: a stable revision S (2 instances of the python test server, real processes),
// then N canaries c1…cN, each routed 25% and paused until approved; once a canary has answered
// 20 requests, Abort() is called. Measured per abort, from the call (the decision):
//   switch  when Abort() returned: the router confirmed the new table (an upper bound: every
//           request sent after it goes to S, by the Router contract);
//   last    when the last request the canary answered was sent (what clients saw; 0 when
//           that was before the decision);
//   done    when Rollout::Run() returned (the canary drained and stopped).
// Prints the medians (and the slowest switch), one line per router, and the failed requests
// (which should be 0).
//
// Usage: deploy_rollback_speed [--aborts N] [--rate R] [--router proxy|haproxy|both]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"
#include "deploy/haproxy_process.h"
#include "deploy/traffic_load.h"
#include "proxy/proxy.h"

namespace slipway::deploy {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::LoadAnswer;
using testing::LoadClock;
using testing::TrafficLoad;
using testing::WaitUntil;

struct Settings {
  int aborts = 10;
  int rate = 500;
  std::string routers = "both";
};

struct Figures {
  std::vector<double> switch_ms, last_ms, done_ms;
  size_t requests = 0, failures = 0;
  std::string error;  // set when the run could not be completed
};

double Ms(LoadClock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// One canary of `id` at 25%, aborted once it has answered requests; adds its figures.
Status AbortOne(Target& target, Router& router, const RevisionSpec& stable,
                const RevisionSpec& next, TrafficLoad& load, Figures& figures) {
  RolloutOptions options;
  options.target = &target;
  options.router = &router;
  options.ready_timeout = seconds(60);
  options.poll_interval = milliseconds(20);
  options.drain_delay = milliseconds(500);
  StrategyPlan plan;
  plan.kind = StrategyPlan::Kind::kCanary;
  plan.steps = {{CanaryStepPlan::Kind::kSetWeight, 25, {}, "", {}},
                {CanaryStepPlan::Kind::kPause, 0, std::nullopt, "", {}}};
  Rollout rollout(options, stable, next, plan);
  RolloutResult result;
  std::thread runner([&] { result = rollout.Run(); });
  const bool paused =
      WaitUntil([&] { return rollout.current_step() == "pause until approved"; }, seconds(60));
  const auto paused_at = LoadClock::now();
  const bool served = paused && WaitUntil([&] {
                        const std::vector<LoadAnswer> answers = load.AnswersSentSince(paused_at);
                        return std::count_if(answers.begin(), answers.end(), [&](const auto& a) {
                                 return a.revision == next.id;
                               }) >= 20;
                      });
  const auto decided = LoadClock::now();
  const Status aborted = rollout.Abort("rollback benchmark");
  const auto switched = LoadClock::now();
  runner.join();
  const auto done = LoadClock::now();
  if (!paused || !served) return Unavailable(next.id + " never served its share");
  if (!aborted.ok()) return aborted;
  // Requests sent just before the switch may still be in flight: let them finish.
  std::this_thread::sleep_for(milliseconds(200));
  std::optional<LoadClock::time_point> last_sent;
  for (const LoadAnswer& a : load.AnswersSentSince(paused_at)) {
    if (a.revision == next.id && (!last_sent || a.sent > *last_sent)) last_sent = a.sent;
  }
  figures.switch_ms.push_back(Ms(switched - decided));
  figures.last_ms.push_back(last_sent ? std::max(0.0, Ms(*last_sent - decided)) : 0.0);
  figures.done_ms.push_back(Ms(done - decided));
  return result.succeeded ? Internal("the aborted rollout succeeded") : Status::Ok();
}

// A stable revision behind `router`, the load on `frontend`, and settings.aborts aborts.
Figures Measure(Router& router, const Endpoint& frontend, const std::filesystem::path& dir,
                const Settings& settings) {
  Figures figures;
  ProcessTargetOptions options;
  options.state_dir = dir / "instances";
  options.command = "exec python3 server.py {port}";
  options.readiness.interval = milliseconds(50);
  Result<std::unique_ptr<Target>> made = MakeProcessTarget(options);
  if (!made.ok()) {
    figures.error = made.status().ToString();
    return figures;
  }
  Target& target = **made;
  const std::filesystem::path artifact = testing::MakeServerArtifact(dir / "artifact");
  const auto revision = [&](const std::string& id) {
    return RevisionSpec{id, "", artifact, 2, {{"HTTP_KEEP_ALIVE", "1"}}};
  };
  StrategyPlan first;
  first.kind = StrategyPlan::Kind::kCanary;
  RolloutOptions first_options;
  first_options.target = &target;
  first_options.router = &router;
  const RolloutResult deployed = Rollout(first_options, std::nullopt, revision("S"), first).Run();
  if (!deployed.succeeded) {
    figures.error = "first deploy: " + deployed.reason;
  } else {
    TrafficLoad load({.frontend = frontend, .per_second = settings.rate});
    for (int i = 1; i <= settings.aborts && figures.error.empty(); ++i) {
      Status run =
          AbortOne(target, router, revision("S"), revision("c" + std::to_string(i)), load, figures);
      if (!run.ok()) figures.error = run.ToString();
    }
    load.Stop();
    figures.requests = load.total();
    figures.failures = load.failures();
    if (figures.failures > 0) std::fprintf(stderr, "%s", load.DescribeFailures().c_str());
  }
  for (const std::string& id : target.Revisions()) (void)target.Remove(id);
  return figures;
}

void Print(const char* name, const Figures& f) {
  if (!f.error.empty()) {
    std::printf("%-22s failed: %s\n", name, f.error.c_str());
    return;
  }
  std::printf("%-22s %6zu %10.1f %10.1f %10.1f %10.1f %8zu %9zu\n", name, f.switch_ms.size(),
              Median(f.switch_ms), *std::max_element(f.switch_ms.begin(), f.switch_ms.end()),
              Median(f.last_ms), Median(f.done_ms), f.requests, f.failures);
}

int Main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--aborts") == 0) {
      settings.aborts = std::max(1, std::atoi(argv[i + 1]));
    } else if (std::strcmp(argv[i], "--rate") == 0) {
      settings.rate = std::max(1, std::atoi(argv[i + 1]));
    } else if (std::strcmp(argv[i], "--router") == 0) {
      settings.routers = argv[i + 1];
    } else {
      std::fprintf(stderr, "usage: %s [--aborts N] [--rate R] [--router proxy|haproxy|both]\n",
                   argv[0]);
      return 2;
    }
  }
  std::printf("%d aborts per router under %d requests/s; medians in ms from the abort decision\n",
              settings.aborts, settings.rate);
  std::printf("%-22s %6s %10s %10s %10s %10s %8s %9s\n", "router", "aborts", "switch", "switch max",
              "last", "done", "requests", "failures");
  bool failed = false;
  if (settings.routers == "proxy" || settings.routers == "both") {
    testing::TempDir dir;
    proxy::ProxyOptions options;
    options.threads = 2;
    options.admin_enabled = true;
    options.admin_token = "bench";
    Result<std::unique_ptr<proxy::Proxy>> proxy = proxy::Proxy::Start(options, proxy::Routes{});
    if (!proxy.ok()) {
      std::fprintf(stderr, "proxy: %s\n", proxy.status().ToString().c_str());
      return 1;
    }
    std::unique_ptr<Router> router =
        MakeProxyRouter({.admin = {"127.0.0.1", (*proxy)->admin_port()}, .token = "bench"});
    const Figures f = Measure(*router, {"127.0.0.1", (*proxy)->port()}, dir.path(), settings);
    Print("built-in proxy", f);
    failed |= !f.error.empty() || f.failures > 0;
  }
  if (settings.routers == "haproxy" || settings.routers == "both") {
    testing::TempDir dir;
    testing::HaproxyProcess haproxy(dir.path(), 6);
    if (!haproxy.ok()) {
      std::fprintf(stderr, "haproxy: %s\n", haproxy.error().c_str());
      return 1;
    }
    Result<std::unique_ptr<Router>> router = MakeHaproxyRouter(haproxy.RouterOptions(6));
    if (!router.ok()) {
      std::fprintf(stderr, "haproxy router: %s\n", router.status().ToString().c_str());
      return 1;
    }
    const Figures f = Measure(**router, haproxy.frontend(), dir.path(), settings);
    Print("haproxy (Runtime API)", f);
    failed |= !f.error.empty() || f.failures > 0;
  }
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace slipway::deploy

int main(int argc, char** argv) { return slipway::deploy::Main(argc, argv); }
