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

Result<int> Dispatcher::Tick(store::Time now) {
  if (now - started_ >= options_.restart_grace) {
    SLIPWAY_RETURN_IF_ERROR(store_->ExpireLeases(now).status());
  }
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Run> runs, store_->ListUnfinishedRuns());
  int queued = 0;
  for (const auto& run : runs) {
    // A run that cannot advance (a database error) does not hold back the others.
    Status s = AdvanceRun(run, runs, now, &queued);
    if (!s.ok() && s.code() == StatusCode::kUnavailable) return s;
  }
  // Forget plans of runs that finished; share the others with leases before agents wake up.
  std::vector<int64_t> unfinished;
  for (const auto& run : runs) unfinished.push_back(run.id);
  std::sort(unfinished.begin(), unfinished.end());
  std::erase_if(cache_->plans, [&](const auto& entry) {
    return !std::binary_search(unfinished.begin(), unfinished.end(), entry.first);
  });
  if (options_.plans != nullptr) {
    options_.plans->Retain(unfinished);
    for (const auto& [run_id, plan] : cache_->plans) options_.plans->Put(run_id, plan);
  }
  if (queued > 0) work_->Notify();
  return queued;
}

}  // namespace slipway::engine
