// The audit trail: records written by every mutating call, and the admin routes reading and
// verifying the hash chain.
#include "api/handlers.h"

namespace slipway::api {

Status Audit(ApiState& state, const std::string& actor, std::string action, std::string target,
             Json details) {
  store::AuditRecord record;
  record.time = state.Now();
  record.actor = actor;
  record.action = std::move(action);
  record.target = std::move(target);
  record.details_json = Dump(details);
  return state.store->AppendAudit(record).status();
}

http::Response AuditFailed(const Status& status) {
  return http::Response::JsonError(
      503, "unavailable",
      "the change was made, but its audit record could not be written: " + status.message());
}

http::Response ListAudit(ApiState& state, http::Request& request) {
  auto after = QueryInt(request, "after", 0, INT64_MAX);
  if (!after.ok()) return http::Response::FromStatus(after.status());
  auto limit = QueryInt(request, "limit", 1, 1000);
  if (!limit.ok()) return http::Response::FromStatus(limit.status());
  auto records = state.store->ListAudit(after->value_or(0), static_cast<int>(limit->value_or(100)));
  if (!records.ok()) return http::Response::FromStatus(records.status());
  Json list = Json::array();
  for (const store::AuditRecord& record : *records) {
    list.push_back({{"seq", record.seq},
                    {"time", FormatTime(record.time)},
                    {"actor", record.actor},
                    {"action", record.action},
                    {"target", record.target},
                    {"details", StoredJson(record.details_json, Json::object())},
                    // The exact text the hash covers, so clients can re-verify the record.
                    {"details_json", record.details_json},
                    {"hash", record.hash},
                    {"prev_hash", record.prev_hash}});
  }
  Json next = records->empty() ? Json(nullptr) : Json(records->back().seq);
  return JsonResponse(200, {{"records", std::move(list)}, {"next_after", std::move(next)}});
}

http::Response VerifyAudit(ApiState& state, http::Request&) {
  Status verified = store::VerifyAuditChain(*state.store);
  if (verified.ok()) return JsonResponse(200, {{"ok", true}});
  if (verified.code() == StatusCode::kUnavailable) return http::Response::FromStatus(verified);
  return JsonResponse(200, {{"ok", false}, {"message", verified.message()}});
}

}  // namespace slipway::api
