// Running one readiness or liveness check (deploy.h HealthCheck) against one instance.
// Internal to deploy. Thread-safe; blocks for at most the check's timeout (plus a second for an
// exec check's process group to go).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "deploy/deploy.h"
#include "util/status.h"

namespace slipway::deploy {

struct CheckContext {
  Endpoint endpoint;             // the instance's
  std::string revision;          // for {revision} in exec commands
  std::filesystem::path cwd;     // the instance's working directory (exec checks run there)
  std::vector<std::string> env;  // the instance's environment, KEY=VALUE (exec checks get it)
};

// OK when the check passes; otherwise a status whose message says what was tried and what
// happened ("GET http://127.0.0.1:8001/healthz answered 503").
Status RunHealthCheck(const HealthCheck& check, const CheckContext& context);

}  // namespace slipway::deploy
