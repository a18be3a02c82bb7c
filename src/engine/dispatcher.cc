// The server's dispatcher: dag_rules applied to stored runs.
#include <algorithm>
#include <map>
#include <vector>

#include "engine/engine.h"
#include "engine/run_plan.h"

namespace slipway::engine {
Dispatcher::Dispatcher(store::Store* store, WorkSignal* work, DispatcherOptions options,
                       store::Time started)
    : store_(store),
      work_(work),
      options_(options),
      started_(started),
      cache_(std::make_unique<Cache>()) {}

Dispatcher::~Dispatcher() = default;

// Expiring leases is a write transaction; a pass runs after every finished job, and a lease
// lasts seconds, so passes expire them at most this often and jobs are not queued behind it.
constexpr std::chrono::milliseconds kLeaseExpiryInterval{250};

Result<int> Dispatcher::Tick(store::Time now) {
  if (now - started_ >= options_.restart_grace &&
      now - cache_->leases_expired >= kLeaseExpiryInterval) {
    SLIPWAY_RETURN_IF_ERROR(store_->ExpireLeases(now).status());
    cache_->leases_expired = now;
  }
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Run> runs, store_->ListUnfinishedRuns());
  int queued = 0;
  for (const auto& run : runs) {
    // A run that cannot advance (a database error) does not hold back the others.
    const int queued_before = queued;
    Status s = AdvanceRun(run, runs, now, &queued);
    if (!s.ok() && s.code() == StatusCode::kUnavailable) return s;
    if (queued > queued_before) {  // agents wake at once, not after the other runs' passes
      if (auto plan = cache_->plans.find(run.id);
          plan != cache_->plans.end() && options_.plans != nullptr) {
        options_.plans->Put(run.id, plan->second);
      }
      work_->Notify();
    }
  }
  // Forget the plans of runs that finished; the others stay shared with leases.
  std::vector<int64_t> unfinished;
  for (const auto& run : runs) unfinished.push_back(run.id);
  std::sort(unfinished.begin(), unfinished.end());
  std::erase_if(cache_->plans, [&](const auto& entry) {
    return !std::binary_search(unfinished.begin(), unfinished.end(), entry.first);
  });
  if (options_.plans != nullptr) options_.plans->Retain(unfinished);
  return queued;
}

}  // namespace slipway::engine
