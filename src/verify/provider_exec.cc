// The exec provider: `/bin/sh -c COMMAND` in its own process group (util/subprocess.h), with
// stdout read as JSON (exec_output.cc). stderr goes to a temporary file instead of the pipe,
// so a script's diagnostics neither corrupt the number it prints nor get lost: their tail
// explains a failure.
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>

#include "util/cancel.h"
#include "util/subprocess.h"
#include "verify/exec_output.h"
#include "verify/provider_internal.h"

namespace slipway::verify {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kKillGrace{2000};
constexpr size_t kStderrTail = 1000;

// A variable's name in SLIPWAY_<NAME>: upper case, anything but letters and digits as '_'.
std::string EnvWord(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    out += std::isalnum(byte) != 0 ? static_cast<char>(std::toupper(byte)) : '_';
  }
  return out;
}

// A temporary file for the command's stderr, removed on destruction.
class StderrFile {
 public:
  StderrFile() {
    std::error_code error;  // a $TMPDIR that is not a directory: /tmp
    std::filesystem::path dir = std::filesystem::temp_directory_path(error);
    if (error) dir = "/tmp";
    std::string pattern = (dir / "slipway-exec-XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd >= 0) {
      close(fd);
      path_ = pattern;
    }
  }
  ~StderrFile() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  StderrFile(const StderrFile&) = delete;
  StderrFile& operator=(const StderrFile&) = delete;

  const std::string& path() const { return path_; }  // "" when it could not be made

  // The last kStderrTail bytes, for messages.
  std::string Tail() const {
    std::ifstream in(path_, std::ios::binary | std::ios::ate);
    if (!in) return "";
    const std::streamoff size = in.tellg();
    in.seekg(std::max<std::streamoff>(0, size - static_cast<std::streamoff>(kStderrTail)));
    std::string tail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return tail;
  }

 private:
  std::string path_;
};

class ExecProvider final : public Provider {
 public:
  ExecProvider(ExecProviderOptions options, internal::TextTemplate command)
      : options_(std::move(options)), command_(std::move(command)) {}

  Result<Measurement> Measure(const MeasureRequest& request) override {
    const auto at = internal::ResolveNow(request);
    auto rendered = command_.Render(request.variables);
    if (!rendered.ok()) return rendered.status().WithContext("exec");
    const std::string& command = *rendered;
    const std::string what = "exec \"" + internal::Quote(command) + "\"";
    StderrFile stderr_file;
    if (stderr_file.path().empty()) return Unavailable(what + ": cannot make a temporary file");

    ProcessSpec spec;
    // The first line moves stderr to the file; the command follows as written.
    spec.argv = {"/bin/sh", "-c", "exec 2>\"$SLIPWAY_STDERR_FILE\"\n" + command};
    spec.cwd = options_.working_dir;
    spec.env = Environment(request.variables, stderr_file.path());
    spec.timeout = options_.timeout;
    spec.kill_grace = kKillGrace;

    std::string output;
    bool too_much = false;
    CancelToken stop;
    const ProcessOutcome outcome = RunProcess(
        spec,
        [&](std::string_view chunk) {
          if (too_much) return;
          output.append(chunk);
          if (output.size() > options_.max_output_bytes) {
            too_much = true;
            stop.Cancel();  // RunProcess ends the whole group
          }
        },
        &stop);
    if (outcome.group_left_behind) (void)KillProcessGroup(outcome.pgid, kKillGrace);
    SLIPWAY_RETURN_IF_ERROR(CheckOutcome(what, outcome, too_much, stderr_file, output));
    auto measurement = internal::ParseExecOutput(output);
    if (!measurement.ok()) return measurement.status().WithContext(what);
    measurement->at = at;
    return measurement;
  }

 private:
  std::vector<std::string> Environment(const expr::Value::Map& variables,
                                       const std::string& stderr_path) const {
    std::map<std::string, std::string> env;
    const char* path = std::getenv("PATH");
    env["PATH"] = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    if (const char* home = std::getenv("HOME")) env["HOME"] = home;
    for (const auto& [name, value] : options_.env) env[name] = value;
    for (const auto& [name, value] : variables) {
      const std::string env_name = "SLIPWAY_" + EnvWord(name.ToTemplateString());
      env[env_name] = value.ToTemplateString();
      if (!value.is_map()) continue;
      for (const auto& [key, inner] : value.as_map()) {
        env[env_name + "_" + EnvWord(key.ToTemplateString())] = inner.ToTemplateString();
      }
    }
    env["SLIPWAY_STDERR_FILE"] = stderr_path;
    std::vector<std::string> out;
    out.reserve(env.size());
    for (const auto& [name, value] : env) {
      std::string entry = name;
      entry += '=';
      entry += value;
      out.push_back(std::move(entry));
    }
    return out;
  }

  Status CheckOutcome(const std::string& what, const ProcessOutcome& outcome, bool too_much,
                      const StderrFile& stderr_file, const std::string& output) const {
    const auto explain = [&] {
      std::string tail = stderr_file.Tail();
      if (tail.empty()) tail = output.substr(output.size() - std::min(output.size(), kStderrTail));
      return tail.empty() ? std::string() : ": " + internal::Quote(tail, kStderrTail);
    };
    switch (outcome.kind) {
      case ProcessOutcome::Kind::kExited:
        if (outcome.exit_code == 0) return Status::Ok();
        return Unavailable(what + ": exited with status " + std::to_string(outcome.exit_code) +
                           explain());
      case ProcessOutcome::Kind::kSignaled:
        return Unavailable(what + ": killed by signal " + std::to_string(outcome.signal) +
                           explain());
      case ProcessOutcome::Kind::kTimedOut:
        return Status(StatusCode::kDeadlineExceeded, what + ": no answer within " +
                                                         std::to_string(options_.timeout.count()) +
                                                         " ms (its process group was killed)");
      case ProcessOutcome::Kind::kCancelled:
        if (too_much) {
          return ResourceExhausted(what + ": printed more than " +
                                   std::to_string(options_.max_output_bytes) + " bytes");
        }
        return Cancelled(what + ": cancelled");
      case ProcessOutcome::Kind::kFailedToStart:
        break;
    }
    return Unavailable(what + ": did not start: " + outcome.error);
  }

  const ExecProviderOptions options_;
  const internal::TextTemplate command_;
};

}  // namespace

Result<std::unique_ptr<Provider>> MakeExecProvider(ExecProviderOptions options) {
  const std::string what = "exec provider";
  if (options.command.empty()) return InvalidArgument(what + ": command is required");
  if (options.timeout <= milliseconds(0)) return InvalidArgument(what + ": timeout must be > 0");
  if (options.max_output_bytes == 0) {
    return InvalidArgument(what + ": max_output_bytes must be > 0");
  }
  std::error_code error;
  if (!options.working_dir.empty() && !std::filesystem::is_directory(options.working_dir, error)) {
    return InvalidArgument(what + ": working_dir " + options.working_dir.string() +
                           " is not a directory");
  }
  for (const auto& [name, value] : options.env) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return InvalidArgument(what + ": bad env name \"" + internal::Quote(name) + "\"");
    }
  }
  auto command = internal::TextTemplate::Parse("command", options.command);
  if (!command.ok()) return command.status().WithContext(what);
  return std::unique_ptr<Provider>(
      std::make_unique<ExecProvider>(std::move(options), std::move(*command)));
}

}  // namespace slipway::verify
