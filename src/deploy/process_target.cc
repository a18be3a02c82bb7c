#include "deploy/process_target.h"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>
#include <utility>

#include "deploy/port_allocator.h"
#include "util/fs.h"

namespace slipway::deploy {
namespace {

constexpr char kRecordFile[] = "instances.json";

// Revision ids name directories under state_dir.
Status CheckRevisionId(std::string_view id) {
  const bool safe = !id.empty() && id.size() <= 128 && id.front() != '.' &&
                    std::all_of(id.begin(), id.end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                    });
  if (safe) return Status::Ok();
  return InvalidArgument("revision id '" + std::string(id) +
                         "' must be 1-128 letters, digits, '.', '_' or '-', not starting with '.'");
}

void SetEnv(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  const std::string prefix = key + "=";
  std::erase_if(env, [&prefix](const std::string& entry) { return entry.starts_with(prefix); });
  env.push_back(prefix + value);
}

std::string ServerPath() {
  const char* path = std::getenv("PATH");
  return path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
}

std::string FormatMs(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

Result<std::unique_ptr<Target>> MakeProcessTarget(ProcessTargetOptions options) {
  SLIPWAY_ASSIGN_OR_RETURN(std::unique_ptr<ProcessTarget> target,
                           ProcessTarget::Open(std::move(options)));
  return std::unique_ptr<Target>(std::move(target));
}

ProcessTarget::ProcessTarget(ProcessTargetOptions options)
    : options_(std::move(options)), server_path_(ServerPath()) {}

Result<std::unique_ptr<ProcessTarget>> ProcessTarget::Open(ProcessTargetOptions options) {
  if (options.state_dir.empty()) return InvalidArgument("process target: state_dir is required");
  if (options.command.empty()) return InvalidArgument("process target: command is required");
  if (options.max_restarts < 0 || options.readiness.failure_threshold < 1 ||
      (options.liveness && options.liveness->failure_threshold < 1)) {
    return InvalidArgument("process target: max_restarts >= 0 and failure_threshold >= 1");
  }
  std::error_code error;
  options.state_dir = std::filesystem::absolute(options.state_dir, error);
  std::filesystem::create_directories(options.state_dir, error);
  if (error) {
    return Unavailable("cannot create state directory " + options.state_dir.string() + ": " +
                       error.message());
  }
  auto target = std::make_unique<ProcessTarget>(std::move(options));
  SLIPWAY_RETURN_IF_ERROR(target->Adopt());
  target->supervisor_ = std::thread([raw = target.get()] { raw->SuperviseLoop(); });
  return target;
}

ProcessTarget::~ProcessTarget() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
}

Status ProcessTarget::Adopt() {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> names,
                           ListDirectory(options_.state_dir.string()));
  std::lock_guard lock(mutex_);
  for (const std::string& name : names) {
    const std::filesystem::path file = options_.state_dir / name / kRecordFile;
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) continue;
    SLIPWAY_ASSIGN_OR_RETURN(RevisionRecord record, ReadRevisionRecord(file));
    Revision& revision = revisions_[record.spec.id];
    next_applied_seq_ = std::max(next_applied_seq_, record.applied_seq + 1);
    std::vector<InstanceRecord> instances = std::move(record.instances);
    revision.record = std::move(record);
    for (const InstanceRecord& recorded : instances) {
      Instance& instance = revision.instances[recorded.index];
      instance.record = recorded;
      instance.generation = next_generation_++;
      const ProcessIdentity identity{recorded.pid, recorded.start_time};
      const ProcessCheck check = recorded.pid != 0 ? CheckProcess(identity) : ProcessCheck{};
      if (check.running) {
        instance.phase = Instance::Phase::kRunning;
        instance.ever_ready = recorded.ready;
        instance.next_readiness = instance.next_liveness = Clock::now();
      } else if (revision.record.crash_looping) {
        instance.record.pid = 0;
        instance.record.ready = false;
        instance.phase = Instance::Phase::kFailed;
      } else if (recorded.pid != 0) {
        OnCrash(revision, instance,
                "(pid " + std::to_string(recorded.pid) + ") " + check.exit_description +
                    " while no target watched it");
      } else {
        instance.phase = Instance::Phase::kWaiting;
        instance.restart_at = Clock::now();
      }
    }
    Persist(revision);
  }
  return Status::Ok();
}

std::filesystem::path ProcessTarget::RevisionDir(const std::string& id) const {
  return options_.state_dir / id;
}

std::filesystem::path ProcessTarget::WorkingDir(const RevisionSpec& spec) const {
  return options_.working_directory.empty() ? spec.artifact_dir
                                            : spec.artifact_dir / options_.working_directory;
}

