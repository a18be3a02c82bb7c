// Runs started from the outside world: pushes (webhooks, polling), manual and scheduled runs.
#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "triggers/triggers.h"

namespace slipway::engine {
namespace {

Status Audit(store::Store& store, const std::string& actor, const store::Project& project,
             const store::Run& run, const std::string& details, store::Time now) {
  store::AuditRecord record;
  record.time = now;
  record.actor = actor;
  record.action = "run.start";
  record.target = "run/" + project.name + "/" + std::to_string(run.number);
  record.details_json = details;
  return store.AppendAudit(record).status();
}

bool HasPathFilters(const spec::Pipeline& pipeline) {
  return pipeline.on.push &&
         (!pipeline.on.push->paths.empty() || !pipeline.on.push->paths_ignore.empty());
}

}  // namespace

Result<std::optional<store::Run>> StartPushRun(store::Store& store, const PushRunRequest& request,
                                               store::Time now) {
  const store::Project& project = request.project;
  triggers::PollOptions poll;
  poll.data_dir = request.mirrors_dir;
  SLIPWAY_ASSIGN_OR_RETURN(std::filesystem::path mirror,
                           triggers::UpdateMirror(project.repo, {request.ref}, poll));
  auto yaml = triggers::ReadFileAtCommit(mirror, request.after, project.pipeline_file);
  if (!yaml.ok() && yaml.status().code() == StatusCode::kNotFound) {
    return std::optional<store::Run>();  // no pipeline at this commit: nothing to run
  }
  if (!yaml.ok()) return yaml.status();

  RunRequest run;
  run.project_id = project.id;
  run.pipeline_file = project.pipeline_file;
  run.pipeline_yaml = *yaml;
  run.trigger = request.trigger;
  run.event = "push";
  run.ref = request.ref;
  run.commit = request.after;
  run.branch = request.ref.rfind("refs/heads/", 0) == 0 ? request.ref.substr(11) : "";
  run.created_by = request.actor;
  run.delivery_id = request.delivery_id;

  spec::LoadResult loaded = spec::ParsePipeline(*yaml, project.pipeline_file);
  if (loaded.ok()) {
    triggers::PushEvent event;
    event.ref = request.ref;
    event.before = request.before;
    event.after = request.after;
    event.changed_files = request.changed_files;
    if (event.changed_files.empty() && HasPathFilters(*loaded.pipeline)) {
      auto changed = triggers::ChangedFiles(mirror, request.before, request.after);
      if (changed.ok()) event.changed_files = std::move(*changed);
    }
    if (!triggers::ShouldStart(*loaded.pipeline, event)) return std::optional<store::Run>();
  }
  SLIPWAY_ASSIGN_OR_RETURN(store::Run created, CreateRun(store, run, now));
  nlohmann::json details = {
      {"ref", request.ref}, {"commit", request.after}, {"trigger", request.trigger}};
  SLIPWAY_RETURN_IF_ERROR(Audit(store, request.actor, project, created, details.dump(), now));
  return std::optional<store::Run>(std::move(created));
}

Result<store::Run> StartManualRun(store::Store& store, const ManualRunRequest& request,
                                  store::Time now) {
  const store::Project& project = request.project;
  const std::string branch = request.branch.empty() ? project.default_branch : request.branch;
  const std::string ref = "refs/heads/" + branch;
  triggers::PollOptions poll;
  poll.data_dir = request.mirrors_dir;
  SLIPWAY_ASSIGN_OR_RETURN(std::filesystem::path mirror,
                           triggers::UpdateMirror(project.repo, {ref}, poll));
  std::string commit = request.commit;
  if (commit.empty()) {
    // The branch head as just fetched.
    SLIPWAY_ASSIGN_OR_RETURN(triggers::PollResult refs,
                             triggers::PollRepository(project.repo, "", poll));
    for (const auto& update : refs.updates) {
      if (update.ref == ref) commit = update.new_sha;
    }
    if (commit.empty()) {
      return NotFound("branch '" + branch + "' does not exist in " +
                      triggers::RedactUrl(project.repo));
    }
  }
  SLIPWAY_ASSIGN_OR_RETURN(std::string yaml,
                           triggers::ReadFileAtCommit(mirror, commit, project.pipeline_file));
  RunRequest run;
  run.project_id = project.id;
  run.pipeline_file = project.pipeline_file;
  run.pipeline_yaml = std::move(yaml);
  run.trigger = request.trigger;
  run.event = request.trigger == "schedule" ? "schedule" : "manual";
  run.ref = ref;
  run.branch = branch;
  run.commit = commit;
  run.inputs = request.inputs;
  run.created_by = request.actor;
  SLIPWAY_ASSIGN_OR_RETURN(store::Run created, CreateRun(store, run, now));
  nlohmann::json details = {{"ref", ref}, {"commit", commit}, {"trigger", request.trigger}};
  SLIPWAY_RETURN_IF_ERROR(Audit(store, request.actor, project, created, details.dump(), now));
  return created;
}

}  // namespace slipway::engine
