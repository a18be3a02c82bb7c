// A project's SLOs as they stand now (GET /api/v1/projects/{project}/slos) and their gauges on
// /metrics: the SLOs of the project's pipeline at the head of its default branch, evaluated
// against their Prometheus when asked (docs/slo.md, "On the server").
#include "api/handlers.h"
#include "api/json_io.h"
#include "deploy/deploy.h"
#include "spec/spec.h"

namespace slipway::api {
namespace {

// The project's pipeline at its default branch's head, and that commit.
struct ProjectPipeline {
  std::string commit;
  spec::LoadResult loaded;
};

Result<ProjectPipeline> PipelineOf(ApiState& state, const store::Project& project) {
  SLIPWAY_ASSIGN_OR_RETURN(std::string commit,
                           state.repositories.BranchHead(project.repo, project.default_branch));
  SLIPWAY_ASSIGN_OR_RETURN(
      std::optional<std::string> yaml,
      state.repositories.FileAt(project.repo, "refs/heads/" + project.default_branch, commit,
                                project.pipeline_file));
  if (!yaml) {
    return NotFound("the pipeline file '" + project.pipeline_file + "' does not exist at commit " +
                    commit);
  }
  ProjectPipeline out{.commit = commit,
                      .loaded = spec::ParsePipeline(*yaml, project.pipeline_file)};
  if (!out.loaded.ok()) {
    std::string problems;
    for (const auto& diagnostic : out.loaded.diagnostics) {
      problems += (problems.empty() ? "" : "; ") + diagnostic.ToString();
    }
    return FailedPrecondition("the pipeline '" + project.pipeline_file + "' at commit " + commit +
                              " does not load: " + problems);
  }
  return out;
}

// Each query is its own HTTP exchange with the SLI's Prometheus, within its timeout.
deploy::SliSourceFactory SliSources() {
  return deploy::PrometheusSliSources(deploy::PrometheusInstantQueries());
}

}  // namespace

http::Response ListProjectSlos(ApiState& state, http::Request& request) {
  auto project = ProjectOf(state, request);
  if (!project.ok()) return http::Response::FromStatus(project.status());
  auto pipeline = PipelineOf(state, *project);
  if (!pipeline.ok()) return http::Response::FromStatus(pipeline.status());
  const std::vector<deploy::SloReport> reports =
      deploy::EvaluateSlos(*pipeline->loaded.pipeline, SliSources());
  return JsonResponse(200, {{"project", project->name},
                            {"branch", project->default_branch},
                            {"commit", pipeline->commit},
                            {"slos", Json::parse(deploy::SloReportsJson(reports))}});
}

std::string SloMetrics(ApiState& state) {
  auto projects = state.store->ListProjects();
  std::vector<std::pair<std::string, std::vector<deploy::SloReport>>> by_project;
  // The reports borrow their SLOs from the pipelines: keep those alive until the text is made.
  std::vector<std::unique_ptr<spec::LoadResult>> pipelines;
  if (projects.ok()) {
    for (const store::Project& project : *projects) {
      // A project whose pipeline cannot be read now has no SLO gauges this scrape.
      auto pipeline = PipelineOf(state, project);
      if (!pipeline.ok() || pipeline->loaded.pipeline->slos.empty()) continue;
      pipelines.push_back(std::make_unique<spec::LoadResult>(std::move(pipeline->loaded)));
      by_project.emplace_back(project.name,
                              deploy::EvaluateSlos(*pipelines.back()->pipeline, SliSources()));
    }
  }
  return deploy::SloMetricsText(by_project);
}

}  // namespace slipway::api
