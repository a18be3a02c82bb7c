#include "engine/run_plan.h"

#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

#include "util/sha256.h"

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

std::string RunDigest(const store::Run& run) {
  // Length-prefixed, so no other split of the same bytes into pipeline and inputs hashes alike.
  Sha256 hash;
  hash.Update(std::to_string(run.pipeline_yaml.size()) + ":");
  hash.Update(run.pipeline_yaml);
  hash.Update(run.inputs_json);
  return HexEncode(hash.Final());
}

Result<std::unique_ptr<RunPlan>> MakeRunPlan(const store::Run& run,
                                             const std::vector<store::Job>& jobs) {
  auto plan = std::make_unique<RunPlan>();
  plan->digest = RunDigest(run);
  plan->loaded = spec::ParsePipeline(run.pipeline_yaml, ".slipway.yml");
  if (!plan->loaded.ok()) {
    return FailedPrecondition("run " + std::to_string(run.id) + ": its pipeline does not parse");
  }
  const spec::Pipeline& pipeline = plan->pipeline();
  std::unordered_map<std::string_view, size_t> index_of;  // job name → index in pipeline.jobs
  for (size_t j = 0; j < pipeline.jobs.size(); ++j) index_of.emplace(pipeline.jobs[j].name, j);
  plan->job_index_of.resize(jobs.size());
  plan->matrix_of.resize(jobs.size());
  plan->job_id_of.resize(jobs.size());
  for (const store::Job& job : jobs) {
    const size_t row = static_cast<size_t>(job.index);
    if (row >= jobs.size()) return FailedPrecondition("job index out of range");
    auto found = index_of.find(job.job_name);
    if (found == index_of.end()) {
      return FailedPrecondition("job '" + job.job_name + "' is not in the pipeline");
    }
    plan->job_index_of[row] = found->second;
    plan->matrix_of[row] = ValueFromJson(job.matrix_json);
    plan->job_id_of[row] = job.id;
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
