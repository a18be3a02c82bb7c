// Starting runs: POST …/runs (by hand, with inputs) and what webhooks share with it.
#include <algorithm>

#include "api/auth.h"
#include "api/handlers.h"

namespace slipway::api {
namespace {

// A full commit id: 40 hex digits (SHA-1) or 64 (SHA-256 repositories), lower-cased. Short ids
// and revision expressions are refused: a run records exactly which commit it built.
Result<std::string> FullCommit(std::string commit) {
  std::transform(commit.begin(), commit.end(), commit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool hex = std::all_of(commit.begin(), commit.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (hex && (commit.size() == 40 || commit.size() == 64)) return commit;
  return InvalidArgument("field 'commit' must be a full commit id (40 hex digits)");
}

}  // namespace

Result<store::Run> StartAndRecord(ApiState& state, const engine::RunRequest& request,
                                  const std::string& project, Json audit_details) {
  SLIPWAY_ASSIGN_OR_RETURN(store::Run run, engine::CreateRun(*state.store, request, state.Now()));
  state.context.dispatch->Notify();
  audit_details["trigger"] = request.trigger;
  audit_details["ref"] = request.ref;
  audit_details["commit"] = request.commit;
  audit_details["status"] = RunStatusName(run.status);
  Status audited = Audit(state, request.created_by, "run.start",
                         "run/" + project + "/" + std::to_string(run.number), audit_details);
  if (!audited.ok()) {
    return Unavailable(
        "run " + project + "/" + std::to_string(run.number) +
        " was started, but its audit record could not be written: " + audited.message());
  }
  return run;
}

http::Response StartRun(ApiState& state, http::Request& request) {
  auto body = BodyObject::Parse(request.body, {"branch", "commit", "inputs"});
  if (!body.ok()) return http::Response::FromStatus(body.status());
  std::optional<std::string> branch, commit;
  std::optional<std::map<std::string, std::string>> inputs;
  for (Status read :
       {body->OptionalString("branch", &branch), body->OptionalString("commit", &commit),
        body->OptionalStringMap("inputs", &inputs)}) {
    if (!read.ok()) return http::Response::FromStatus(read);
  }
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  if (!branch) branch = project->default_branch;
  if (Status checked = CheckBranchName("branch", *branch); !checked.ok()) {
    return http::Response::FromStatus(checked);
  }
  if (commit) {
    auto full = FullCommit(*commit);
    if (!full.ok()) return http::Response::FromStatus(full.status());
    commit = *full;
  } else {
    auto head = state.repositories.BranchHead(project->repo, *branch);
    if (!head.ok()) return http::Response::FromStatus(head.status());
    commit = *head;
  }
  const std::string ref = "refs/heads/" + *branch;
  auto yaml = state.repositories.FileAt(project->repo, ref, *commit, project->pipeline_file);
  if (!yaml.ok()) return http::Response::FromStatus(yaml.status());
  if (!yaml->has_value()) {
    return http::Response::FromStatus(NotFound("the pipeline file '" + project->pipeline_file +
                                               "' does not exist at commit " + *commit));
  }
  // A pipeline that loads must allow manual runs (`on: manual`); one that does not load still
  // becomes a (failed) run, so its errors are shown where the runs are.
  spec::LoadResult loaded = spec::ParsePipeline(**yaml, project->pipeline_file);
  if (loaded.ok() && !loaded.pipeline->on.manual) {
    return http::Response::FromStatus(
        FailedPrecondition("the pipeline '" + project->pipeline_file + "' at commit " + *commit +
                           " does not allow manual runs: add 'manual' to its 'on:'"));
  }

  engine::RunRequest run_request;
  run_request.project_id = project->id;
  run_request.pipeline_file = project->pipeline_file;
  run_request.pipeline_yaml = std::move(**yaml);
  run_request.trigger = "manual";
  run_request.event = "manual";
  run_request.ref = ref;
  run_request.branch = *branch;
  run_request.commit = *commit;
  if (inputs) run_request.inputs = *inputs;
  run_request.created_by = PrincipalOf(request).token.name;
  Json details = {{"inputs", inputs ? Json(*inputs) : Json::object()}};
  auto run = StartAndRecord(state, run_request, project->name, std::move(details));
  if (!run.ok()) return http::Response::FromStatus(run.status());
  http::Response response = JsonResponse(201, RunSummaryJson(*run, project->name));
  response.headers.Set("Location", state.Location("/api/v1/projects/" + project->name + "/runs/" +
                                                  std::to_string(run->number)));
  return response;
}

}  // namespace slipway::api
