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
    for (const auto& need : jobs[job].needs) stack.push_back(*index_of(need));
  }

  jobs_.assign(jobs.size(), JobState{});
  std::vector<InstanceView> views;
  for (size_t j = 0; j < jobs.size(); ++j) {
    if (!selected[j]) continue;
    for (auto& instance : spec::ExpandJob(jobs[j])) {
      InstanceState state;
      state.job_index = j;
      state.result.id = instance.id;
      state.result.job = jobs[j].name;
      state.result.matrix = instance.matrix;
      state.instance = std::move(instance);
      instances_.push_back(std::move(state));
      views.push_back(InstanceView{.job_index = j});
    }
  }
  unfinished_ = static_cast<int>(instances_.size());
  view_ = std::make_unique<RunView>(pipeline_, std::move(views));
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

  activation.variables["needs"] = NeedsContext(
      *view_, state.job_index, [this](size_t i) { return instances_[i].result.outputs; });
  return activation;
}

}  // namespace slipway::engine
