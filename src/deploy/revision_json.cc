#include "deploy/revision_json.h"

namespace slipway::deploy {

using nlohmann::json;

json RevisionSpecToJson(const RevisionSpec& spec) {
  json env = json::array();
  for (const auto& [key, value] : spec.env) env.push_back({key, value});
  return {{"id", spec.id},
          {"digest", spec.digest},
          {"artifact_dir", spec.artifact_dir.string()},
          {"instances", spec.instances},
          {"env", env}};
}

RevisionSpec RevisionSpecFromJson(const json& j) {
  RevisionSpec spec;
  spec.id = j.at("id").get<std::string>();
  spec.digest = j.at("digest").get<std::string>();
  spec.artifact_dir = j.at("artifact_dir").get<std::string>();
  spec.instances = j.at("instances").get<int>();
  for (const json& pair : j.at("env")) {
    spec.env.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
  }
  return spec;
}

}  // namespace slipway::deploy
