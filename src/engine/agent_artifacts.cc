// The artifacts side of AgentService: uploads under a live lease, downloads for dependents, and
// the list of needs' archives a lease carries.
#include <set>

#include "engine/engine.h"
#include "engine/run_plan.h"

namespace slipway::engine {
namespace {

bool Succeeded(const store::Attempt& attempt) {
  return attempt.finished && !attempt.lost &&
         attempt.outcome == runner::OutcomeName(Outcome::kSuccess);
}

}  // namespace

Result<tree_archive::Summary> AgentService::PutArtifacts(int64_t attempt_id,
                                                         std::string_view lease_token,
                                                         const tree_archive::ByteSource& source) {
  store::Attempt attempt;
  SLIPWAY_RETURN_IF_ERROR(CheckLease(attempt_id, lease_token, &attempt));
  if (options_.artifacts == nullptr) {
    return FailedPrecondition("this server keeps no artifacts");
  }
  SLIPWAY_ASSIGN_OR_RETURN(store::Run run, store_->GetRun(attempt.run_id));
  // The lease is checked again after the upload: a long upload may outlive it.
  return options_.artifacts->Put(run, attempt_id, source, [&] {
    store::Attempt again;
    return CheckLease(attempt_id, lease_token, &again);
  });
}

Result<ArtifactStore::Archive> AgentService::OpenArtifacts(int64_t attempt_id,
                                                           std::string_view lease_token,
                                                           int64_t source_attempt_id) {
  store::Attempt attempt;
  SLIPWAY_RETURN_IF_ERROR(CheckLease(attempt_id, lease_token, &attempt));
  const Status none = NotFound("attempt " + std::to_string(source_attempt_id) +
                               " kept no artifacts for attempt " + std::to_string(attempt_id));
  if (options_.artifacts == nullptr) return none;
  auto source = store_->GetAttempt(source_attempt_id);
  if (!source.ok()) return source.status().code() == StatusCode::kNotFound ? none : source.status();
  if (source->run_id != attempt.run_id || !Succeeded(*source)) return none;
  SLIPWAY_ASSIGN_OR_RETURN(store::Run run, store_->GetRun(attempt.run_id));
  auto archive = options_.artifacts->Find(run, source_attempt_id);
  if (!archive) return none;
  return *archive;
}

Result<std::vector<ArtifactRef>> AgentService::NeedsArtifacts(const store::Run& run,
                                                              const store::Job& job) {
  std::vector<ArtifactRef> refs;
  if (options_.artifacts == nullptr || !options_.artifacts->HasAny(run)) return refs;
  std::optional<std::vector<store::Job>> jobs;
  auto read_jobs = [&]() -> Result<std::vector<store::Job>> {
    SLIPWAY_ASSIGN_OR_RETURN(jobs, store_->ListJobs(run.id));
    return *jobs;
  };
  SLIPWAY_ASSIGN_OR_RETURN(std::shared_ptr<const RunPlan> plan, plans_.Get(run, read_jobs));
  const size_t row = static_cast<size_t>(job.index);
  if (row >= plan->job_index_of.size()) return Internal("job index out of range");
  const spec::Pipeline& pipeline = plan->pipeline();
  std::set<std::string> keepers;  // the jobs it needs that declare artifacts
  for (const std::string& need : pipeline.jobs[plan->job_index_of[row]].needs) {
    for (const spec::Job& candidate : pipeline.jobs) {
      if (candidate.name == need && !candidate.artifacts.empty()) keepers.insert(need);
    }
  }
  if (keepers.empty()) return refs;
  if (!jobs) {
    SLIPWAY_ASSIGN_OR_RETURN(jobs, store_->ListJobs(run.id));
  }
  for (const store::Job& needed : *jobs) {  // in pipeline order
    if (needed.status != store::JobStatus::kSuccess || !keepers.count(needed.job_name)) continue;
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Attempt> attempts, store_->ListAttempts(needed.id));
    for (const store::Attempt& attempt : attempts) {
      if (!Succeeded(attempt)) continue;
      if (auto archive = options_.artifacts->Find(run, attempt.id)) {
        refs.push_back({needed.instance_id, attempt.id, archive->size});
      }
    }
  }
  return refs;
}

Result<std::vector<std::string>> AgentService::PublishArtifacts(const store::Attempt& attempt,
                                                                store::Time finished) {
  if (options_.publisher == nullptr || options_.artifacts == nullptr) {
    return std::vector<std::string>();
  }
  SLIPWAY_ASSIGN_OR_RETURN(store::Run run, store_->GetRun(attempt.run_id));
  SLIPWAY_ASSIGN_OR_RETURN(store::Job job, store_->GetJob(attempt.job_id));
  auto read_jobs = [&]() -> Result<std::vector<store::Job>> { return store_->ListJobs(run.id); };
  SLIPWAY_ASSIGN_OR_RETURN(std::shared_ptr<const RunPlan> plan, plans_.Get(run, read_jobs));
  const size_t row = static_cast<size_t>(job.index);
  if (row >= plan->job_index_of.size()) return Internal("job index out of range");
  const spec::Job& spec = plan->pipeline().jobs[plan->job_index_of[row]];
  if (spec.publish.empty()) return std::vector<std::string>();
  auto archive = options_.artifacts->Find(run, attempt.id);
  if (!archive) {
    return FailedPrecondition("publish " + spec.publish.front().path +
                              ": the job kept none of the files to publish (did a step make "
                              "them?)");
  }
  SLIPWAY_ASSIGN_OR_RETURN(store::Project project, store_->GetProjectById(run.project_id));
  return options_.publisher->Publish({.project = &project,
                                      .run = &run,
                                      .job = &spec,
                                      .started = attempt.started,
                                      .finished = finished},
                                     archive->path);
}

}  // namespace slipway::engine
