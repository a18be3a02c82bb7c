// One entry under `jobs:`.
#include <algorithm>
#include <utility>

#include "spec/job_fields.h"
#include "spec/loader.h"
#include "util/hints.h"

namespace slipway::spec::internal {
namespace {

const std::vector<std::string> kJobKeys = {
    "needs", "if",    "runs-on",   "matrix",  "env",     "steps",       "timeout",
    "retry", "cache", "artifacts", "outputs", "reports", "concurrency", "deploy",
};

// What a deploy job may have besides `deploy`: the controller on the server rolls the artifact
// out, so there are no steps for the other keys to act on. A rollout takes as long as its
// strategy says (pauses, analysis), and a failed one is rolled back, not retried.
const std::vector<std::string> kDeployJobKeys = {"needs", "if", "concurrency", "deploy"};

// Reports the keys a deploy job cannot have.
void CheckDeployJobKeys(LoadContext& context, const MapView& map, const Job& job) {
  for (const Field& entry : map.entries()) {
    if (std::find(kDeployJobKeys.begin(), kDeployJobKeys.end(), entry.key) !=
        kDeployJobKeys.end()) {
      continue;
    }
    std::string hint = "a deploy job has " + JoinAlternatives(kDeployJobKeys);
    if (entry.key == "steps") hint = "run them in a job that the deploy job needs";
    if (entry.key == "matrix") hint = "write one deploy job per environment";
    context.reader->Error(entry.key_pos,
                          "deploy job '" + job.name + "' cannot have '" + entry.key + "'",
                          std::move(hint));
  }
}

void ReadNeeds(LoadContext& context, const Field& field, Job& job) {
  auto items = context.reader->StringOrListFields(field);
  if (!items) return;
  std::vector<SourcePos>& positions = context.needs_positions[job.name];
  for (const Field& item : *items) {
    auto name = context.reader->String(item);
    // Listing a job twice means nothing more than listing it once.
    if (!name || std::find(job.needs.begin(), job.needs.end(), *name) != job.needs.end()) {
      continue;
    }
    job.needs.push_back(std::move(*name));
    positions.push_back(item.pos);
  }
}

void ReadSteps(LoadContext& context, const Field& field, Job& job) {
  if (field.node.IsNull()) {
    context.reader->Error(field.pos, "job '" + job.name + "' has no steps");
    return;
  }
  auto items = context.reader->List(field, "a list of steps");
  if (!items) return;
  if (items->empty()) {
    context.reader->Error(field.pos, "job '" + job.name + "' has no steps",
                          "add at least one step with 'run'");
  }
  for (const Field& item : *items) {
    if (auto step = ReadStep(context, item, job.name)) job.steps.push_back(std::move(*step));
  }
}

}  // namespace

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!letter(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return letter(c) || (c >= '0' && c <= '9') || c == '-'; });
}

std::optional<Job> ReadJob(LoadContext& context, const Field& entry) {
  Reader& reader = *context.reader;
  Job job;
  job.name = entry.key;
  job.pos = entry.key_pos;
  if (!IsValidName(job.name)) {
    reader.Error(entry.key_pos, "invalid job name '" + job.name + "'",
                 "use letters, digits, '_' and '-', starting with a letter or '_'");
  }
  auto map = reader.Map(entry, "job '" + job.name + "'", kJobKeys);
  if (!map) return std::nullopt;

  if (const Field* needs = map->Find("needs")) ReadNeeds(context, *needs, job);
  if (const Field* condition = map->Find("if")) {
    if (auto value = ReadCondition(context, *condition, job.name)) job.if_condition = *value;
  }
  if (const Field* deploy = map->Find("deploy")) {
    // The job stays a deploy job even when `deploy` is not a map (job.deploy unset): it is not
    // then also reported as a job without steps.
    job.deploy = ReadDeploy(context, *deploy, job.name);
    job.runs_on = {std::string(kDeployAgentLabel)};  // only the server's deploy agent
    CheckDeployJobKeys(context, *map, job);
    if (const Field* concurrency = map->Find("concurrency")) {
      job.concurrency = ReadConcurrency(context, *concurrency, job.name);
    }
    return job;
  }
  if (const Field* runs_on = map->Find("runs-on")) {
    if (auto labels = reader.StringOrList(*runs_on)) job.runs_on = std::move(*labels);
  }
  if (const Field* matrix = map->Find("matrix")) job.matrix = ReadMatrix(context, *matrix);
  if (const Field* env = map->Find("env")) {
    if (auto values = ReadEnv(context, *env, job.name)) job.env = std::move(*values);
  }
  if (const Field* steps = map->Find("steps")) {
    ReadSteps(context, *steps, job);
  } else {
    reader.Error(entry.key_pos, "job '" + job.name + "' has no steps",
                 "add steps: with at least one step with 'run'");
  }
  if (const Field* timeout = map->Find("timeout")) {
    if (auto value = ReadDuration(context, *timeout)) job.timeout = *value;
  }
  if (const Field* retry = map->Find("retry")) job.retry = ReadRetry(context, *retry);
  if (const Field* cache = map->Find("cache")) job.caches = ReadCaches(context, *cache, job.name);
  if (const Field* artifacts = map->Find("artifacts")) {
    ReadArtifacts(context, *artifacts, &job);
  }
  if (const Field* outputs = map->Find("outputs")) job.outputs = ReadOutputs(context, *outputs);
  if (const Field* reports = map->Find("reports"))
    job.junit_reports = ReadReports(context, *reports);
  if (const Field* concurrency = map->Find("concurrency")) {
    job.concurrency = ReadConcurrency(context, *concurrency, job.name);
  }
  return job;
}

}  // namespace slipway::spec::internal
