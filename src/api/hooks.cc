// POST /hooks/{provider}/{project}: push webhooks from GitHub, GitLab and Gitea.
//
// Order, and why:
//  1. the signature (triggers::ParseWebhook) before anything else: 401, nothing read or stored;
//  2. the pipeline file at the pushed commit and its `on.push` filters: nothing stored yet, so
//     a delivery that fails here (repository unreachable: 503) can be redelivered and counts;
//  3. the run (engine::CreateRun; an invalid pipeline becomes a failed run showing its
//     file:line:col errors) together with its delivery id, in one transaction
//     (Store::CreateDeliveredRun): a repeated delivery starts nothing, even when two copies
//     arrive at once, and a delivery whose run could not be stored (a full disk: 503) is not
//     recorded, so the provider's redelivery starts it;
//  4. the run's audit record, and a wake-up for the dispatcher.
#include "api/handlers.h"
#include "triggers/triggers.h"

namespace slipway::api {
namespace {

http::Response Answer(int status, std::string_view outcome, std::string reason) {
  return JsonResponse(status, {{"status", outcome}, {"reason", std::move(reason)}});
}

bool HasPathFilters(const spec::Pipeline& pipeline) {
  return pipeline.on.push &&
         (!pipeline.on.push->paths.empty() || !pipeline.on.push->paths_ignore.empty());
}

}  // namespace

http::Response ReceiveWebhook(ApiState& state, http::Request& request) {
  const std::string provider_name(request.Param("provider"));
  const auto provider = triggers::ParseProvider(provider_name);
  if (!provider) {
    return http::Response::FromStatus(
        NotFound("no webhook provider '" + provider_name + "': use github, gitlab or gitea"));
  }
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());

  triggers::HeaderLookup headers = [&request](std::string_view name) {
    auto value = request.headers.Get(name);
    return value ? std::optional<std::string>(*value) : std::nullopt;
  };
  auto delivery = triggers::ParseWebhook(*provider, headers, request.body, project->webhook_secret);
  if (!delivery.ok()) {
    if (delivery.status().code() == StatusCode::kPermissionDenied) {
      return http::Response::JsonError(401, "unauthenticated", delivery.status().message());
    }
    return http::Response::FromStatus(delivery.status());
  }
  switch (delivery->kind) {
    case triggers::WebhookKind::kPing:
    case triggers::WebhookKind::kIgnoredEvent:
      return Answer(200, "ignored", "event '" + delivery->event + "' does not start runs");
    case triggers::WebhookKind::kDeletedRef:
      return Answer(200, "ignored", "the push deleted " + delivery->push->ref);
    case triggers::WebhookKind::kPush:
      break;
  }
  triggers::PushEvent push = *delivery->push;

  auto yaml =
      state.repositories.FileAt(project->repo, push.ref, push.after, project->pipeline_file);
  if (!yaml.ok()) {
    if (yaml.status().code() == StatusCode::kNotFound) {
      // Not a 404: the project exists; the push names a commit its repository does not have.
      return http::Response::FromStatus(FailedPrecondition(
          yaml.status().message() + " (is the webhook set up on the project's repository?)"));
    }
    return http::Response::FromStatus(yaml.status());
  }
  if (!yaml->has_value()) {
    return Answer(200, "ignored",
                  "there is no '" + project->pipeline_file + "' at commit " + push.after);
  }
  spec::LoadResult loaded = spec::ParsePipeline(**yaml, project->pipeline_file);
  if (loaded.ok()) {
    if (!push.changed_files_complete && HasPathFilters(*loaded.pipeline)) {
      // The provider's list is partial (truncated, forced): the mirror knows the real one. When
      // it cannot tell (the old commit is gone), the change set stays unknown and path
      // filters pass, as ShouldStart documents.
      auto changed = state.repositories.ChangedFiles(project->repo, push.before, push.after);
      if (changed.ok()) {
        push.changed_files = std::move(*changed);
        push.changed_files_complete = true;
      }
    }
    if (!triggers::ShouldStart(*loaded.pipeline, push)) {
      return Answer(200, "filtered",
                    "the pipeline's on.push filters do not match this push of " + push.ref);
    }
  }

  engine::RunRequest run_request;
  run_request.project_id = project->id;
  run_request.pipeline_file = project->pipeline_file;
  run_request.pipeline_yaml = std::move(**yaml);
  run_request.trigger = "webhook";
  run_request.event = "push";
  run_request.ref = push.ref;
  run_request.branch = push.IsBranch() ? std::string(push.ShortRef()) : "";
  run_request.commit = push.after;
  run_request.created_by = "webhook:" + provider_name;
  run_request.delivery_id = push.delivery_id;
  if (!push.delivery_id.empty()) run_request.delivery_provider = provider_name;
  auto run = StartAndRecord(
      state, run_request, project->name,
      {{"provider", provider_name}, {"delivery", push.delivery_id}, {"pusher", push.pusher}});
  if (run.status().code() == StatusCode::kAlreadyExists) {
    return Answer(200, "duplicate",
                  "delivery " + push.delivery_id + " was received before; nothing started");
  }
  if (!run.ok()) return http::Response::FromStatus(run.status());
  http::Response response =
      JsonResponse(201, {{"status", "started"}, {"run", RunSummaryJson(*run, project->name)}});
  response.headers.Set("Location", state.Location("/api/v1/projects/" + project->name + "/runs/" +
                                                  std::to_string(run->number)));
  return response;
}

}  // namespace slipway::api
