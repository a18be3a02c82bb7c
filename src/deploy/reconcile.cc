// The reconciler: what runs against what should run, per environment; and the metrics.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "deploy/deployments_impl.h"
#include "util/text_escape.h"

namespace slipway::deploy {

namespace {

std::string Table(const std::vector<Backend>& backends) {
  std::string text;
  for (const Backend& backend : backends) {
    if (!text.empty()) text += ", ";
    text += backend.revision + "=" + std::to_string(backend.weight) + "% [";
    for (size_t i = 0; i < backend.endpoints.size(); ++i) {
      text += (i ? " " : "") + backend.endpoints[i].ToString();
    }
    text += "]";
  }
  return text.empty() ? "(empty)" : text;
}

// Equal routing: the same revisions with the same weights and the same endpoints (any order).
bool SameRouting(std::vector<Backend> a, std::vector<Backend> b) {
  auto normal = [](std::vector<Backend>& table) {
    std::erase_if(table, [](const Backend& backend) { return backend.weight == 0; });
    for (Backend& backend : table) {
      std::sort(backend.endpoints.begin(), backend.endpoints.end(),
                [](const Endpoint& x, const Endpoint& y) { return x.ToString() < y.ToString(); });
    }
    std::sort(table.begin(), table.end(),
              [](const Backend& x, const Backend& y) { return x.revision < y.revision; });
  };
  normal(a);
  normal(b);
  return a == b;
}

}  // namespace

void Deployments::Impl::RecordDrift(Runtime& runtime, DriftEvent event) {
  {
    std::ofstream out(runtime.dir / "events.jsonl", std::ios::app);
    out << nlohmann::json{{"at_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                        event.at.time_since_epoch())
                                        .count()},
                          {"kind", event.kind},
                          {"message", event.message},
                          {"healed", event.healed}}
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  }
  std::lock_guard lock(mutex);
  ++runtime.drift_counts[event.kind];
  runtime.drift.push_back(std::move(event));
  while (runtime.drift.size() > 20) runtime.drift.pop_front();
}

std::vector<DriftEvent> Deployments::Impl::ReconcileOne(Runtime& runtime) {
  std::vector<DriftEvent> found;
  EnvironmentLock lock(runtime.dir);
  if (!lock.locked()) return found;  // a rollout owns the environment now
  Result<DesiredState> desired = ledger->Load(runtime.project, runtime.name);
  if (!desired.ok() || !desired->stable) return found;
  const RevisionSpec& stable = *desired->stable;
  const bool heal = runtime.environment->self_heal;
  std::map<std::string, std::string> seen;  // kind → message, for this pass

  auto drift = [&](const std::string& kind, const std::string& message, auto repair) {
    seen[kind] = message;
    {
      std::lock_guard guard(mutex);
      if (runtime.last_drift[kind] == message) return;  // already reported
      runtime.last_drift[kind] = message;
    }
    DriftEvent event{.at = std::chrono::system_clock::now(),
                     .project = runtime.project,
                     .environment = runtime.name,
                     .kind = kind,
                     .message = message,
                     .healed = false};
    if (heal) event.healed = repair().ok();
    found.push_back(event);
    RecordDrift(runtime, std::move(event));
  };

  Result<RevisionState> state = runtime.target->Inspect(stable.id);
  if (!state.ok()) {
    drift("revision", "the stable revision " + stable.id + " is not running",
          [&] { return runtime.target->Apply(stable); });
  } else if (state.value().ready < state.value().desired || state.value().crash_looping) {
    drift("instances",
          stable.id + ": " + std::to_string(state.value().ready) + " of " +
              std::to_string(state.value().desired) + " instances ready" +
              (state.value().message.empty() ? "" : " (" + state.value().message + ")"),
          [&] { return runtime.target->Apply(stable); });
  }
  for (const std::string& id : runtime.target->Revisions()) {
    if (id == stable.id) continue;
    drift("revision", id + " runs but is not the stable revision " + stable.id,
          [&] { return runtime.target->Remove(id); });
  }
  if (runtime.router && state.ok() && !state.value().endpoints.empty()) {
    const std::vector<Backend> desired = {
        {.revision = stable.id, .endpoints = state.value().endpoints, .weight = 100}};
    Result<std::vector<Backend>> observed = runtime.router->Observe();
    if (!observed.ok()) {
      drift("router", "cannot read the router: " + observed.status().message(), [&] {
        SLIPWAY_RETURN_IF_ERROR(EnsureProxy(runtime));  // a dead built-in proxy comes back
        return runtime.router->Apply(desired);
      });
    } else if (!SameRouting(observed.value(), desired)) {
      drift("router", "router sends " + Table(observed.value()) + "; desired " + Table(desired),
            [&] { return runtime.router->Apply(desired); });
    }
  }
  // A kind that is fine again may be reported again when it next drifts.
  std::lock_guard guard(mutex);
  for (auto it = runtime.last_drift.begin(); it != runtime.last_drift.end();) {
    it = seen.contains(it->first) ? std::next(it) : runtime.last_drift.erase(it);
  }
  return found;
}

std::vector<DriftEvent> Deployments::Reconcile() {
  std::vector<DriftEvent> found;
  for (const auto& [project, environment] : Environments()) {
    // What runs is looked after by the host that deployed it.
    if (!std::filesystem::exists(impl_->DirOf(project, environment))) continue;
    Result<Runtime*> runtime = impl_->Adopt(project, environment);
    if (!runtime.ok()) continue;
    std::vector<DriftEvent> events = impl_->ReconcileOne(*runtime.value());
    found.insert(found.end(), events.begin(), events.end());
  }
  return found;
}

namespace {

// Seconds since the epoch with millisecond precision, as Prometheus timestamps metrics go.
std::string Seconds(std::chrono::system_clock::time_point at) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return text;
}

}  // namespace

