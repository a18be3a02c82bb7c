// One step: render its templates, write its script, run it in its own process group.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "runner/attempt_context.h"
#include "runner/step_command.h"
#include "util/duration_format.h"
#include "util/fs.h"
#include "util/key_value_file.h"
#include "util/subprocess.h"

namespace slipway::runner {
namespace {

// A working directory must stay inside the workspace.
bool EscapesWorkspace(const std::string& dir) {
  if (!dir.empty() && dir.front() == '/') return true;
  size_t start = 0;
  while (start <= dir.size()) {
    size_t end = dir.find('/', start);
    if (end == std::string::npos) end = dir.size();
    if (dir.compare(start, end - start, "..") == 0) return true;
    start = end + 1;
  }
  return false;
}

// Scratch files (scripts, output files) need no durability: a plain write, no fsync.
Status WriteScratchFile(const std::string& path, std::string_view bytes, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus(path, errno);
  Status written = WriteAll(fd, bytes, path);
  close(fd);
  return written;
}

StepRun Failed(Outcome outcome, std::string reason) {
  StepRun run;
  run.outcome = outcome;
  run.reason = std::move(reason);
  return run;
}

}  // namespace

StepRun AttemptContext::RunStep(const spec::Step& step, size_t index,
                                std::chrono::milliseconds remaining) {
  Notice("▶ " + StepName(step, index));

  auto script = Render(step.run, activation_);
  if (auto* e = std::get_if<expr::Error>(&script)) {
    return Failed(Outcome::kFailure, "run: " + e->message);
  }
  std::map<std::string, std::string> step_env;
  expr::Activation step_scope = activation_;
  for (const auto& [name, value] : step.env) {
    auto rendered = Render(value, step_scope);
    if (auto* e = std::get_if<expr::Error>(&rendered)) {
      return Failed(Outcome::kFailure, "env " + name + ": " + e->message);
    }
    step_env[name] = std::get<std::string>(rendered);
  }
  auto dir = Render(step.working_directory, activation_);
  if (auto* e = std::get_if<expr::Error>(&dir)) {
    return Failed(Outcome::kFailure, "working-directory: " + e->message);
  }
  const std::string& relative_dir = std::get<std::string>(dir);
  if (EscapesWorkspace(relative_dir)) {
    return Failed(Outcome::kFailure,
                  "working-directory '" + relative_dir + "' is outside the workspace");
  }
  std::filesystem::path cwd = attempt_.workspace / relative_dir;

  const std::string base = (attempt_.temp_dir / ("step-" + std::to_string(index + 1))).string();
  const std::string output_file = base + ".output";
  auto path_it = env_.find("PATH");
  const std::string path_env = path_it == env_.end() ? "" : path_it->second;
  const std::string& script_text = std::get<std::string>(script);
  std::vector<std::string> argv;
  if (auto direct = DirectCommand(step.shell, script_text, path_env)) {
    argv = std::move(*direct);
  } else {
    auto command = MakeStepCommand(step.shell, base, path_env);
    if (!command.ok()) return Failed(Outcome::kFailure, command.status().message());
    const std::string script_path = base + command->script_extension;
    std::replace(command->argv.begin(), command->argv.end(), base, script_path);
    if (Status s = WriteScratchFile(script_path, script_text, 0700); !s.ok()) {
      return Failed(Outcome::kInfra, "cannot write the step's script: " + s.message());
    }
    argv = std::move(command->argv);
  }
  if (Status s = WriteScratchFile(output_file, "", 0600); !s.ok()) {
    return Failed(Outcome::kInfra, "cannot create $SLIPWAY_OUTPUT: " + s.message());
  }

  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.cwd = cwd;
  step_env["PWD"] = cwd.string();  // as a shell would set it
  spec.env = EnvironmentFor(step_env, output_file, index);
  const bool step_bound = step.timeout && *step.timeout <= remaining;
  spec.timeout = step_bound ? *step.timeout : remaining;
  spec.kill_grace = attempt_.kill_grace;

  ProcessOutcome outcome = attempt_.launcher->Run(
      spec,
      [this](std::string_view chunk) {
        log_->Feed(chunk);
        if (attempt_.log != nullptr) attempt_.log->EndOfChunk();
      },
      attempt_.cancel);
  log_->Flush();
  // Only a group that still has members is remembered: an empty group's id may be reused.
  if (outcome.pgid > 0 && outcome.group_left_behind) step_groups_.push_back(outcome.pgid);

  StepRun run;
  run.duration = outcome.duration;
  run.exit_code = outcome.exit_code;
  switch (outcome.kind) {
    case ProcessOutcome::Kind::kExited:
      run.outcome = outcome.exit_code == 0 ? Outcome::kSuccess : Outcome::kFailure;
      if (outcome.exit_code != 0) run.reason = "exited with " + std::to_string(outcome.exit_code);
      break;
    case ProcessOutcome::Kind::kSignaled:
      run.outcome = Outcome::kFailure;
      run.reason = "was killed by signal " + std::to_string(outcome.signal);
      break;
    case ProcessOutcome::Kind::kTimedOut:
      run.outcome = Outcome::kTimedOut;
      run.job_deadline = !step_bound;
      run.reason = "timed out after " + FormatDuration(*spec.timeout);
      break;
    case ProcessOutcome::Kind::kCancelled:
      run.outcome = Outcome::kCancelled;
      run.reason = "was cancelled";
      break;
    case ProcessOutcome::Kind::kFailedToStart:
      run.outcome = Outcome::kInfra;
      run.reason = "could not start: " + outcome.error;
      break;
  }
  ReadStepOutputs(output_file, &run);
  return run;
}

bool AttemptContext::ReadStepOutputs(const std::string& output_file, StepRun* run) {
  auto parsed = ReadKeyValueFile(output_file);
  if (!parsed.ok()) {
    if (run->outcome == Outcome::kSuccess) {
      *run = Failed(Outcome::kFailure, "$SLIPWAY_OUTPUT: " + parsed.status().message());
    }
    return false;
  }
  for (auto& [name, value] : *parsed) {
    auto same = [&](const auto& entry) { return entry.first == name; };
    auto it = std::find_if(written_outputs_.begin(), written_outputs_.end(), same);
    if (it != written_outputs_.end()) {
      it->second = std::move(value);
    } else {
      written_outputs_.emplace_back(name, std::move(value));
    }
  }
  return true;
}

void AttemptContext::RemoveLeftoverProcesses() {
  for (pid_t group : step_groups_) {
    if (Status s = attempt_.launcher->KillGroup(group, attempt_.kill_grace); !s.ok()) {
      Notice("warning: could not remove processes a step left behind: " + s.message());
    }
  }
  step_groups_.clear();
}

}  // namespace slipway::runner
