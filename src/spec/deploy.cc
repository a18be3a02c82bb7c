// A job's `deploy:` — which artifact goes to which environment, and how (rolling, blue-green,
// canary). Checks that need the environments are in deploy_check.cc.
#include <algorithm>
#include <utility>

#include "spec/environment_fields.h"
#include "spec/loader.h"
#include "util/oci_names.h"

namespace slipway::spec::internal {
namespace {

constexpr int64_t kMaxBatch = 64;  // the most instances a process target runs

const std::vector<std::string> kStrategies = {"rolling", "blue-green", "canary"};
const std::vector<std::string> kCanarySteps = {"set-weight", "pause", "analysis"};

bool IsSha256Digest(std::string_view digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (!digest.starts_with(kPrefix) || digest.size() != kPrefix.size() + 64) return false;
  return std::all_of(digest.begin() + kPrefix.size(), digest.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A literal artifact reference of the server's registry: REPO:TAG, REPO@sha256:HEX or
// REPO:TAG@sha256:HEX. Returns why `text` is not one.
std::optional<std::string> ArtifactReferenceError(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  std::string_view name = text;
  bool pinned = false;
  if (const size_t at = text.find('@'); at != std::string_view::npos) {
    if (!IsSha256Digest(text.substr(at + 1))) return quoted + " has an invalid digest";
    name = text.substr(0, at);
    pinned = true;
  }
  const size_t colon = name.rfind(':');
  const bool tagged = colon != std::string_view::npos && name.find('/', colon) == name.npos;
  if (tagged && !IsOciTag(name.substr(colon + 1))) return quoted + " has an invalid tag";
  if (!tagged && !pinned) return quoted + " names no tag or digest";
  if (!IsOciRepositoryName(tagged ? name.substr(0, colon) : name)) {
    return quoted + " does not start with a repository name";
  }
  return std::nullopt;
}

std::optional<std::string> ReadArtifact(LoadContext& context, const Field& field,
                                        std::string_view job) {
  auto text = ReadTemplate(context, field, job);
  if (!text) return std::nullopt;
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    context.reader->Error(field.pos, "'artifact' must not be empty",
                          "e.g. ${{ needs.build.outputs.image }} or hello/app:1.4.2");
    return std::nullopt;
  }
  if (text->find("${{") != std::string::npos) return text;  // checked when rendered
  if (text->starts_with("./")) {
    // A file or directory the job's workspace holds (a needed job's artifact).
    if (("/" + *text + "/").find("/../") != std::string::npos) {
      context.reader->Error(field.pos, "artifact '" + *text + "' leaves the workspace",
                            "name a path inside the job's workspace, without '..'");
      return std::nullopt;
    }
    return text;
  }
  if (auto error = ArtifactReferenceError(*text)) {
    context.reader->Error(field.pos, "artifact " + *error,
                          "use REPOSITORY:TAG or REPOSITORY@sha256:DIGEST of slipway's registry, "
                          "or ./PATH in the job's workspace, e.g. hello/app:1.4.2");
    return std::nullopt;
  }
  return text;
}

// `TEMPLATE | {template: TEMPLATE, args: {NAME: VALUE}} | {}` ({} = the health checks only).
bool ReadAnalysisUse(LoadContext& context, const Field& field, std::string* name, NamedValues* args,
                     SourcePos* name_pos) {
  Reader& reader = *context.reader;
  const Field* name_field = &field;
  std::optional<MapView> map;
  if (!field.node.IsScalar()) {
    if (!field.node.IsMap()) {
      reader.TypeError(field, "a template name or {template: NAME, args: {…}}");
      return false;
    }
    map = reader.Map(field, "analysis", {"template", "args"});
    if (!map) return false;
    name_field = map->Find("template");
    if (!name_field) return true;
  }
  auto value = reader.String(*name_field);
  if (!value) return false;
  if (!IsValidName(*value)) {
    reader.Error(name_field->pos, "invalid analysis template name '" + *value + "'",
                 "use letters, digits, '_' and '-', starting with a letter or '_'");
    return false;
  }
  *name = std::move(*value);
  *name_pos = name_field->pos;
  if (map) {
    if (const Field* values = map->Find("args"))
      return Store(ReadLiteralValues(context, *values), args);
  }
  return true;
}

// `pause: DURATION | {duration: DURATION} | {} | null`; unset = until approved.
bool ReadPause(LoadContext& context, const Field& field, CanaryStep& step) {
  if (field.node.IsNull()) return true;
  if (field.node.IsScalar()) {
    step.pause = ReadDuration(context, field);
    return step.pause.has_value();
  }
  auto map = context.reader->Map(field, "pause", {"duration"});
  if (!map) return false;
  if (const Field* duration = map->Find("duration")) {
    step.pause = ReadDuration(context, *duration);
    return step.pause.has_value();
  }
  return true;
}

std::optional<CanaryStep> ReadCanaryStep(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "canary step", kCanarySteps);
  if (!map) return std::nullopt;
  const Field* kind = reader.OneOf(field, *map, kCanarySteps, "canary step");
  if (!kind) return std::nullopt;
  CanaryStep step;
  step.pos = field.pos;
  if (kind->key == "set-weight") {
    step.kind = CanaryStep::Kind::kSetWeight;
    auto weight = reader.Int(*kind, 0, 100);
    if (!weight) return std::nullopt;
    step.weight = static_cast<int>(*weight);
  } else if (kind->key == "pause") {
    step.kind = CanaryStep::Kind::kPause;
    if (!ReadPause(context, *kind, step)) return std::nullopt;
  } else {
    step.kind = CanaryStep::Kind::kAnalysis;
    if (kind->node.IsNull()) return step;
    if (!ReadAnalysisUse(context, *kind, &step.analysis, &step.analysis_args, &step.analysis_pos)) {
      return std::nullopt;
    }
  }
  return step;
}

// `analysis: TEMPLATE | {template: TEMPLATE, args: {…}, start-after-step: N}` beside `steps:`.
// `steps` is how many steps the canary has (start-after-step must be fewer).
std::optional<BackgroundAnalysisSpec> ReadBackgroundAnalysis(LoadContext& context,
                                                             const Field& field, size_t steps) {
  Reader& reader = *context.reader;
  BackgroundAnalysisSpec analysis;
  const Field* name_field = &field;
  std::optional<MapView> map;
  if (!field.node.IsScalar()) {
    if (!field.node.IsMap()) {
      reader.TypeError(field,
                       "a template name or {template: NAME, args: {…}, start-after-step: N}");
      return std::nullopt;
    }
    map = reader.Map(field, "background analysis", {"template", "args", "start-after-step"});
    if (!map) return std::nullopt;
    name_field = reader.Require(*map, "template", "background analysis");
    if (!name_field) return std::nullopt;
  }
  auto name = reader.String(*name_field);
  if (!name) return std::nullopt;
  if (!IsValidName(*name)) {
    reader.Error(name_field->pos, "invalid analysis template name '" + *name + "'",
                 "use letters, digits, '_' and '-', starting with a letter or '_'");
    return std::nullopt;
  }
  analysis.template_name = std::move(*name);
  analysis.pos = name_field->pos;
  if (!map) return analysis;
  bool ok = true;
  if (const Field* values = map->Find("args")) {
    ok = Store(ReadLiteralValues(context, *values), &analysis.args);
  }
  if (const Field* start = map->Find("start-after-step")) {
    analysis.start_pos = start->pos;
    auto value = reader.Int(*start, 0, 1000);
    if (!value) return std::nullopt;
    if (steps > 0 && static_cast<size_t>(*value) >= steps) {
      reader.Error(start->pos,
                   "start-after-step " + std::to_string(*value) +
                       " is not before the last of the " + std::to_string(steps) + " canary steps",
                   "the background analysis ends when the rollout is promoted after the last "
                   "step: use 0 to " +
                       std::to_string(steps - 1));
      return std::nullopt;
    }
    analysis.start_after_step = static_cast<int>(*value);
  }
  if (!ok) return std::nullopt;
  return analysis;
}

std::optional<CanaryStrategy> ReadCanary(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  CanaryStrategy canary;
  canary.pos = field.key_pos;
  auto map = reader.Map(field, "canary", {"steps", "analysis"});
  if (!map) return std::nullopt;
  const Field* steps = reader.Require(*map, "steps", "canary");
  if (!steps) return std::nullopt;
  auto items = reader.List(*steps, "a list of canary steps");
  if (!items) return std::nullopt;
  if (items->empty()) {
    reader.Error(steps->pos, "a canary needs at least one step",
                 "e.g. [{set-weight: 10}, {pause: 1m}, {set-weight: 100}]");
    return std::nullopt;
  }
  bool ok = true;
  for (const Field& item : *items) {
    auto step = ReadCanaryStep(context, item);
    ok = ok && step.has_value();
    if (step) canary.steps.push_back(std::move(*step));
  }
  if (const Field* analysis = map->Find("analysis")) {
    canary.analysis = ReadBackgroundAnalysis(context, *analysis, items->size());
    ok = ok && canary.analysis.has_value();
  }
  if (!ok) return std::nullopt;
  return canary;
}

std::optional<RollingStrategy> ReadRolling(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  RollingStrategy rolling;
  rolling.pos = field.key_pos;
  if (field.node.IsNull()) return rolling;
  auto map = reader.Map(field, "rolling", {"batch-size", "max-unavailable"});
  if (!map) return std::nullopt;
  bool ok = true;
  if (const Field* batch = map->Find("batch-size")) {
    auto value = reader.Int(*batch, 1, kMaxBatch);
    ok = value.has_value();
    rolling.batch_size = static_cast<int>(value.value_or(rolling.batch_size));
  }
  if (const Field* unavailable = map->Find("max-unavailable")) {
    auto value = reader.Int(*unavailable, 0, kMaxBatch);
    ok = ok && value.has_value();
    rolling.max_unavailable = static_cast<int>(value.value_or(rolling.max_unavailable));
  }
  if (!ok) return std::nullopt;
  return rolling;
}

std::optional<BlueGreenStrategy> ReadBlueGreen(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  BlueGreenStrategy blue_green;
  blue_green.pos = field.key_pos;
  if (field.node.IsNull()) return blue_green;
  auto map = reader.Map(field, "blue-green",
                        {"pre-promotion-analysis", "scale-down-delay", "auto-promote"});
  if (!map) return std::nullopt;
  bool ok = true;
  if (const Field* analysis = map->Find("pre-promotion-analysis")) {
    ok = ReadAnalysisUse(context, *analysis, &blue_green.pre_promotion_analysis,
                         &blue_green.pre_promotion_args, &blue_green.pre_promotion_pos);
  }
  if (const Field* delay = map->Find("scale-down-delay")) {
    auto value = ReadDuration(context, *delay);
    ok = ok && value.has_value();
    blue_green.scale_down_delay = value.value_or(blue_green.scale_down_delay);
  }
  if (const Field* promote = map->Find("auto-promote")) {
    auto value = reader.Bool(*promote);
    ok = ok && value.has_value();
    blue_green.auto_promote = value.value_or(blue_green.auto_promote);
  }
  if (!ok) return std::nullopt;
  return blue_green;
}

std::optional<StrategySpec> ReadStrategy(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "strategy", kStrategies);
  if (!map) return std::nullopt;
  const Field* kind = reader.OneOf(field, *map, kStrategies, "strategy");
  if (!kind) return std::nullopt;
  StrategySpec strategy;
  strategy.pos = field.key_pos;
  if (kind->key == "rolling") {
    strategy.rolling = ReadRolling(context, *kind);
    if (!strategy.rolling) return std::nullopt;
  } else if (kind->key == "blue-green") {
    strategy.blue_green = ReadBlueGreen(context, *kind);
    if (!strategy.blue_green) return std::nullopt;
  } else {
    strategy.canary = ReadCanary(context, *kind);
    if (!strategy.canary) return std::nullopt;
  }
  return strategy;
}

}  // namespace

std::optional<DeploySpec> ReadDeploy(LoadContext& context, const Field& field,
                                     std::string_view job) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "deploy", {"environment", "artifact", "strategy"});
  if (!map) return std::nullopt;
  // What could be read is kept even when a part is broken, so that CheckDeploys still reports
  // an unknown environment; a broken part stays empty ("" or no strategy at all).
  DeploySpec deploy;
  deploy.pos = field.key_pos;
  if (const Field* environment = reader.Require(*map, "environment", "deploy")) {
    if (auto name = reader.String(*environment)) {
      deploy.environment = std::move(*name);
      context.deploy_environment_positions[std::string(job)] = environment->pos;
    }
  }
  if (const Field* artifact = reader.Require(*map, "artifact", "deploy")) {
    deploy.artifact = ReadArtifact(context, *artifact, job).value_or("");
  }
  if (const Field* strategy = map->Find("strategy")) {
    if (auto value = ReadStrategy(context, *strategy)) deploy.strategy = std::move(*value);
  } else {
    deploy.strategy.rolling.emplace();  // the default
    deploy.strategy.pos = deploy.pos;
    deploy.strategy.rolling->pos = deploy.pos;
  }
  return deploy;
}

}  // namespace slipway::spec::internal