std::vector<std::string> ProcessTarget::InstanceEnv(const RevisionSpec& spec, uint16_t port) const {
  std::vector<std::string> env;
  SetEnv(env, "PATH", server_path_);
  for (const auto& [key, value] : options_.env) SetEnv(env, key, value);
  for (const auto& [key, value] : spec.env) SetEnv(env, key, value);
  SetEnv(env, "PORT", std::to_string(port));
  SetEnv(env, "SLIPWAY_REVISION", spec.id);
  SetEnv(env, "SLIPWAY_DIGEST", spec.digest);
  return env;
}

std::set<uint16_t> ProcessTarget::PortsInUse() const {
  std::set<uint16_t> ports;
  for (const auto& [id, revision] : revisions_) {
    for (const auto& [index, instance] : revision.instances) ports.insert(instance.record.port);
  }
  return ports;
}

void ProcessTarget::Persist(Revision& revision) {
  revision.record.instances.clear();
  for (const auto& [index, instance] : revision.instances) {
    revision.record.instances.push_back(instance.record);
  }
  const Status written =
      WriteRevisionRecord(RevisionDir(revision.record.spec.id) / kRecordFile, revision.record);
  if (!written.ok()) revision.message = "cannot record instances: " + written.message();
}

Status ProcessTarget::StartInstance(Revision& revision, Instance& instance) {
  const RevisionSpec& spec = revision.record.spec;
  const uint16_t port = instance.record.port;
  LaunchSpec launch;
  launch.command = ExpandTemplate(options_.command, port, spec.id);
  launch.cwd = WorkingDir(spec);
  launch.env = InstanceEnv(spec, port);
  launch.log_file = RevisionDir(spec.id) / (std::to_string(instance.record.index) + ".log");
  Result<ProcessIdentity> started = LaunchDetached(launch);
  if (!started.ok()) {
    instance.record.pid = 0;
    OnCrash(revision, instance, "could not start: " + started.status().message());
    return started.status();
  }
  const Clock::time_point now = Clock::now();
  instance.record.pid = started->pid;
  instance.record.start_time = started->start_time;
  instance.record.ready = false;
  instance.phase = Instance::Phase::kRunning;
  instance.generation = next_generation_++;
  instance.ever_ready = false;
  instance.readiness_failures = instance.liveness_failures = 0;
  instance.next_readiness = now;
  return Status::Ok();
}

void ProcessTarget::OnCrash(Revision& revision, Instance& instance, const std::string& reason) {
  const Clock::time_point now = Clock::now();
  if (instance.record.pid != 0) {
    // Whatever the instance left in its group (children of the shell) goes with it.
    (void)SignalGroup({instance.record.pid, instance.record.start_time}, SIGKILL);
  }
  instance.record.pid = 0;
  instance.record.ready = false;
  const auto prune = [&](std::deque<Clock::time_point>& crashes) {
    while (!crashes.empty() && now - crashes.front() > options_.crash_window) crashes.pop_front();
    crashes.push_back(now);
  };
  prune(instance.crashes);
  prune(revision.crashes);
  const std::string log =
      (RevisionDir(revision.record.spec.id) / (std::to_string(instance.record.index) + ".log"))
          .string();
  const std::string what =
      "instance " + std::to_string(instance.record.index) + " " + reason + " (log: " + log + ")";
  if (revision.record.crash_looping ||
      static_cast<int>(revision.crashes.size()) > options_.max_restarts) {
    if (!revision.record.crash_looping) {
      revision.record.crash_looping = true;
      for (auto& [index, other] : revision.instances) {
        if (other.phase == Instance::Phase::kWaiting) other.phase = Instance::Phase::kFailed;
      }
    }
    instance.phase = Instance::Phase::kFailed;
    revision.message = "crash looping (" + std::to_string(revision.crashes.size()) +
                       " crashes within " + FormatMs(options_.crash_window) +
                       "), not restarted: " + what;
    return;
  }
  auto delay = options_.restart_backoff;
  for (size_t i = 1; i < instance.crashes.size() && delay < options_.max_restart_backoff; ++i) {
    delay *= 2;
  }
  delay = std::min(delay, options_.max_restart_backoff);
  ++revision.record.restarts;
  instance.phase = Instance::Phase::kWaiting;
  instance.restart_at = now + delay;
  revision.message = what + "; restarting in " + FormatMs(delay);
}

