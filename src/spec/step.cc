// One step of a job: a script run by a shell, with its own env, timeout and condition.
#include <utility>

#include "spec/durations.h"
#include "spec/loader.h"

namespace slipway::spec::internal {
namespace {

const std::vector<std::string> kStepKeys = {
    "name", "if", "run", "shell", "working-directory", "env", "timeout", "continue-on-error"};

// The first non-blank line of the script, trimmed: what people recognise a step by.
std::string FirstLine(std::string_view script) {
  size_t start = 0;
  while (start < script.size()) {
    size_t end = script.find('\n', start);
    if (end == std::string_view::npos) end = script.size();
    std::string_view line = script.substr(start, end - start);
    const size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      const size_t last = line.find_last_not_of(" \t\r");
      return std::string(line.substr(first, last - first + 1));
    }
    start = end + 1;
  }
  return {};
}

void CheckShell(LoadContext& context, const Field& field, const std::string& shell) {
  if (shell == "bash" || shell == "sh" || shell == "python3") return;
  if (shell.find("{0}") != std::string::npos) return;
  context.reader->Error(field.pos, "unknown shell '" + shell + "'",
                        "use bash, sh, python3 or a command with {0} for the script, e.g. '" +
                            (shell.empty() ? std::string("perl") : shell) + " {0}'");
}

// The literal text of a working directory must stay inside the workspace.
void CheckWorkingDirectory(LoadContext& context, const Field& field, std::string_view path) {
  if (path.starts_with('/')) {
    context.reader->Error(field.pos, "working-directory must be relative to the workspace",
                          "remove the leading '/'");
    return;
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") {
      context.reader->Error(field.pos, "working-directory must not leave the workspace ('..')");
      return;
    }
    start = end + 1;
  }
}

}  // namespace

std::optional<Duration> ReadDuration(LoadContext& context, const Field& field) {
  // A bare YAML number (`timeout: 30`) is text "30" here and gets the "add a unit" hint.
  if (!field.node.IsScalar() || Reader::Kind(field.node) == ScalarKind::kNull ||
      Reader::Kind(field.node) == ScalarKind::kBool) {
    context.reader->TypeError(field, "a duration such as 10m");
    return std::nullopt;
  }
  auto parsed = ParseDurationDetailed(field.node.Scalar());
  if (auto* problem = std::get_if<DurationProblem>(&parsed)) {
    context.reader->Error(field.pos, problem->message, problem->hint);
    return std::nullopt;
  }
  return std::get<Duration>(parsed);
}

std::optional<Step> ReadStep(LoadContext& context, const Field& field, std::string_view job) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "step", kStepKeys);
  if (!map) return std::nullopt;
  Step step;
  step.pos = field.pos;
  bool ok = true;
  if (const Field* run = map->Find("run")) {
    auto script = ReadTemplate(context, *run, job);
    ok = ok && script.has_value();
    if (script && script->find_first_not_of(" \t\r\n") == std::string::npos) {
      reader.Error(run->pos, "'run' is empty");
      ok = false;
    }
    if (script) step.run = std::move(*script);
  } else {
    reader.Error(field.pos, "step has no 'run'", "add run: <commands>");
    ok = false;
  }
  if (const Field* name = map->Find("name")) {
    if (auto value = ReadTemplate(context, *name, job)) step.name = std::move(*value);
  } else {
    step.name = FirstLine(step.run);
  }
  if (const Field* condition = map->Find("if")) {
    if (auto value = ReadCondition(context, *condition, job)) step.if_condition = *value;
  }
  if (const Field* shell = map->Find("shell")) {
    if (auto value = reader.String(*shell)) {
      CheckShell(context, *shell, *value);
      step.shell = std::move(*value);
    }
  }
  if (const Field* directory = map->Find("working-directory")) {
    if (auto value = ReadTemplate(context, *directory, job)) {
      CheckWorkingDirectory(context, *directory, *value);
      step.working_directory = std::move(*value);
    }
  }
  if (const Field* env = map->Find("env")) {
    if (auto values = ReadEnv(context, *env, job)) step.env = std::move(*values);
  }
  if (const Field* timeout = map->Find("timeout")) step.timeout = ReadDuration(context, *timeout);
  if (const Field* flag = map->Find("continue-on-error")) {
    if (auto value = reader.Bool(*flag)) step.continue_on_error = *value;
  }
  if (!ok) return std::nullopt;
  return step;
}

}  // namespace slipway::spec::internal
