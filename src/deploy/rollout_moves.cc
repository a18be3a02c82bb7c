// The moves strategies are made of: recorded steps, starting and waiting for revisions,
// routing, and waiting for time or approval (all ending early on abort).
#include <algorithm>

#include "deploy/rollout_state.h"
#include "util/duration_format.h"

namespace slipway::deploy {

void RolloutState::SetCurrent(const std::string& step) {
  std::lock_guard lock(mutex);
  current_step = step;
}

Status RolloutState::Step(const std::string& name,
                          const std::function<Status(std::string& message)>& body) {
  SetCurrent(name);
  StepRecord record;
  record.name = name;
  record.started = std::chrono::system_clock::now();
  Status status = aborted.load() ? Cancelled("aborted") : Status::Ok();
  if (status.ok()) status = body(record.message);
  record.finished = std::chrono::system_clock::now();
  if (aborted.load()) {
    record.outcome = "aborted";
  } else {
    record.outcome = status.ok() ? "ok" : "failed";
    if (!status.ok() && record.message.empty()) record.message = status.message();
  }
  {
    std::lock_guard lock(mutex);
    steps.push_back(record);
  }
  if (options.on_step) options.on_step(record);
  if (aborted.load()) return Cancelled("aborted");
  return status;
}

Status RolloutState::StartAndWait(const RevisionSpec& revision, int instances) {
  RevisionSpec scaled = revision;
  scaled.instances = instances;
  if (Status applied = options.target->Apply(scaled); !applied.ok()) return applied;
  return WaitReady(revision.id);
}

Status RolloutState::WaitReady(const std::string& revision_id) {
  const auto deadline = std::chrono::steady_clock::now() + options.ready_timeout;
  while (true) {
    Result<RevisionState> seen = options.target->Inspect(revision_id);
    if (!seen.ok()) return seen.status();
    const RevisionState& now = seen.value();
    if (now.crash_looping) {
      return FailedPrecondition("revision " + revision_id + " is crash-looping (" +
                                std::to_string(now.restarts) + " restarts)" +
                                (now.message.empty() ? "" : ": " + now.message));
    }
    if (now.ready >= now.desired && now.desired > 0) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return FailedPrecondition("revision " + revision_id + " has " + std::to_string(now.ready) +
                                " of " + std::to_string(now.desired) + " instances ready after " +
                                FormatDuration(options.ready_timeout) +
                                (now.message.empty() ? "" : ": " + now.message));
    }
    if (Wait(options.poll_interval, false) == WaitEnd::kAborted) return Cancelled("aborted");
  }
}

Status RolloutState::ApplyRoutes(const std::vector<std::pair<std::string, int>>& weights) {
  std::vector<Backend> backends;
  for (const auto& [id, weight] : weights) {
    Result<RevisionState> seen = options.target->Inspect(id);
    if (!seen.ok()) return seen.status();
    if (seen.value().endpoints.empty()) {
      if (weight == 0) continue;  // nothing to send and nothing sent
      return FailedPrecondition("revision " + id + " has no ready instance to route to");
    }
    backends.push_back({.revision = id, .endpoints = seen.value().endpoints, .weight = weight});
  }
  return options.router->Apply(backends);
}

Status RolloutState::Route(int next_weight) {
  if (options.router == nullptr) return Status::Ok();
  next_weight = stable ? std::clamp(next_weight, 0, 100) : 100;
  std::vector<std::pair<std::string, int>> weights;
  if (stable) weights.emplace_back(stable->id, 100 - next_weight);
  weights.emplace_back(next.id, next_weight);
  std::lock_guard lock(router_mutex);
  if (aborted.load()) return Cancelled("aborted");
  return ApplyRoutes(weights);
}

Status RolloutState::RouteOnlyNext() {
  if (options.router == nullptr) return Status::Ok();
  std::lock_guard lock(router_mutex);
  if (aborted.load()) return Cancelled("aborted");
  return ApplyRoutes({{next.id, 100}});
}

Status RolloutState::RouteToStable() {
  if (options.router == nullptr || !stable) return Status::Ok();
  std::lock_guard lock(router_mutex);
  return ApplyRoutes({{stable->id, 100}});
}

RolloutState::WaitEnd RolloutState::Wait(std::optional<std::chrono::milliseconds> duration,
                                         bool approvable) {
  std::unique_lock lock(mutex);
  auto done = [&] { return aborted.load() || (approvable && approved); };
  awaiting_approval = approvable;
  approved = false;  // only an approval given while waiting counts
  bool ended = duration ? wake.wait_for(lock, *duration, done) : (wake.wait(lock, done), true);
  if (aborted.load()) return WaitEnd::kAborted;
  awaiting_approval = false;
  if (ended && approvable && approved) {
    approved = false;
    return WaitEnd::kApproved;
  }
  return WaitEnd::kElapsed;
}

}  // namespace slipway::deploy
