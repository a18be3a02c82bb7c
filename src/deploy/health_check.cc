#include "deploy/health_check.h"

#include "deploy/instance_process.h"
#include "deploy/net_io.h"
#include "deploy/shell_command.h"
#include "util/subprocess.h"

namespace slipway::deploy {
namespace {

constexpr size_t kOutputTail = 300;

Status RunExecCheck(const HealthCheck& check, const CheckContext& context) {
  const std::string command =
      ExpandTemplate(check.command, context.endpoint.port, context.revision);
  ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", command};
  spec.cwd = context.cwd;
  spec.env = context.env;
  spec.timeout = check.timeout;
  spec.kill_grace = std::chrono::milliseconds(1000);
  auto [outcome, output] = RunCommandKeepingTail(spec, kOutputTail);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  const std::string what = "`" + command + "` ";
  const std::string tail = output.empty() ? "" : ": " + output;
  switch (outcome.kind) {
    case ProcessOutcome::Kind::kExited:
      if (outcome.exit_code == 0) return Status::Ok();
      return Unavailable(what + "exited with status " + std::to_string(outcome.exit_code) + tail);
    case ProcessOutcome::Kind::kSignaled:
      return Unavailable(what + "was killed by signal " + std::to_string(outcome.signal) + tail);
    case ProcessOutcome::Kind::kTimedOut:
      return Status(StatusCode::kDeadlineExceeded,
                    what + "timed out after " + std::to_string(check.timeout.count()) + " ms");
    case ProcessOutcome::Kind::kCancelled:
    case ProcessOutcome::Kind::kFailedToStart:
      break;
  }
  return Unavailable(what + "could not run: " + outcome.error);
}

Status RunHttpCheck(const HealthCheck& check, const CheckContext& context) {
  const std::string url = "GET http://" + context.endpoint.ToString() + check.http_path;
  Result<HttpAnswer> answer = HttpGet(context.endpoint, check.http_path, check.timeout);
  if (!answer.ok()) return Status(answer.status().code(), url + ": " + answer.status().message());
  if (answer->status >= 200 && answer->status < 400) return Status::Ok();
  return Unavailable(url + " answered " + std::to_string(answer->status));
}

}  // namespace

Status RunHealthCheck(const HealthCheck& check, const CheckContext& context) {
  switch (check.kind) {
    case HealthCheck::Kind::kTcp: {
      SocketAddress address;
      address.tcp = context.endpoint;
      Status status = ProbeConnect(address, check.timeout);
      if (status.ok()) return status;
      return Status(status.code(), "TCP check: " + status.message());
    }
    case HealthCheck::Kind::kHttp:
      return RunHttpCheck(check, context);
    case HealthCheck::Kind::kExec:
      return RunExecCheck(check, context);
  }
  return Internal("unknown health check kind");
}

}  // namespace slipway::deploy
