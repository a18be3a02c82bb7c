// Before any job starts: which jobs run, the base environment, and what expressions see.
#include <map>
#include <string>

#include "engine/pipeline_run.h"

namespace slipway::engine {
namespace {

expr::Value StringMap(const std::map<std::string, std::string>& entries) {
  expr::Value::Map map;
  for (const auto& [name, value] : entries) map.emplace(name, expr::Value(value));
  return expr::Value(std::move(map));
}

}  // namespace

Status PipelineRun::SelectJobs() {
  const auto& jobs = pipeline_.jobs;
  auto index_of = [&](const std::string& name) -> std::optional<size_t> {
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (jobs[i].name == name) return i;
    }
    return std::nullopt;
  };
  jobs_.assign(jobs.size(), JobState{});
  for (size_t i = 0; i < jobs.size(); ++i) {
    for (const auto& need : jobs[i].needs) jobs_[i].needs.push_back(*index_of(need));
  }

  // The requested jobs and, transitively, what they need.
  std::vector<bool> selected(jobs.size(), options_.jobs.empty());
  std::vector<size_t> stack;
  for (const auto& name : options_.jobs) {
    auto index = index_of(name);
    if (!index) {
      std::string known;
      for (const auto& job : jobs) known += (known.empty() ? "" : ", ") + job.name;
      return InvalidArgument("--job " + name + ": no such job in " + pipeline_.file +
                             " (jobs: " + known + ")");
    }
    stack.push_back(*index);
  }
  while (!stack.empty()) {
    size_t job = stack.back();
    stack.pop_back();
    if (selected[job]) continue;
    selected[job] = true;
    stack.insert(stack.end(), jobs_[job].needs.begin(), jobs_[job].needs.end());
  }

  for (size_t j = 0; j < jobs.size(); ++j) {
    if (!selected[j]) continue;
    for (auto& instance : spec::ExpandJob(jobs[j])) {
      InstanceState state;
      state.job_index = j;
      state.result.id = instance.id;
      state.result.job = jobs[j].name;
      state.result.matrix = instance.matrix;
      state.instance = std::move(instance);
      jobs_[j].instances.push_back(instances_.size());
      instances_.push_back(std::move(state));
    }
    jobs_[j].unfinished = static_cast<int>(jobs_[j].instances.size());
    unfinished_ += jobs_[j].unfinished;
  }
  return Status::Ok();
}

Status PipelineRun::PrepareEnvironment() {
  std::map<std::string, std::string> env;
  for (const auto& entry : options_.environment) {
    auto eq = entry.find('=');
    if (eq != std::string::npos && eq > 0) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : options_.secrets) {
    masker_.AddSecret(value);
    env[name] = value;
  }

  expr::Activation top;
  top.variables["branch"] = expr::Value(options_.branch);
  top.variables["event"] = expr::Value(options_.event);
  top.variables["inputs"] = expr::Value(inputs_);
  for (const auto& [name, value] : pipeline_.env) {
    top.variables["env"] = StringMap(env);
    auto parsed = expr::Template::Parse(value);
    if (auto* error = std::get_if<expr::Error>(&parsed)) {
      return InvalidArgument("env " + name + ": " + error->message);
    }
    auto rendered = std::get<expr::Template>(parsed).Render(top);
    if (auto* error = std::get_if<expr::Error>(&rendered)) {
      return InvalidArgument("env " + name + ": " + error->message);
    }
    env[name] = std::get<std::string>(rendered);
  }
  if (!options_.commit.empty()) env["SLIPWAY_COMMIT"] = options_.commit;
  env_value_ = StringMap(env);
  base_environment_.clear();
  for (const auto& [name, value] : env) base_environment_.push_back(name + "=" + value);
  return Status::Ok();
}

expr::Activation PipelineRun::ActivationFor(const InstanceState& state) const {
  expr::Activation activation;
  activation.variables["branch"] = expr::Value(options_.branch);
  activation.variables["event"] = expr::Value(options_.event);
  activation.variables["inputs"] = expr::Value(inputs_);
  activation.variables["env"] = env_value_;

  expr::Value::Map matrix;
  for (const auto& [axis, value] : state.instance.matrix) matrix.emplace(axis, expr::Value(value));
  activation.variables["matrix"] = expr::Value(std::move(matrix));

  expr::Value::Map needs;
  for (size_t need : jobs_[state.job_index].needs) {
    expr::Value::Map outputs;
    // Declared outputs nobody wrote (the job was skipped, the step did not run) read as "".
    for (const auto& name : pipeline_.jobs[need].outputs) outputs.emplace(name, expr::Value(""));
    for (size_t i : jobs_[need].instances) {
      for (const auto& [name, value] : instances_[i].result.outputs) {
        outputs.insert_or_assign(name, expr::Value(value));  // later matrix cells win
      }
    }
    expr::Value::Map entry;
    entry.emplace("result", expr::Value(runner::OutcomeName(AggregateOutcome(need))));
    entry.emplace("outputs", expr::Value(std::move(outputs)));
    needs.emplace(pipeline_.jobs[need].name, expr::Value(std::move(entry)));
  }
  activation.variables["needs"] = expr::Value(std::move(needs));
  return activation;
}

}  // namespace slipway::engine
