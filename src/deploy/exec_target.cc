// ExecTarget: revisions applied, inspected and removed by user commands (deploy.h,
// MakeExecTarget; the contract is in docs/deploy.md).
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <system_error>

#include "deploy/deploy.h"
#include "deploy/exec_status.h"
#include "deploy/revision_json.h"
#include "util/fs.h"
#include "util/subprocess.h"

extern char** environ;

namespace slipway::deploy {
namespace {

using nlohmann::json;

constexpr char kRecordFile[] = "revisions.json";
constexpr size_t kMaxStdout = 1 << 20;
constexpr size_t kStderrTail = 2000;
constexpr std::chrono::milliseconds kKillGrace{5000};

void SetEnv(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  const std::string prefix = key + "=";
  std::erase_if(env, [&prefix](const std::string& entry) { return entry.starts_with(prefix); });
  env.push_back(prefix + value);
}

// The last kStderrTail bytes of `file`, from a line start when possible; "" when empty.
std::string StderrTail(const std::filesystem::path& file) {
  Result<std::string> text = ReadFile(file, 64 << 20);
  if (!text.ok()) return "";
  std::string tail = *text;
  if (tail.size() > kStderrTail) {
    tail.erase(0, tail.size() - kStderrTail);
    const size_t newline = tail.find('\n');
    if (newline != std::string::npos && newline + 1 < tail.size()) tail.erase(0, newline + 1);
  }
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  return tail;
}

class ExecTarget final : public Target {
 public:
  explicit ExecTarget(ExecTargetOptions options) : options_(std::move(options)) {}

  Status Load() {
    const std::filesystem::path file = options_.state_dir / kRecordFile;
    std::error_code error;
    if (!std::filesystem::exists(file, error)) return Status::Ok();
    SLIPWAY_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 16 << 20));
    try {
      const json j = json::parse(text);
      for (const json& spec : j.at("revisions")) revisions_.push_back(RevisionSpecFromJson(spec));
    } catch (const json::exception& e) {
      return InvalidArgument(file.string() + ": not a valid revisions record: " + e.what());
    }
    return Status::Ok();
  }

  Status Apply(const RevisionSpec& revision) override {
    if (revision.id.empty() || revision.id.find('/') != std::string::npos ||
        revision.id.front() == '.') {
      return InvalidArgument("revision id '" + revision.id + "' cannot name a file");
    }
    std::lock_guard lock(mutex_);
    SLIPWAY_ASSIGN_OR_RETURN(std::string output, RunHook("apply", options_.apply, revision));
    (void)output;
    const auto it = Find(revision.id);
    if (it == revisions_.end()) {
      revisions_.push_back(revision);
    } else {
      *it = revision;
    }
    return Save();
  }

  Result<RevisionState> Inspect(std::string_view revision_id) override {
    std::lock_guard lock(mutex_);
    const auto it = Find(revision_id);
    if (it == revisions_.end()) {
      return NotFound("revision " + std::string(revision_id) + " was not applied here");
    }
    SLIPWAY_ASSIGN_OR_RETURN(std::string output, RunHook("status", options_.status, *it));
    Result<RevisionState> state = ParseExecStatus(output);
    if (!state.ok()) {
      std::string shown = output.substr(0, 200);
      const std::string stderr_tail = StderrTail(StderrFile("status", it->id));
      return InvalidArgument("status command `" + options_.status + "` for revision " + it->id +
                             " printed unusable output: " + state.status().message() +
                             " (stdout: '" + shown + "')" +
                             (stderr_tail.empty() ? "" : "; stderr: " + stderr_tail));
    }
    state->id = it->id;
    return state;
  }

