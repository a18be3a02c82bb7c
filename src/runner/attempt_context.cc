#include "runner/attempt_context.h"

#include <string>

#include "runner/masker.h"
#include "util/cancel.h"

namespace slipway::runner {
namespace {

std::map<std::string, std::string> ParseEnvironment(const std::vector<std::string>& entries) {
  std::map<std::string, std::string> env;
  for (const auto& entry : entries) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

expr::Value EnvValue(const std::map<std::string, std::string>& env) {
  expr::Value::Map map;
  for (const auto& [name, value] : env) map.emplace(name, expr::Value(value));
  return expr::Value(std::move(map));
}

}  // namespace

AttemptContext::AttemptContext(const JobAttempt& attempt)
    : attempt_(attempt), job_(*attempt.instance->job), activation_(attempt.activation) {
  env_ = ParseEnvironment(attempt.environment);
}

AttemptContext::~AttemptContext() = default;

bool AttemptContext::cancelled() const {
  return attempt_.cancel != nullptr && attempt_.cancel->cancelled();
}

void AttemptContext::StartLog() {
  LogSink* sink = attempt_.log;
  log_ = std::make_unique<LogStream>(attempt_.masker, [sink](std::string_view line) {
    if (sink != nullptr) sink->Line(line);
  });
}

void AttemptContext::FinishLog() {
  log_->Flush();
  if (attempt_.log != nullptr) attempt_.log->EndOfChunk();
}

void AttemptContext::Notice(const std::string& line) {
  log_->Feed(line);
  log_->Feed("\n");
  if (attempt_.log != nullptr) attempt_.log->EndOfChunk();
}

std::string AttemptContext::Mask(std::string_view text) const {
  return attempt_.masker->Mask(text);
}

std::variant<std::string, expr::Error> AttemptContext::Render(
    const std::string& text, const expr::Activation& activation) const {
  auto parsed = expr::Template::Parse(text);
  if (auto* error = std::get_if<expr::Error>(&parsed)) return *error;
  return std::get<expr::Template>(parsed).Render(activation);
}

bool AttemptContext::PrepareJobEnvironment(std::string* error) {
  // The `env` context is what steps will see; job env entries may use earlier ones.
  activation_.variables["env"] = EnvValue(env_);
  for (const auto& [name, value] : job_.env) {
    auto rendered = Render(value, activation_);
    if (auto* e = std::get_if<expr::Error>(&rendered)) {
      *error = "env " + name + ": " + e->message;
      return false;
    }
    env_[name] = std::get<std::string>(rendered);
    activation_.variables["env"] = EnvValue(env_);
  }
  return true;
}

std::string AttemptContext::StepName(const spec::Step& step, size_t index) const {
  std::string name = step.name;
  if (name.empty()) {
    name = step.run.substr(0, step.run.find('\n'));
    if (name.empty()) name = "step " + std::to_string(index + 1);
  } else if (auto rendered = Render(name, activation_);
             std::holds_alternative<std::string>(rendered)) {
    name = std::get<std::string>(std::move(rendered));
  }
  return Mask(name);  // names reach reports and summaries, not only the masked log
}

std::vector<std::string> AttemptContext::EnvironmentFor(
    const std::map<std::string, std::string>& step_env, const std::string& output_file,
    size_t step) const {
  std::map<std::string, std::string> env = env_;
  for (const auto& [name, value] : step_env) env[name] = value;
  const auto& a = attempt_;
  auto variable = [&](const char* name) -> std::string {
    auto it = a.activation.variables.find(name);
    return it != a.activation.variables.end() && it->second.is_string() ? it->second.as_string()
                                                                        : "";
  };
  env["CI"] = "true";
  env["SLIPWAY"] = "true";
  env["SLIPWAY_OUTPUT"] = output_file;
  env["SLIPWAY_WORKSPACE"] = a.workspace.string();
  env["SLIPWAY_JOB"] = a.instance->id;
  env["SLIPWAY_RUN_ID"] = a.run_id;
  env["SLIPWAY_BRANCH"] = variable("branch");
  env["SLIPWAY_EVENT"] = variable("event");
  env["SLIPWAY_ATTEMPT"] = std::to_string(a.attempt);
  env["SLIPWAY_STEP"] = std::to_string(step + 1);
  std::vector<std::string> entries;
  entries.reserve(env.size());
  for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
  return entries;
}

}  // namespace slipway::runner
