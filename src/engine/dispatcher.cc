// The server's dispatcher: dag_rules applied to stored runs.
#include <map>

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
  // Forget plans of runs that finished.
  for (auto it = cache_->plans.begin(); it != cache_->plans.end();) {
    bool unfinished = false;
    for (const auto& run : runs) unfinished = unfinished || run.id == it->first;
    it = unfinished ? std::next(it) : cache_->plans.erase(it);
  }
  if (queued > 0) work_->Notify();
  return queued;
}

}  // namespace slipway::engine