  std::vector<std::string> Revisions() override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const RevisionSpec& spec : revisions_) ids.push_back(spec.id);
    return ids;
  }

  Status Remove(std::string_view revision_id) override {
    std::lock_guard lock(mutex_);
    const auto it = Find(revision_id);
    if (it == revisions_.end()) {
      return NotFound("revision " + std::string(revision_id) + " was not applied here");
    }
    if (!options_.remove.empty()) {
      SLIPWAY_ASSIGN_OR_RETURN(std::string output, RunHook("remove", options_.remove, *it));
      (void)output;
    }
    revisions_.erase(it);
    return Save();
  }

 private:
  std::vector<RevisionSpec>::iterator Find(std::string_view id) {
    return std::find_if(revisions_.begin(), revisions_.end(),
                        [id](const RevisionSpec& spec) { return spec.id == id; });
  }

  std::filesystem::path StderrFile(const std::string& hook, const std::string& id) const {
    return options_.state_dir / (id + "." + hook + ".stderr");
  }

  Status Save() {
    json list = json::array();
    for (const RevisionSpec& spec : revisions_) list.push_back(RevisionSpecToJson(spec));
    const json j = {{"version", 1}, {"revisions", list}};
    return WriteFileAtomic(options_.state_dir / kRecordFile, j.dump(2) + "\n");
  }

  std::vector<std::string> HookEnv(const RevisionSpec& spec, const std::string& stderr_file) const {
    std::vector<std::string> env;
    for (char** entry = environ; entry && *entry; ++entry) env.emplace_back(*entry);
    for (const auto& [key, value] : options_.env) SetEnv(env, key, value);
    for (const auto& [key, value] : spec.env) SetEnv(env, key, value);
    SetEnv(env, "SLIPWAY_REVISION", spec.id);
    SetEnv(env, "SLIPWAY_DIGEST", spec.digest);
    SetEnv(env, "SLIPWAY_ARTIFACT_DIR", spec.artifact_dir.string());
    SetEnv(env, "SLIPWAY_INSTANCES", std::to_string(spec.instances));
    SetEnv(env, "SLIPWAY_ENVIRONMENT", options_.environment);
    SetEnv(env, "SLIPWAY_HOOK_STDERR", stderr_file);
    return env;
  }

  // Runs one command; its stdout on success. Its stderr goes to StderrFile (kept for the user).
  Result<std::string> RunHook(const std::string& hook, const std::string& command,
                              const RevisionSpec& spec) {
    const std::filesystem::path stderr_file = StderrFile(hook, spec.id);
    ProcessSpec process;
    // The shell sends its own stderr to the file before it runs the user's command, so stdout
    // (the status JSON) arrives alone on RunProcess's pipe.
    process.argv = {"/bin/sh", "-c", "exec 2>\"$SLIPWAY_HOOK_STDERR\"\n" + command};
    std::error_code error;
    process.cwd =
        !spec.artifact_dir.empty() && std::filesystem::is_directory(spec.artifact_dir, error)
            ? spec.artifact_dir
            : options_.state_dir;
    process.env = HookEnv(spec, stderr_file.string());
    process.timeout = options_.timeout;
    process.kill_grace = kKillGrace;
    std::string output;
    bool overflow = false;
    const ProcessOutcome outcome = RunProcess(
        process,
        [&](std::string_view chunk) {
          if (output.size() + chunk.size() > kMaxStdout) overflow = true;
          if (!overflow) output.append(chunk);
        },
        nullptr);
    // A command must not leave processes behind: they would outlive every later call.
    if (outcome.group_left_behind) (void)KillProcessGroup(outcome.pgid, kKillGrace);
    const std::string what = hook + " command `" + command + "` for revision " + spec.id;
    const auto with_stderr = [&](std::string message) {
      const std::string tail = StderrTail(stderr_file);
      return tail.empty() ? message + " (no stderr)" : message + "; stderr:\n" + tail;
    };
    switch (outcome.kind) {
      case ProcessOutcome::Kind::kExited:
        if (outcome.exit_code != 0) {
          return Unavailable(
              with_stderr(what + " exited with status " + std::to_string(outcome.exit_code)));
        }
        if (overflow) {
          return ResourceExhausted(what + " printed more than " + std::to_string(kMaxStdout) +
                                   " bytes");
        }
        return output;
      case ProcessOutcome::Kind::kSignaled:
        return Unavailable(
            with_stderr(what + " was killed by signal " + std::to_string(outcome.signal)));
      case ProcessOutcome::Kind::kTimedOut:
        return Status(StatusCode::kDeadlineExceeded,
                      with_stderr(what + " timed out after " +
                                  std::to_string(options_.timeout.count()) + " ms"));
      case ProcessOutcome::Kind::kCancelled:
      case ProcessOutcome::Kind::kFailedToStart:
        break;
    }
    return Unavailable(what + " could not run: " + outcome.error);
  }

  const ExecTargetOptions options_;
  std::mutex mutex_;
  std::vector<RevisionSpec> revisions_;  // in the order first applied
};

}  // namespace

Result<std::unique_ptr<Target>> MakeExecTarget(ExecTargetOptions options) {
  if (options.state_dir.empty()) return InvalidArgument("exec target: state_dir is required");
  if (options.apply.empty() || options.status.empty()) {
    return InvalidArgument("exec target: the apply and status commands are required");
  }
  std::error_code error;
  options.state_dir = std::filesystem::absolute(options.state_dir, error);
  std::filesystem::create_directories(options.state_dir, error);
  if (error) {
    return Unavailable("cannot create state directory " + options.state_dir.string() + ": " +
                       error.message());
  }
  auto target = std::make_unique<ExecTarget>(std::move(options));
  SLIPWAY_RETURN_IF_ERROR(target->Load());
  return std::unique_ptr<Target>(std::move(target));
}

}  // namespace slipway::deploy