// `service` is the project's name: slipway deploys one service per project, and alerts name it
// in the same label (docs/server.md, "Alerts and incidents").
std::string Deployments::MetricsText() {
  std::string info, started, finished, deploys, drift;
  // The ledger lists each environment with its desired state: one read for all of them.
  Result<std::vector<DesiredState>> states = impl_->ledger->Environments();
  if (!states.ok()) states = std::vector<DesiredState>{};
  for (const DesiredState& desired : states.value()) {
    const std::string& project = desired.project;
    const std::string& environment = desired.environment;
    const std::string labels = "project=\"" + PrometheusLabelValue(project) + "\",environment=\"" +
                               PrometheusLabelValue(environment) + "\",service=\"" +
                               PrometheusLabelValue(project) + "\"";
    if (desired.stable) {
      info += "slipway_deploy_info{" + labels + ",revision=\"" +
              PrometheusLabelValue(desired.stable->id) + "\",digest=\"" +
              PrometheusLabelValue(desired.stable->digest) + "\"} 1\n";
    }
    Result<std::vector<DeployRecord>> history = History(project, environment);
    if (history.ok() && !history->empty()) {
      const DeployRecord& last = history->back();
      const std::string deploy =
          "{" + labels + ",revision=\"" + PrometheusLabelValue(last.revision) + "\"} ";
      started += "slipway_deploy_started_timestamp_seconds" + deploy + Seconds(last.started) + "\n";
      if (last.outcome != "running") {
        finished +=
            "slipway_deploy_finished_timestamp_seconds" + deploy + Seconds(last.finished) + "\n";
      }
    }
    std::lock_guard lock(impl_->mutex);
    auto found = impl_->runtimes.find({project, environment});
    if (found == impl_->runtimes.end() || !found->second) continue;
    for (const auto& [outcome, count] : found->second->deploy_counts) {
      deploys += "slipway_deploys_total{" + labels + ",outcome=\"" + outcome + "\"} " +
                 std::to_string(count) + "\n";
    }
    for (const auto& [kind, count] : found->second->drift_counts) {
      drift += "slipway_deploy_drift_total{" + labels + ",kind=\"" + kind + "\"} " +
               std::to_string(count) + "\n";
    }
  }
  return "# HELP slipway_deploy_info The revision each environment serves.\n"
         "# TYPE slipway_deploy_info gauge\n" +
         info +
         "# HELP slipway_deploy_started_timestamp_seconds When the environment's most recent "
         "deploy started.\n"
         "# TYPE slipway_deploy_started_timestamp_seconds gauge\n" +
         started +
         "# HELP slipway_deploy_finished_timestamp_seconds When the environment's most recent "
         "deploy finished (absent while it runs).\n"
         "# TYPE slipway_deploy_finished_timestamp_seconds gauge\n" +
         finished +
         "# HELP slipway_deploys_total Deploys finished by this process.\n"
         "# TYPE slipway_deploys_total counter\n" +
         deploys +
         "# HELP slipway_deploy_drift_total Drift the reconciler found.\n"
         "# TYPE slipway_deploy_drift_total counter\n" +
         drift;
}

}  // namespace slipway::deploy
