// GET /healthz.
#include "api/handlers.h"

namespace slipway::api {

// 200 {"status":"ok"} while the database answers; 200 {"status":"degraded","reason":…} while
// it answers reads but the last write failed (full disk, read-only file): the server still
// serves what it can. 503 {"status":"unavailable","reason":…} when reads fail too.
http::Response HealthCheck(ApiState& state, http::Request&) {
  auto read = state.store->ListAgents();
  if (!read.ok()) {
    return JsonResponse(503, {{"status", "unavailable"}, {"reason", read.status().message()}});
  }
  if (auto problem = state.watched_store.write_problem()) {
    return JsonResponse(200, {{"status", "degraded"}, {"reason", *problem}});
  }
  return JsonResponse(200, {{"status", "ok"}});
}

}  // namespace slipway::api
