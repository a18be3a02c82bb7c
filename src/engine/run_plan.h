// What the server's dispatcher keeps of a run between ticks, and the conversions between
// stored job states and the rules' outcomes. Private to the engine.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/dag_rules.h"
#include "engine/engine.h"
#include "store/store.h"

namespace slipway::engine {

// A run's parsed pipeline and, per stored job row (by store::Job::index), the pipeline job it
// is an instance of, its matrix values and its store id. Immutable once built: it depends only
// on what a run stores when it is created (its pipeline, inputs and job rows), so threads may
// share it.
struct RunPlan {
  std::string digest;  // RunDigest of the run it was built for
  spec::LoadResult loaded;
  std::vector<size_t> job_index_of;
  std::vector<expr::Value> matrix_of;
  std::vector<int64_t> job_id_of;
  expr::Value inputs, env;

  const spec::Pipeline& pipeline() const { return *loaded.pipeline; }
};

// The dispatcher's plans of unfinished runs, by run id. Shared (read-only) with AgentService
// through DispatcherOptions::plans.
struct Dispatcher::Cache {
  std::map<int64_t, std::shared_ptr<const RunPlan>> plans;
  store::Time leases_expired{};  // when a pass last expired leases
};

// What a plan is built from besides the job rows: SHA-256 over the run's pipeline text and
// inputs. The job rows follow from these (CreateRun), so equal digests mean equal plans, and a
// run id reused after its run was removed never meets the old run's plan.
std::string RunDigest(const store::Run& run);

// Builds the plan of a stored run; fails when the stored pipeline no longer parses or its jobs
// do not match it (which a run made by CreateRun cannot do).
Result<std::unique_ptr<RunPlan>> MakeRunPlan(const store::Run& run,
                                             const std::vector<store::Job>& jobs);

// The final outcome a stored status stands for; nullopt while the job is not done.
std::optional<Outcome> FinalOutcome(store::JobStatus status);
store::JobStatus StatusOf(Outcome outcome);

// A job's outputs from its outputs_json.
std::vector<std::pair<std::string, std::string>> OutputsOf(const store::Job& job);

// What a job's expressions see on the server: branch, event, inputs, env (the pipeline's),
// matrix and needs.
expr::Activation ServerActivation(const RunPlan& plan, const store::Run& run, const RunView& view,
                                  const std::vector<store::Job>& jobs, size_t job_row);

}  // namespace slipway::engine
