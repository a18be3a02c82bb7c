// CreateRun: a pipeline file at a commit becomes a stored run with one job row per instance.
#include <nlohmann/json.hpp>

#include "engine/engine.h"

namespace slipway::engine {
namespace {

std::string MatrixJson(const spec::JobInstance& instance) {
  nlohmann::json matrix = nlohmann::json::object();
  for (const auto& [axis, value] : instance.matrix) matrix[axis] = value;
  return matrix.dump();
}

// The top-level concurrency group, rendered with what a run knows when it is created.
std::string RenderGroup(const spec::Pipeline& pipeline, const RunRequest& request,
                        const expr::Value::Map& inputs) {
  if (!pipeline.concurrency) return "";
  expr::Activation activation;
  activation.variables["branch"] = expr::Value(request.branch);
  activation.variables["event"] = expr::Value(request.event);
  activation.variables["inputs"] = expr::Value(inputs);
  expr::Value::Map env;
  for (const auto& [name, value] : pipeline.env) env.emplace(name, expr::Value(value));
  activation.variables["env"] = expr::Value(std::move(env));
  auto parsed = expr::Template::Parse(pipeline.concurrency->group);
  if (auto* tmpl = std::get_if<expr::Template>(&parsed)) {
    auto rendered = tmpl->Render(activation);
    if (auto* text = std::get_if<std::string>(&rendered)) return *text;
  }
  return pipeline.concurrency->group;
}

// Stores the run and its jobs, with the webhook delivery that started it when there is one.
Result<store::Run> StoreRun(store::Store& store, const RunRequest& request, store::Run run,
                            std::vector<store::Job> jobs) {
  if (request.delivery_provider.empty()) return store.CreateRun(std::move(run), std::move(jobs));
  store::Delivery delivery{request.delivery_provider, request.delivery_id, run.created};
  return store.CreateDeliveredRun(delivery, std::move(run), std::move(jobs));
}

}  // namespace

Result<store::Run> CreateRun(store::Store& store, const RunRequest& request, store::Time now) {
  store::Run run;
  run.project_id = request.project_id;
  run.trigger = request.trigger;
  run.event = request.event;
  run.ref = request.ref;
  run.branch = request.branch;
  run.commit = request.commit;
  run.pipeline_yaml = request.pipeline_yaml;
  run.created_by = request.created_by;
  run.delivery_id = request.delivery_id;
  run.created = now;

  spec::LoadResult loaded = spec::ParsePipeline(request.pipeline_yaml, request.pipeline_file);
  if (!loaded.ok()) {
    // The run exists, so the push is visible, and says exactly what to fix.
    run.status = store::RunStatus::kFailure;
    for (const auto& diagnostic : loaded.diagnostics) {
      run.error += diagnostic.ToString() + "\n";
    }
    run.finished = now;
    return StoreRun(store, request, std::move(run), {});
  }
  const spec::Pipeline& pipeline = *loaded.pipeline;
  SLIPWAY_ASSIGN_OR_RETURN(expr::Value::Map inputs, ResolveInputs(pipeline, request.inputs));
  run.inputs_json = expr::Value(inputs).ToTemplateString();
  run.concurrency_group = RenderGroup(pipeline, request, inputs);

  std::vector<store::Job> jobs;
  for (const spec::JobInstance& instance : spec::ExpandPipeline(pipeline)) {
    store::Job job;
    job.index = static_cast<int>(jobs.size());
    job.instance_id = instance.id;
    job.job_name = instance.job->name;
    job.matrix_json = MatrixJson(instance);
    job.runs_on_json = nlohmann::json(instance.job->runs_on).dump();
    job.created = now;
    jobs.push_back(std::move(job));
  }
  return StoreRun(store, request, std::move(run), std::move(jobs));
}

}  // namespace slipway::engine
