#include "deploy/ledger_json.h"

#include <nlohmann/json.hpp>

namespace slipway::deploy {

namespace {

using Json = nlohmann::json;

int64_t Millis(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}
std::chrono::system_clock::time_point FromMillis(int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

Result<Json> ParseObject(std::string_view text, const char* what) {
  Json json = Json::parse(text, nullptr, false);
  if (!json.is_object()) return InvalidArgument(std::string(what) + " is not a JSON object");
  return json;
}

Json RevisionObject(const RevisionSpec& revision) {
  return {{"id", revision.id},
          {"digest", revision.digest},
          {"artifact_dir", revision.artifact_dir.string()},
          {"instances", revision.instances},
          {"env", revision.env}};
}

RevisionSpec RevisionFrom(const Json& json) {
  RevisionSpec revision;
  revision.id = json.value("id", "");
  revision.digest = json.value("digest", "");
  revision.artifact_dir = json.value("artifact_dir", "");
  revision.instances = json.value("instances", 1);
  if (json.contains("env") && json["env"].is_array()) {
    for (const Json& pair : json["env"]) {
      if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
        revision.env.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
      }
    }
  }
  return revision;
}

// Reads a JSON object with `read`; a field of the wrong type is an error, not an exception.
template <typename T, typename Read>
Result<T> ReadObject(std::string_view text, const char* what, Read read) {
  SLIPWAY_ASSIGN_OR_RETURN(Json json, ParseObject(text, what));
  try {
    return read(json);
  } catch (const Json::exception& e) {
    return InvalidArgument(std::string(what) + " has a field of the wrong type: " + e.what());
  }
}

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string RevisionJson(const RevisionSpec& revision) { return Dump(RevisionObject(revision)); }

Result<RevisionSpec> ParseRevisionJson(std::string_view text) {
  return ReadObject<RevisionSpec>(text, "a stored revision", RevisionFrom);
}

std::string DesiredStateJson(const DesiredState& state) {
  Json json = {{"project", state.project},
               {"environment", state.environment},
               {"pipeline_file", state.pipeline_file},
               {"pipeline_yaml", state.pipeline_yaml},
               {"next_revision", state.next_revision},
               {"next_deploy", state.next_deploy},
               {"stable", nullptr}};
  if (state.stable) json["stable"] = RevisionObject(*state.stable);
  return json.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Result<DesiredState> ParseDesiredStateJson(std::string_view text) {
  return ReadObject<DesiredState>(text, "a desired state", [](const Json& json) {
    DesiredState state;
    state.project = json.value("project", "");
    state.environment = json.value("environment", "");
    state.pipeline_file = json.value("pipeline_file", "");
    state.pipeline_yaml = json.value("pipeline_yaml", "");
    state.next_revision = json.value("next_revision", int64_t{1});
    state.next_deploy = json.value("next_deploy", int64_t{1});
    if (json.contains("stable") && json["stable"].is_object()) {
      state.stable = RevisionFrom(json["stable"]);
    }
    return state;
  });
}

std::string DeployRecordJson(const DeployRecord& record) {
  Json steps = Json::array();
  for (const StepRecord& step : record.steps) {
    steps.push_back({{"name", step.name},
                     {"started_ms", Millis(step.started)},
                     {"finished_ms", Millis(step.finished)},
                     {"outcome", step.outcome},
                     {"message", step.message}});
  }
  return Dump({{"id", record.id},
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
               {"started_ms", Millis(record.started)},
               {"finished_ms", Millis(record.finished)},
               {"outcome", record.outcome},
               {"reason", record.reason},
               {"steps", steps},
               {"gate", record.gate},
               {"gate_json", record.gate_json},
               {"promote_gate", record.promote_gate},
               {"promote_gate_json", record.promote_gate_json}});
}

Result<DeployRecord> ParseDeployRecordJson(std::string_view text) {
  return ReadObject<DeployRecord>(text, "a stored deploy record", [](const Json& json) {
    DeployRecord record;
    record.id = json.value("id", int64_t{0});
    record.project = json.value("project", "");
    record.environment = json.value("environment", "");
    record.revision = json.value("revision", "");
    record.artifact = json.value("artifact", "");
    record.digest = json.value("digest", "");
    record.provenance = json.value("provenance", "");
    record.trigger = json.value("trigger", "");
    record.triggered_by = json.value("triggered_by", "");
    record.run_id = json.value("run_id", "");
    record.strategy = json.value("strategy", "");
    record.started = FromMillis(json.value("started_ms", int64_t{0}));
    record.finished = FromMillis(json.value("finished_ms", int64_t{0}));
    record.outcome = json.value("outcome", "");
    record.reason = json.value("reason", "");
    record.gate = json.value("gate", "");
    record.gate_json = json.value("gate_json", "");
    record.promote_gate = json.value("promote_gate", "");
    record.promote_gate_json = json.value("promote_gate_json", "");
    if (json.contains("steps") && json["steps"].is_array()) {
      for (const Json& step : json["steps"]) {
        if (!step.is_object()) continue;
        record.steps.push_back({.name = step.value("name", ""),
                                .started = FromMillis(step.value("started_ms", int64_t{0})),
                                .finished = FromMillis(step.value("finished_ms", int64_t{0})),
                                .outcome = step.value("outcome", ""),
                                .message = step.value("message", "")});
      }
    }
    return record;
  });
}

}  // namespace slipway::deploy
