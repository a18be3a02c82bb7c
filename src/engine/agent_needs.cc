// The `needs` context a lease carries: {job: {result, outputs}} of the jobs the leased one
// needs, from its run's plan (RunPlanCache) and the stored states of just those jobs.
#include <optional>
#include <string_view>
#include <unordered_set>

#include "engine/engine.h"
#include "engine/run_plan.h"

namespace slipway::engine {
namespace {

// Up to this many needed job rows are read one by one (a chain needs one); more, and the run's
// whole job list is read in one query instead.
constexpr size_t kRowsReadOneByOne = 16;

}  // namespace

Result<std::string> AgentService::NeedsJson(const store::Run& run, const store::Job& job) {
  std::optional<std::vector<store::Job>> listed;  // the run's jobs, when a plan had to be built
  auto read_jobs = [&]() -> Result<std::vector<store::Job>> {
    SLIPWAY_ASSIGN_OR_RETURN(listed, store_->ListJobs(run.id));
    return *listed;
  };
  SLIPWAY_ASSIGN_OR_RETURN(std::shared_ptr<const RunPlan> plan, plans_.Get(run, read_jobs));
  const spec::Pipeline& pipeline = plan->pipeline();
  const size_t rows = plan->job_index_of.size();
  const size_t row = static_cast<size_t>(job.index);
  if (row >= rows) return Internal("job index out of range");
  const size_t job_index = plan->job_index_of[row];
  const std::vector<std::string>& needs = pipeline.jobs[job_index].needs;
  if (needs.empty()) return std::string("{}");

  // The stored jobs by row; only the instances of the jobs it needs matter to NeedsContext, the
  // others stay default (not done).
  std::vector<store::Job> by_row(rows);
  const std::unordered_set<std::string_view> needed(needs.begin(), needs.end());
  std::vector<size_t> needed_rows;
  for (size_t r = 0; r < rows; ++r) {
    if (needed.contains(pipeline.jobs[plan->job_index_of[r]].name)) needed_rows.push_back(r);
  }
  if (!listed && needed_rows.size() <= kRowsReadOneByOne) {
    for (size_t r : needed_rows) {
      SLIPWAY_ASSIGN_OR_RETURN(by_row[r], store_->GetJob(plan->job_id_of[r]));
    }
  } else {
    if (!listed) {
      SLIPWAY_ASSIGN_OR_RETURN(listed, store_->ListJobs(run.id));
    }
    for (store::Job& stored : *listed) {
      const size_t r = static_cast<size_t>(stored.index);
      if (r < rows) by_row[r] = std::move(stored);
    }
  }
  std::vector<InstanceView> views(rows);
  for (size_t r = 0; r < rows; ++r) {
    const auto outcome = FinalOutcome(by_row[r].status);
    views[r] = {plan->job_index_of[r], outcome.has_value(), outcome.value_or(Outcome::kSkipped)};
  }
  RunView view(pipeline, std::move(views));
  const expr::Value context =
      NeedsContext(view, job_index, [&](size_t i) { return OutputsOf(by_row[i]); });
  return context.ToTemplateString();
}

}  // namespace slipway::engine
