// An environment's `target:` — where revisions run: `process` (instances of the artifact on
// the server's host, with health checks) or `exec` (the user's apply/status/remove commands).
#include <utility>

#include "spec/environment_fields.h"

namespace slipway::spec::internal {
namespace {

constexpr int64_t kMaxInstances = 64;
constexpr int64_t kMaxRestarts = 1000;
constexpr int64_t kMaxFailureThreshold = 100;
// The restart delay doubles per crash up to this cap; a first delay above it would contradict
// the cap.
constexpr Duration kMaxRestartBackoff = std::chrono::seconds(30);

const std::vector<std::string> kCheckKinds = {"http", "tcp", "exec"};

std::optional<std::string> ReadHttpPath(LoadContext& context, const Field& field) {
  auto path = ReadLiteral(context, field);
  if (!path) return std::nullopt;
  if (!path->starts_with('/')) {
    context.reader->Error(field.pos, "the http check's path must start with '/'", "e.g. /healthz");
    return std::nullopt;
  }
  return path;
}

std::optional<bool> ReadTcp(LoadContext& context, const Field& field) {
  auto value = context.reader->Bool(field);
  if (!value) return std::nullopt;
  if (!*value) {
    context.reader->Error(field.pos, "'tcp: false' checks nothing",
                          "use tcp: true, http: PATH or exec: COMMAND, or remove the check");
    return std::nullopt;
  }
  return value;
}

std::optional<HealthCheckSpec> ReadHealthCheck(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  const std::string what = field.key + " check";
  auto map =
      reader.Map(field, what, {"http", "tcp", "exec", "interval", "timeout", "failure-threshold"});
  if (!map) return std::nullopt;
  HealthCheckSpec check;
  check.pos = field.key_pos;
  bool ok = true;
  const Field* kind = reader.OneOf(field, *map, kCheckKinds, what);
  if (!kind) {
    ok = false;
  } else if (kind->key == "http") {
    ok &= Store(ReadHttpPath(context, *kind), &check.http_path);
  } else if (kind->key == "tcp") {
    ok &= Store(ReadTcp(context, *kind), &check.tcp);
  } else {
    ok &= Store(ReadNonEmpty(context, *kind), &check.exec);
  }
  if (const Field* interval = map->Find("interval")) {
    ok &= Store(ReadDuration(context, *interval), &check.interval);
  }
  if (const Field* timeout = map->Find("timeout")) {
    ok &= Store(ReadDuration(context, *timeout), &check.timeout);
  }
  if (const Field* threshold = map->Find("failure-threshold")) {
    ok &= Store(reader.Int(*threshold, 1, kMaxFailureThreshold), &check.failure_threshold);
  }
  if (!ok) return std::nullopt;
  return check;
}

// Relative to the unpacked artifact, and inside it.
std::optional<std::string> ReadArtifactDirectory(LoadContext& context, const Field& field) {
  auto path = ReadLiteral(context, field);
  if (!path) return std::nullopt;
  if (path->starts_with('/')) {
    context.reader->Error(field.pos, "working-directory must be relative to the artifact",
                          "remove the leading '/'");
    return std::nullopt;
  }
  for (size_t start = 0; start <= path->size();) {
    size_t end = path->find('/', start);
    if (end == std::string::npos) end = path->size();
    if (std::string_view(*path).substr(start, end - start) == "..") {
      context.reader->Error(field.pos, "working-directory must not leave the artifact ('..')");
      return std::nullopt;
    }
    start = end + 1;
  }
  return path;
}

std::optional<Duration> ReadRestartBackoff(LoadContext& context, const Field& field) {
  auto value = ReadDuration(context, field);
  if (value && *value > kMaxRestartBackoff) {
    context.reader->Error(field.pos, "restart-backoff must be at most 30s",
                          "the delay doubles after each crash, up to 30s");
    return std::nullopt;
  }
  return value;
}

std::optional<ProcessTargetSpec> ReadProcess(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "process target",
                        {"command", "working-directory", "instances", "env", "readiness",
                         "liveness", "restart-backoff", "max-restarts"});
  if (!map) return std::nullopt;
  ProcessTargetSpec process;
  process.pos = field.key_pos;
  bool ok = true;
  const Field* command = reader.Require(*map, "command", "process target");
  ok &= command && Store(ReadNonEmpty(context, *command), &process.command);
  if (const Field* directory = map->Find("working-directory")) {
    ok &= Store(ReadArtifactDirectory(context, *directory), &process.working_directory);
  }
  if (const Field* instances = map->Find("instances")) {
    ok &= Store(reader.Int(*instances, 1, kMaxInstances), &process.instances);
  }
  if (const Field* env = map->Find("env")) {
    ok &= Store(ReadLiteralValues(context, *env), &process.env);
  }
  if (const Field* readiness = map->Find("readiness")) {
    ok &= Store(ReadHealthCheck(context, *readiness), &process.readiness);
  }
  if (const Field* liveness = map->Find("liveness")) {
    ok &= Store(ReadHealthCheck(context, *liveness), &process.liveness);
  }
  if (const Field* backoff = map->Find("restart-backoff")) {
    ok &= Store(ReadRestartBackoff(context, *backoff), &process.restart_backoff);
  }
  if (const Field* restarts = map->Find("max-restarts")) {
    ok &= Store(reader.Int(*restarts, 0, kMaxRestarts), &process.max_restarts);
  }
  if (!ok) return std::nullopt;
  return process;
}

std::optional<ExecTargetSpec> ReadExec(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "exec target", {"apply", "status", "remove", "timeout"});
  if (!map) return std::nullopt;
  ExecTargetSpec exec;
  exec.pos = field.key_pos;
  bool ok = true;
  const Field* apply = reader.Require(*map, "apply", "exec target");
  ok &= apply && Store(ReadNonEmpty(context, *apply), &exec.apply);
  const Field* status = reader.Require(*map, "status", "exec target");
  ok &= status && Store(ReadNonEmpty(context, *status), &exec.status);
  if (const Field* remove = map->Find("remove")) {
    ok &= Store(ReadNonEmpty(context, *remove), &exec.remove);
  }
  if (const Field* timeout = map->Find("timeout")) {
    ok &= Store(ReadDuration(context, *timeout), &exec.timeout);
  }
  if (!ok) return std::nullopt;
  return exec;
}

}  // namespace

std::optional<TargetSpec> ReadTarget(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "target", {"process", "exec"});
  if (!map) return std::nullopt;
  const Field* kind = reader.OneOf(field, *map, {"process", "exec"}, "target");
  if (!kind) return std::nullopt;
  TargetSpec target;
  target.pos = field.key_pos;
  if (kind->key == "process") {
    target.process = ReadProcess(context, *kind);
    if (!target.process) return std::nullopt;
  } else {
    target.exec = ReadExec(context, *kind);
    if (!target.exec) return std::nullopt;
  }
  return target;
}

}  // namespace slipway::spec::internal