Status ProcessTarget::Apply(const RevisionSpec& spec) {
  SLIPWAY_RETURN_IF_ERROR(CheckRevisionId(spec.id));
  if (spec.instances < 0) return InvalidArgument("revision " + spec.id + ": instances < 0");
  std::error_code error;
  if (!std::filesystem::is_directory(WorkingDir(spec), error)) {
    return FailedPrecondition("revision " + spec.id + ": working directory " +
                              WorkingDir(spec).string() + " does not exist");
  }
  std::lock_guard apply_lock(apply_mutex_);
  std::vector<ProcessIdentity> to_stop;
  Status status;
  {
    std::lock_guard lock(mutex_);
    std::filesystem::create_directories(RevisionDir(spec.id), error);
    if (error) {
      return Unavailable("cannot create " + RevisionDir(spec.id).string() + ": " + error.message());
    }
    auto [it, inserted] = revisions_.try_emplace(spec.id);
    Revision& revision = it->second;
    if (inserted) revision.record.applied_seq = next_applied_seq_++;
    revision.record.spec = spec;
    // Scale down: the newest (highest) indexes go first.
    for (auto i = revision.instances.lower_bound(spec.instances); i != revision.instances.end();) {
      if (i->second.record.pid != 0) {
        to_stop.push_back({i->second.record.pid, i->second.record.start_time});
      }
      i = revision.instances.erase(i);
    }
    for (int index = 0; index < spec.instances; ++index) {
      if (revision.instances.contains(index)) continue;
      Result<uint16_t> port = AllocatePort(options_.host, PortsInUse());
      if (!port.ok()) {
        status = port.status();
        break;
      }
      Instance& instance = revision.instances[index];
      instance.record.index = index;
      instance.record.port = *port;
      if (revision.record.crash_looping) {
        instance.phase = Instance::Phase::kFailed;
        continue;
      }
      // A failed start leaves the instance waiting for a restart; the error is returned.
      Status started = StartInstance(revision, instance);
      if (status.ok() && !started.ok()) status = started;
    }
    Persist(revision);
    if (revision.record.crash_looping && spec.instances > 0 && status.ok()) {
      status = FailedPrecondition("revision " + spec.id +
                                  " is crash looping and is not restarted; remove it first");
    }
  }
  wake_.notify_all();
  if (!to_stop.empty()) {
    Status stopped = StopProcessGroups(to_stop, options_.stop_grace);
    if (status.ok()) status = stopped;
  }
  return status;
}

Result<RevisionState> ProcessTarget::Inspect(std::string_view revision_id) {
  std::lock_guard lock(mutex_);
  const auto it = revisions_.find(revision_id);
  if (it == revisions_.end()) {
    return NotFound("revision " + std::string(revision_id) + " is not running here");
  }
  const Revision& revision = it->second;
  RevisionState state;
  state.id = revision.record.spec.id;
  state.desired = revision.record.spec.instances;
  state.restarts = revision.record.restarts;
  state.crash_looping = revision.record.crash_looping;
  state.message = revision.message;
  for (const auto& [index, instance] : revision.instances) {
    const bool exists =
        instance.phase == Instance::Phase::kRunning || instance.phase == Instance::Phase::kStopping;
    if (!exists) continue;
    ++state.running;
    if (instance.phase == Instance::Phase::kRunning && instance.record.ready) {
      ++state.ready;
      state.endpoints.push_back(Endpoint{options_.host, instance.record.port});
    }
  }
  return state;
}

std::vector<std::string> ProcessTarget::Revisions() {
  std::lock_guard lock(mutex_);
  std::vector<const Revision*> ordered;
  for (const auto& [id, revision] : revisions_) ordered.push_back(&revision);
  std::sort(ordered.begin(), ordered.end(), [](const Revision* a, const Revision* b) {
    return a->record.applied_seq < b->record.applied_seq;
  });
  std::vector<std::string> ids;
  for (const Revision* revision : ordered) ids.push_back(revision->record.spec.id);
  return ids;
}

Status ProcessTarget::Remove(std::string_view revision_id) {
  std::lock_guard apply_lock(apply_mutex_);
  std::vector<ProcessIdentity> to_stop;
  {
    std::lock_guard lock(mutex_);
    const auto it = revisions_.find(revision_id);
    if (it == revisions_.end()) {
      return NotFound("revision " + std::string(revision_id) + " is not running here");
    }
    for (const auto& [index, instance] : it->second.instances) {
      if (instance.record.pid != 0) {
        to_stop.push_back({instance.record.pid, instance.record.start_time});
      }
    }
    revisions_.erase(it);
  }
  SLIPWAY_RETURN_IF_ERROR(StopProcessGroups(to_stop, options_.stop_grace));
  // The logs stay; only the record goes, so a new target does not adopt the revision.
  std::error_code error;
  std::filesystem::remove(RevisionDir(std::string(revision_id)) / kRecordFile, error);
  if (error) {
    return Unavailable("cannot remove the record of revision " + std::string(revision_id) + ": " +
                       error.message());
  }
  return Status::Ok();
}

}  // namespace slipway::deploy
