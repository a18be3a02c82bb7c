// The agent protocol: lease (long-poll), heartbeat, log chunks and the result of an attempt.
//
// Only agent tokens get here (routes.cc), and an agent may touch only attempts leased to it:
// another agent's attempt is 403 even with the right lease token. The lease token
// (X-Lease-Token) then proves the lease is still this one: a lost or finished lease is 412,
// which tells the agent to stop the job and report nothing. These calls are not audited: they
// are the machinery of runs, whose start and cancel are.
#include "api/auth.h"
#include "api/handlers.h"
#include "runner/runner.h"

namespace slipway::api {
namespace {

constexpr int64_t kMaxWaitMs = 30000;

}  // namespace

Status OwnAttempt(ApiState& state, const http::Request& request, store::Attempt* attempt,
                  std::string* lease_token) {
  SLIPWAY_ASSIGN_OR_RETURN(int64_t id, IdParam(request, "attempt"));
  auto found = state.store->GetAttempt(id);
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kNotFound) {
      // Its run or project was removed: for the agent, the lease is gone.
      return FailedPrecondition("attempt " + std::to_string(id) + " no longer exists");
    }
    return found.status();
  }
  const Principal& principal = PrincipalOf(request);
  if (found->agent_id != principal.token.agent_id) {
    return Status(StatusCode::kPermissionDenied,
                  "attempt " + std::to_string(id) + " is leased to another agent");
  }
  auto token = request.Header("X-Lease-Token");
  if (!token || token->empty()) {
    return InvalidArgument("the X-Lease-Token header is missing");
  }
  *attempt = std::move(*found);
  *lease_token = std::string(*token);
  return Status::Ok();
}

http::Response LeaseJob(ApiState& state, http::Request& request) {
  auto body = BodyObject::Parse(request.body, {"wait_ms"});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  std::optional<int64_t> wait_ms;
  if (Status read = body->OptionalInt("wait_ms", 0, kMaxWaitMs, &wait_ms); !read.ok()) {
    return http::Response::FromStatus(read);
  }
  const int64_t agent_id = PrincipalOf(request).token.agent_id;
  auto agents = state.store->ListAgents();
  if (!agents.ok()) return http::Response::FromStatus(agents.status());
  auto agent = std::find_if(agents->begin(), agents->end(),
                            [&](const store::Agent& a) { return a.id == agent_id; });
  if (agent == agents->end()) {
    return http::Response::FromStatus(Status(
        StatusCode::kPermissionDenied, "agent " + std::to_string(agent_id) + " is not registered"));
  }
  (void)state.store->TouchAgent(agent_id, state.Now());  // last_seen; best effort
  return state.leases.Lease(agent_id, agent->labels,
                            std::chrono::milliseconds(wait_ms.value_or(0)));
}

http::Response Heartbeat(ApiState& state, http::Request& request) {
  auto body = BodyObject::Parse(request.body, {});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  store::Attempt attempt;
  std::string lease_token;
  if (Status own = OwnAttempt(state, request, &attempt, &lease_token); !own.ok()) {
    return http::Response::FromStatus(own);
  }
  auto reply = state.context.agents->Heartbeat(attempt.id, lease_token);
  if (!reply.ok()) return http::Response::FromStatus(reply.status());
  (void)state.store->TouchAgent(attempt.agent_id, state.Now());
  return JsonResponse(200, {{"cancel", reply->cancel}});
}

http::Response AppendLog(ApiState& state, http::Request& request) {
  store::Attempt attempt;
  std::string lease_token;
  if (Status own = OwnAttempt(state, request, &attempt, &lease_token); !own.ok()) {
    return http::Response::FromStatus(own);
  }
  auto offset = QueryInt(request, "offset", 0, INT64_MAX);
  if (!offset.ok()) return http::Response::FromStatus(offset.status());
  if (!*offset) {
    return http::Response::FromStatus(
        InvalidArgument("query parameter 'offset' is missing: the byte offset of the chunk"));
  }
  Status appended =
      state.context.agents->AppendLog(attempt.id, lease_token, **offset, request.body);
  if (!appended.ok()) return http::Response::FromStatus(appended);
  state.followers.Poke(attempt.id);
  auto size = state.store->ReadLog(attempt.id, 0, 0);
  if (!size.ok()) return http::Response::FromStatus(size.status());
  return JsonResponse(200, {{"size", size->size}});
}

http::Response FinishAttempt(ApiState& state, http::Request& request) {
  store::Attempt attempt;
  std::string lease_token;
  if (Status own = OwnAttempt(state, request, &attempt, &lease_token); !own.ok()) {
    return http::Response::FromStatus(own);
  }
  auto report = runner::AttemptReportFromJson(request.body);
  if (!report.ok()) return http::Response::FromStatus(report.status());
  Status finished = state.context.agents->Finish(attempt.id, lease_token, *report);
  if (!finished.ok()) return http::Response::FromStatus(finished);
  state.followers.Poke(attempt.id);
  return JsonResponse(200, Json::object());
}

}  // namespace slipway::api
