#include "engine/run_plan.h"

#include <nlohmann/json.hpp>

namespace slipway::engine {
namespace {

using nlohmann::json;
using store::JobStatus;

}  // namespace

std::optional<Outcome> FinalOutcome(JobStatus status) {
  switch (status) {
    case JobStatus::kSuccess:
      return Outcome::kSuccess;
    case JobStatus::kFailure:
      return Outcome::kFailure;
    case JobStatus::kTimedOut:
      return Outcome::kTimedOut;
    case JobStatus::kInfra:
      return Outcome::kInfra;
    case JobStatus::kCancelled:
      return Outcome::kCancelled;
    case JobStatus::kSkipped:
      return Outcome::kSkipped;
    default:
      return std::nullopt;
  }
}

JobStatus StatusOf(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return JobStatus::kSuccess;
    case Outcome::kFailure:
      return JobStatus::kFailure;
    case Outcome::kTimedOut:
      return JobStatus::kTimedOut;
    case Outcome::kInfra:
      return JobStatus::kInfra;
    case Outcome::kCancelled:
      return JobStatus::kCancelled;
    case Outcome::kSkipped:
      return JobStatus::kSkipped;
  }
  return JobStatus::kFailure;
}

std::vector<std::pair<std::string, std::string>> OutputsOf(const store::Job& job) {
  std::vector<std::pair<std::string, std::string>> outputs;
  json doc = json::parse(job.outputs_json, nullptr, false);
  if (!doc.is_object()) return outputs;
  for (const auto& [name, value] : doc.items()) {
    if (value.is_string()) outputs.emplace_back(name, value.get<std::string>());
  }
  return outputs;
}

Result<std::unique_ptr<RunPlan>> MakeRunPlan(const store::Run& run,
                                             const std::vector<store::Job>& jobs) {
  auto plan = std::make_unique<RunPlan>();
  plan->loaded = spec::ParsePipeline(run.pipeline_yaml, ".slipway.yml");
  if (!plan->loaded.ok()) {
    return FailedPrecondition("run " + std::to_string(run.id) + ": its pipeline does not parse");
  }
  const spec::Pipeline& pipeline = plan->pipeline();
  plan->job_index_of.resize(jobs.size());
  plan->matrix_of.resize(jobs.size());
  for (const store::Job& job : jobs) {
    const size_t row = static_cast<size_t>(job.index);
    if (row >= jobs.size()) return FailedPrecondition("job index out of range");
    bool found = false;
    for (size_t j = 0; j < pipeline.jobs.size() && !found; ++j) {
      if (pipeline.jobs[j].name == job.job_name) {
        plan->job_index_of[row] = j;
        found = true;
      }
    }
    if (!found) return FailedPrecondition("job '" + job.job_name + "' is not in the pipeline");
    plan->matrix_of[row] = ValueFromJson(job.matrix_json);
  }
  plan->inputs = ValueFromJson(run.inputs_json);
  expr::Value::Map env;
  for (const auto& [name, value] : pipeline.env) env.emplace(name, expr::Value(value));
  plan->env = expr::Value(std::move(env));
  return plan;
}

expr::Activation ServerActivation(const RunPlan& plan, const store::Run& run, const RunView& view,
                                  const std::vector<store::Job>& jobs, size_t job_row) {
  expr::Activation activation;
  activation.variables["branch"] = expr::Value(run.branch);
  activation.variables["event"] = expr::Value(run.event);
  activation.variables["inputs"] = plan.inputs;
  activation.variables["env"] = plan.env;
  activation.variables["matrix"] = plan.matrix_of[job_row];
  activation.variables["needs"] =
      NeedsContext(view, plan.job_index_of[job_row], [&](size_t i) { return OutputsOf(jobs[i]); });
  return activation;
}

}  // namespace slipway::engine
