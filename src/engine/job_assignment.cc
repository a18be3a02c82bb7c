// JobAssignment <-> JSON: what GET /api/v1/agent/lease returns to an agent.
#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace slipway::engine {
namespace {

using nlohmann::json;

template <typename T>
Status Read(const json& doc, const char* key, T* out) {
  auto it = doc.find(key);
  if (it == doc.end()) return InvalidArgument(std::string("field '") + key + "' is missing");
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
    return InvalidArgument(std::string("field '") + key + "' has the wrong type");
  }
  return Status::Ok();
}

json ArtifactsToJson(const std::vector<ArtifactRef>& artifacts) {
  json list = json::array();
  for (const auto& ref : artifacts) {
    list.push_back(
        {{"instance", ref.instance_id}, {"attempt_id", ref.attempt_id}, {"size", ref.size}});
  }
  return list;
}

// "artifacts" is optional: servers before artifacts did not send it.
Result<std::vector<ArtifactRef>> ArtifactsFromJson(const json& doc) {
  std::vector<ArtifactRef> refs;
  auto list = doc.find("artifacts");
  if (list == doc.end()) return refs;
  if (!list->is_array()) return InvalidArgument("field 'artifacts' must be an array");
  for (const json& item : *list) {
    if (!item.is_object()) return InvalidArgument("field 'artifacts' must hold objects");
    ArtifactRef ref;
    SLIPWAY_RETURN_IF_ERROR(Read(item, "instance", &ref.instance_id));
    SLIPWAY_RETURN_IF_ERROR(Read(item, "attempt_id", &ref.attempt_id));
    SLIPWAY_RETURN_IF_ERROR(Read(item, "size", &ref.size));
    refs.push_back(std::move(ref));
  }
  return refs;
}

}  // namespace

std::string JobAssignment::ToJson() const {
  json doc = {{"attempt_id", attempt_id},
              {"lease_token", lease_token},
              {"lease_ms", lease_ms},
              {"attempt", attempt},
              {"run_id", run_id},
              {"run_number", run_number},
              {"job_id", job_id},
              {"project", project},
              {"repo", repo},
              {"pipeline_file", pipeline_file},
              {"pipeline_yaml", pipeline_yaml},
              {"instance_id", instance_id},
              {"branch", branch},
              {"event", event},
              {"ref", ref},
              {"commit", commit},
              {"inputs", json::parse(inputs_json, nullptr, false)},
              {"needs", json::parse(needs_json, nullptr, false)},
              {"artifacts", ArtifactsToJson(artifacts)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<JobAssignment> JobAssignment::FromJson(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgument("the job assignment is not a JSON object");
  }
  JobAssignment a;
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "attempt_id", &a.attempt_id));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "lease_token", &a.lease_token));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "lease_ms", &a.lease_ms));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "attempt", &a.attempt));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "run_id", &a.run_id));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "run_number", &a.run_number));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "job_id", &a.job_id));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "project", &a.project));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "repo", &a.repo));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "pipeline_file", &a.pipeline_file));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "pipeline_yaml", &a.pipeline_yaml));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "instance_id", &a.instance_id));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "branch", &a.branch));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "event", &a.event));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "ref", &a.ref));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "commit", &a.commit));
  json inputs, needs;
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "inputs", &inputs));
  SLIPWAY_RETURN_IF_ERROR(Read(doc, "needs", &needs));
  if (!inputs.is_object()) return InvalidArgument("field 'inputs' must be an object");
  if (!needs.is_object()) return InvalidArgument("field 'needs' must be an object");
  SLIPWAY_ASSIGN_OR_RETURN(a.artifacts, ArtifactsFromJson(doc));
  a.inputs_json = inputs.dump();
  a.needs_json = needs.dump();
  return a;
}

}  // namespace slipway::engine
