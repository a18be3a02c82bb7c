// RevisionSpec ↔ JSON, for the records targets keep in their state directories. Internal to
// deploy. FromJson throws nlohmann::json::exception on a malformed object (callers turn it into
// a Status naming their file).
#pragma once

#include <nlohmann/json.hpp>

#include "deploy/deploy.h"

namespace slipway::deploy {

// {"id":…, "digest":…, "artifact_dir":…, "instances":N, "env":[["K","V"], …]}
nlohmann::json RevisionSpecToJson(const RevisionSpec& spec);
RevisionSpec RevisionSpecFromJson(const nlohmann::json& j);

}  // namespace slipway::deploy
