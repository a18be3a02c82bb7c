// ParsePipeline / LoadPipelineFile: the whole document, then the checks that need the whole
// model (needs graph, environments and deploys, expression scopes, instance limits).
#include <yaml-cpp/depthguard.h>

#include <utility>

#include "spec/diagnostics.h"
#include "spec/loader.h"
#include "spec/yaml_syntax.h"
#include "util/fs.h"

namespace slipway::spec {
namespace {

using internal::Field;
using internal::LoadContext;
using internal::Reader;

const std::vector<std::string> kTopLevelKeys = {"name",        "on",           "env",
                                                "concurrency", "environments", "analysis-templates",
                                                "slos",        "policies",     "jobs"};

// The repository directory's name: the directory holding the file.
std::string DefaultName(const std::string& file) {
  std::error_code error;
  std::filesystem::path path = std::filesystem::absolute(file, error);
  if (error) path = file;
  return path.parent_path().filename().string();
}

void ReadJobs(LoadContext& context, const Field& field, Pipeline& pipeline) {
  Reader& reader = *context.reader;
  context.jobs_pos = field.key_pos;
  if (field.node.IsNull()) {
    reader.Error(field.key_pos, "'jobs' is empty", "define at least one job");
    return;
  }
  auto jobs = reader.Map(field, "jobs");
  if (!jobs) return;
  if (jobs->entries().empty() && field.node.size() == 0) {
    reader.Error(field.pos, "'jobs' is empty", "define at least one job");
  }
  for (const Field& entry : jobs->entries()) context.job_names.push_back(entry.key);
  for (const Field& entry : jobs->entries()) {
    if (auto job = internal::ReadJob(context, entry)) pipeline.jobs.push_back(std::move(*job));
  }
}

void ReadDocument(LoadContext& context, const YAML::Node& root, Pipeline& pipeline) {
  Reader& reader = *context.reader;
  auto top = reader.Map(Reader::Root(root), "the pipeline", kTopLevelKeys);
  if (!top) return;
  pipeline.name = DefaultName(pipeline.file);
  if (const Field* name = top->Find("name")) {
    if (auto value = reader.String(*name)) pipeline.name = std::move(*value);
  }
  if (const Field* on = top->Find("on")) pipeline.on = internal::ReadTriggers(context, *on);
  if (const Field* env = top->Find("env")) {
    if (auto values = internal::ReadEnv(context, *env, "")) pipeline.env = std::move(*values);
  }
  if (const Field* concurrency = top->Find("concurrency")) {
    pipeline.concurrency = internal::ReadConcurrency(context, *concurrency, "");
  }
  if (const Field* environments = top->Find("environments")) {
    pipeline.environments = internal::ReadEnvironments(context, *environments);
  }
  if (const Field* templates = top->Find("analysis-templates")) {
    pipeline.analysis_templates = internal::ReadAnalysisTemplates(context, *templates);
  }
  // After `environments:`: an SLO's freeze names environments.
  if (const Field* slos = top->Find("slos")) pipeline.slos = internal::ReadSlos(context, *slos);
  if (const Field* policies = top->Find("policies")) {
    pipeline.policies = internal::ReadPolicies(context, *policies);
  }
  if (const Field* jobs = reader.Require(*top, "jobs", "the pipeline")) {
    ReadJobs(context, *jobs, pipeline);
  }
  internal::CheckNeeds(context, pipeline);
  internal::CheckEnvironments(context, pipeline);
  internal::CheckDeploys(context, pipeline);
  internal::CheckAnalysisUses(context, pipeline);
  internal::CheckExpressions(context, pipeline);
  internal::CheckInstances(context, pipeline);
}

// Parses the YAML; on a syntax error reports it and returns nullopt.
std::optional<YAML::Node> ParseYaml(std::string_view text, Reader& reader) {
  if (auto syntax = internal::CheckYamlSyntax(text)) {
    reader.Error(syntax->pos, "YAML syntax error: " + syntax->message);
    return std::nullopt;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion& error) {
    reader.Error(
        {error.mark.line + 1, error.mark.column + 1},
        "YAML syntax error: nesting is too deep (" + std::to_string(error.depth()) + " levels)");
    return std::nullopt;
  } catch (const YAML::ParserException& error) {
    reader.Error({error.mark.line + 1, error.mark.column + 1}, "YAML syntax error: " + error.msg);
    return std::nullopt;
  } catch (const YAML::Exception& error) {
    reader.Error({}, "cannot parse YAML: " + error.msg);
    return std::nullopt;
  }
  if (documents.size() > 1) {
    reader.Error(Reader::Pos(documents[1]),
                 "expected one YAML document, found " + std::to_string(documents.size()),
                 "remove the extra '---'");
    return std::nullopt;
  }
  if (documents.empty() || documents[0].IsNull()) {
    reader.Error({1, 1}, "the pipeline file is empty", "a pipeline needs at least 'jobs:'");
    return std::nullopt;
  }
  return documents[0];
}

}  // namespace

const Job* Pipeline::FindJob(std::string_view name) const {
  for (const Job& job : jobs) {
    if (job.name == name) return &job;
  }
  return nullptr;
}

const Environment* Pipeline::FindEnvironment(std::string_view name) const {
  for (const Environment& environment : environments) {
    if (environment.name == name) return &environment;
  }
  return nullptr;
}

const AnalysisTemplate* Pipeline::FindAnalysisTemplate(std::string_view name) const {
  for (const AnalysisTemplate& analysis : analysis_templates) {
    if (analysis.name == name) return &analysis;
  }
  return nullptr;
}

const Slo* Pipeline::FindSlo(std::string_view name) const {
  for (const Slo& slo : slos) {
    if (slo.name == name) return &slo;
  }
  return nullptr;
}

const Policy* Pipeline::FindPolicy(std::string_view name) const {
  for (const Policy& policy : policies) {
    if (policy.name == name) return &policy;
  }
  return nullptr;
}

LoadResult ParsePipeline(std::string_view text, std::string file, const LoadOptions& options) {
  internal::Diagnostics diagnostics(file);
  Reader reader(text, &diagnostics);
  LoadResult result;
  if (text.size() > options.max_file_bytes) {
    reader.Error({}, "the pipeline file is " + std::to_string(text.size()) +
                         " bytes, more than the limit of " +
                         std::to_string(options.max_file_bytes));
    result.diagnostics = std::move(diagnostics).Take();
    return result;
  }
  Pipeline pipeline;
  pipeline.file = std::move(file);
  if (auto root = ParseYaml(text, reader)) {
    LoadContext context;
    context.reader = &reader;
    context.options = &options;
    try {
      ReadDocument(context, *root, pipeline);
    } catch (const std::exception& error) {
      // yaml-cpp does not throw on the accessors used here; this keeps the no-throw contract
      // should a later version do so.
      reader.Error({}, std::string("internal error while reading the pipeline: ") + error.what());
    }
  }
  result.diagnostics = std::move(diagnostics).Take();
  if (result.diagnostics.empty()) result.pipeline = std::move(pipeline);
  return result;
}

LoadResult LoadPipelineFile(const std::filesystem::path& path, const LoadOptions& options) {
  // ReadFile rejects an oversized file from its size, before reading it.
  Result<std::string> text = ReadFile(path, options.max_file_bytes);
  if (!text.ok()) {
    LoadResult result;
    result.diagnostics.push_back(Diagnostic{path.string(), {}, text.status().message(), ""});
    return result;
  }
  return ParsePipeline(*text, path.string(), options);
}

}  // namespace slipway::spec
