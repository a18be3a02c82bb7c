// Runs: the newest-first list with keyset pagination, one run with its jobs, and cancel.
#include "api/auth.h"
#include "api/handlers.h"

namespace slipway::api {
namespace {

constexpr int64_t kDefaultPage = 50;
constexpr int64_t kMaxPage = 500;  // the store's limit

}  // namespace

http::Response ListRuns(ApiState& state, http::Request& request) {
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  store::RunFilter filter;
  filter.project_id = project->id;
  if (auto status = request.Query("status"); status && !status->empty()) {
    filter.status = ParseRunStatus(*status);
    if (!filter.status) {
      return http::Response::FromStatus(InvalidArgument(
          "query parameter 'status' must be queued, running, success, failure or cancelled"));
    }
  }
  auto before = QueryInt(request, "before", 1, INT64_MAX);
  if (!before.ok()) return http::Response::FromStatus(before.status());
  auto limit = QueryInt(request, "limit", 1, kMaxPage);
  if (!limit.ok()) return http::Response::FromStatus(limit.status());
  filter.before_id = before->value_or(0);
  filter.limit = static_cast<int>(limit->value_or(kDefaultPage));

  auto runs = state.store->ListRuns(filter);
  if (!runs.ok()) return http::Response::FromStatus(runs.status());
  Json list = Json::array();
  for (const store::Run& run : *runs) list.push_back(RunSummaryJson(run, project->name));
  // next_before is set only when an older run exists, so a client stops at null without
  // fetching an empty page.
  Json next = nullptr;
  if (static_cast<int>(runs->size()) == filter.limit) {
    store::RunFilter probe = filter;
    probe.before_id = runs->back().id;
    probe.limit = 1;
    auto older = state.store->ListRuns(probe);
    if (!older.ok()) return http::Response::FromStatus(older.status());
    if (!older->empty()) next = runs->back().id;
  }
  return JsonResponse(200, {{"runs", std::move(list)}, {"next_before", std::move(next)}});
}

http::Response GetRun(ApiState& state, http::Request& request) {
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  auto run = RunOf(state, request, *project);
  if (!run.ok()) return http::Response::FromStatus(run.status());
  auto jobs = state.store->ListJobs(run->id);
  if (!jobs.ok()) return http::Response::FromStatus(jobs.status());
  Json answer = RunSummaryJson(*run, project->name);
  answer["error"] = run->error;
  answer["inputs"] = StoredJson(run->inputs_json, Json::object());
  Json list = Json::array();
  for (const store::Job& job : *jobs) list.push_back(JobJson(job));
  answer["jobs"] = std::move(list);
  return JsonResponse(200, answer);
}

// Cancelling asks: the dispatcher stops the run's jobs (agents see the flag in their next
// heartbeat) and finishes the run as cancelled. The request only raises the stored flag
// (Store::RequestCancel), never writes the run it read, so it cannot undo what the dispatcher
// did meanwhile; and the dispatcher cannot finish a run as anything but cancelled once the flag
// is up, so a 202 is always carried out. Cancelling again while that happens is accepted (202)
// and changes nothing.
http::Response CancelRun(ApiState& state, http::Request& request) {
  auto body = BodyObject::Parse(request.body, {});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  auto run = RunOf(state, request, *project);
  if (!run.ok()) return http::Response::FromStatus(run.status());
  const std::string name = project->name + "/" + std::to_string(run->number);
  auto outcome = state.store->RequestCancel(run->id);
  if (!outcome.ok()) return http::Response::FromStatus(outcome.status());
  auto now = state.store->GetRun(run->id);  // as the request left it
  if (!now.ok()) return http::Response::FromStatus(now.status());
  if (*outcome == store::CancelOutcome::kFinished) {
    return http::Response::FromStatus(FailedPrecondition("run " + name + " already finished (" +
                                                         RunStatusName(now->status) + ")"));
  }
  if (*outcome == store::CancelOutcome::kRequested) {
    state.context.dispatch->Notify();
    Status audited =
        Audit(state, PrincipalOf(request).token.name, "run.cancel", "run/" + name, Json::object());
    if (!audited.ok()) return AuditFailed(audited);
  }
  return JsonResponse(202, RunSummaryJson(*now, project->name));
}

}  // namespace slipway::api
