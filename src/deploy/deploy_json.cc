// The JSON forms of deploy records and environment status (documented in deploy.h).
#include <nlohmann/json.hpp>

#include "deploy/deploy.h"
#include "util/rfc3339.h"

namespace slipway::deploy {

namespace {

using Json = nlohmann::json;

Json Endpoints(const std::vector<Endpoint>& endpoints) {
  Json out = Json::array();
  for (const Endpoint& endpoint : endpoints) out.push_back(endpoint.ToString());
  return out;
}

// A gate's explanation (kept as text in the record), or null when no policy applied.
Json GateJson(const std::string& text) {
  if (text.empty()) return nullptr;
  Json gate = Json::parse(text, nullptr, false);
  return gate.is_discarded() ? Json(nullptr) : gate;
}

Json RecordJson(const DeployRecord& record) {
  Json steps = Json::array();
  for (const StepRecord& step : record.steps) {
    steps.push_back({{"name", step.name},
                     {"started", FormatRfc3339(step.started)},
                     {"finished", FormatRfc3339(step.finished)},
                     {"outcome", step.outcome},
                     {"message", step.message}});
  }
  const bool finished = record.outcome != "running";
  return {{"id", record.id},
          {"project", record.project},
          {"environment", record.environment},
          {"revision", record.revision},
          {"artifact", record.artifact},
          {"digest", record.digest},
          {"provenance", record.provenance},
          {"trigger", record.trigger},
          {"triggered_by", record.triggered_by},
          {"run_id", record.run_id},
          {"strategy", record.strategy},
          {"started", FormatRfc3339(record.started)},
          {"finished", finished ? Json(FormatRfc3339(record.finished)) : Json(nullptr)},
          {"outcome", record.outcome},
          {"reason", record.reason},
          {"steps", steps},
          {"gate", GateJson(record.gate_json)},
          {"promote_gate", GateJson(record.promote_gate_json)}};
}

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string DeployRecordsJson(const std::vector<DeployRecord>& records) {
  Json out = Json::array();
  for (const DeployRecord& record : records) out.push_back(RecordJson(record));
  return Dump(out);
}

std::string EnvironmentStatusJson(const EnvironmentStatus& status) {
  Json stable = nullptr;
  if (status.stable) {
    const RevisionState& state = *status.stable;
    stable = {{"revision", state.id},
              {"digest", status.stable_digest},
              {"desired", state.desired},
              {"running", state.running},
              {"ready", state.ready},
              {"restarts", state.restarts},
              {"crash_looping", state.crash_looping},
              {"endpoints", Endpoints(state.endpoints)},
              {"message", state.message}};
  }
  Json routes = Json::array();
  for (const Backend& backend : status.routes) {
    routes.push_back({{"revision", backend.revision},
                      {"weight", backend.weight},
                      {"endpoints", Endpoints(backend.endpoints)}});
  }
  Json traffic = Json::array();
  for (const auto& [revision, sample] : status.traffic) {
    traffic.push_back(
        {{"revision", revision}, {"requests", sample.requests}, {"errors", sample.errors}});
  }
  Json drift = Json::array();
  for (const DriftEvent& event : status.recent_drift) {
    drift.push_back({{"at", FormatRfc3339(event.at)},
                     {"kind", event.kind},
                     {"message", event.message},
                     {"healed", event.healed}});
  }
  return Dump({{"project", status.project},
               {"environment", status.environment},
               {"stable", stable},
               {"active", status.active ? RecordJson(*status.active) : Json(nullptr)},
               {"rollout_elsewhere", status.rollout_elsewhere},
               {"routes", routes},
               {"router_error", status.router_error},
               {"traffic", traffic},
               {"drift", drift}});
}

}  // namespace slipway::deploy
