// State shared by the parts of the pipeline loader, and their entry points. Internal to
// src/spec: the loader reads the whole document first (collecting expressions and `needs`
// positions as it goes), then runs the checks that need the whole model.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"
#include "spec/scalar_locator.h"
#include "spec/spec.h"
#include "spec/yaml_reader.h"

namespace slipway::spec::internal {

// Which functions an expression may call, besides none.
enum FunctionSet : unsigned {
  kNoFunctions = 0,
  kStatusFunctions = 1u << 0,  // success() failure() always() cancelled(): only in `if:`
  kHashFiles = 1u << 1,        // hashFiles(glob, …): only in cache keys
};

// An expression found in the file, checked against its scope once every job is known.
struct ExpressionUse {
  expr::Expression expression;
  std::shared_ptr<const ScalarLocator> locator;  // shared by the parts of one template
  size_t value_offset = 0;  // where the expression text starts in the scalar's value
  std::string job;          // the job whose fields see it; empty at the pipeline level
  unsigned functions = kNoFunctions;
  bool condition = false;  // an `if:` condition, which must be a bool

  SourcePos At(int expression_column) const {
    return locator->At(value_offset + (expression_column > 0 ? expression_column - 1 : 0));
  }
};

struct LoadContext {
  Reader* reader = nullptr;
  const LoadOptions* options = nullptr;
  std::vector<ExpressionUse> expressions;
  // Position of each `needs` entry, per job, parallel to Job::needs.
  std::map<std::string, std::vector<SourcePos>, std::less<>> needs_positions;
  SourcePos jobs_pos;  // the `jobs:` key, for pipeline-wide limits
  // Every key under `jobs:`, including jobs that failed to load, so a `needs` on a broken job
  // is not also reported as unknown.
  std::vector<std::string> job_names;
  // Every key under `environments:`, including environments that failed to load, so a
  // reference to a broken environment is not also reported as unknown.
  std::vector<std::string> environment_names;
  // Position of each `promote-from` entry, per environment, parallel to
  // Environment::promote_from.
  std::map<std::string, std::vector<SourcePos>, std::less<>> promote_from_positions;
  // Environments read with problems. They are in the model (so that `promote-from` and the
  // deploy jobs naming them are still checked), but their settings are incomplete.
  std::vector<std::string> broken_environments;
  // Position of `deploy.environment`'s value, per deploy job.
  std::map<std::string, SourcePos, std::less<>> deploy_environment_positions;
  // Every key under `analysis-templates:`, including templates that failed to load.
  std::vector<std::string> analysis_template_names;
  // `args.NAME` references read in the analysis template being read, with their positions.
  std::vector<std::pair<std::string, SourcePos>> analysis_arg_uses;
};

// expressions.cc: read a template/condition scalar, report syntax errors now and queue the
// expressions for CheckExpressions. `job` is empty at the pipeline level.
std::optional<std::string> ReadTemplate(LoadContext& context, const Field& field,
                                        std::string_view job, unsigned functions = kNoFunctions);
std::optional<std::vector<std::string>> ReadTemplates(LoadContext& context, const Field& field,
                                                      std::string_view job, unsigned functions);
// Returns the condition to evaluate: the bare expression (a `${{ }}` wrapper removed), as
// `success() && (<expr>)` when it calls no status function.
std::optional<std::string> ReadCondition(LoadContext& context, const Field& field,
                                         std::string_view job);
// Where the expression of a condition scalar is: the text trimmed of white space and, when it
// is wrapped whole in one `${{ }}`, unwrapped. Offsets into `text`, begin == end when empty.
struct ConditionSpan {
  size_t begin = 0, end = 0;
};
ConditionSpan FindCondition(std::string_view text);
// A condition scalar (`if:`, an analysis condition, a policy rule) read and parsed: its
// expression (FindCondition's span of the text), where that starts in the scalar's value, and a
// locator for positions in it. An empty one is reported with `empty_message` and `hint`, a
// syntax error at its line and column; both give nullopt.
struct ParsedCondition {
  std::string text;
  expr::Expression expression;
  size_t offset = 0;
  std::shared_ptr<const ScalarLocator> locator;
};
std::optional<ParsedCondition> ParseConditionField(LoadContext& context, const Field& field,
                                                   std::string_view empty_message,
                                                   std::string_view hint);
// Reports an expression's syntax error at its line and column; `offset` is where the
// expression starts in the scalar's value.
void ReportSyntax(LoadContext& context, const ScalarLocator& locator, size_t offset,
                  const expr::Error& error);
// `map NAME -> scalar (template)`.
std::optional<NamedValues> ReadEnv(LoadContext& context, const Field& field, std::string_view job);
// `string (group) | {group, cancel-in-progress}`.
std::optional<Concurrency> ReadConcurrency(LoadContext& context, const Field& field,
                                           std::string_view job);

// expressions_check.cc: undefined contexts and misplaced functions in every queued expression.
void CheckExpressions(LoadContext& context, const Pipeline& pipeline);

// triggers.cc
Triggers ReadTriggers(LoadContext& context, const Field& field);
// Reports a malformed glob (a leading '!' negation allowed when `negatable`).
void CheckGlob(LoadContext& context, const Field& field, std::string_view pattern, bool negatable);

// job.cc, step.cc, matrix.cc
std::optional<Job> ReadJob(LoadContext& context, const Field& entry);
std::optional<Step> ReadStep(LoadContext& context, const Field& field, std::string_view job);
std::optional<MatrixSpec> ReadMatrix(LoadContext& context, const Field& field);
// Reports `duration` problems at the field.
std::optional<Duration> ReadDuration(LoadContext& context, const Field& field);

// dag_check.cc: unknown and self `needs`, and cycles (each reported once, as a path).
void CheckNeeds(LoadContext& context, const Pipeline& pipeline);

// instances_check.cc: per-job and pipeline-wide instance limits, empty matrices, id clashes.
void CheckInstances(LoadContext& context, const Pipeline& pipeline);

// environment.cc: `environments:`, in file order (every key lands in environment_names; an
// environment with problems is kept, and named in broken_environments, when it is a map).
std::vector<Environment> ReadEnvironments(LoadContext& context, const Field& field);
// deploy.cc: a job's `deploy:`; expressions in the artifact are queued for `job`. Set unless
// `deploy` is not a map; a part with problems is left empty.
std::optional<DeploySpec> ReadDeploy(LoadContext& context, const Field& field,
                                     std::string_view job);
// deploy_check.cc: `promote-from` names and cycles, clashing router addresses, and every deploy
// job's environment (it exists; canary and blue-green need its router).
void CheckEnvironments(LoadContext& context, const Pipeline& pipeline);
void CheckDeploys(LoadContext& context, const Pipeline& pipeline);

// analysis_template.cc: `analysis-templates:`, in file order (every key lands in
// analysis_template_names). analysis_check.cc: the templates and arguments that canary steps
// and blue-green pre-promotion analyses name.
std::vector<AnalysisTemplate> ReadAnalysisTemplates(LoadContext& context, const Field& field);
void CheckAnalysisUses(LoadContext& context, const Pipeline& pipeline);

// slo.cc: `slos:`, in file order. Reads after ReadEnvironments: a freeze's environments are
// checked against environment_names.
std::vector<Slo> ReadSlos(LoadContext& context, const Field& field);

// policy.cc: `policies:`, in file order. Reads after ReadEnvironments: a policy's environments
// are checked against environment_names.
std::vector<Policy> ReadPolicies(LoadContext& context, const Field& field);

// Job names, output names, environment names: ^[A-Za-z_][A-Za-z0-9_-]*$
bool IsValidName(std::string_view name);

}  // namespace slipway::spec::internal
