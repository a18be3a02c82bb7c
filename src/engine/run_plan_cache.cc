// RunPlanCache: run plans shared by the dispatcher and leases, least recently used dropped first.
#include <algorithm>
#include <list>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "engine/engine.h"
#include "engine/run_plan.h"

namespace slipway::engine {

struct RunPlanCache::State {
  struct Entry {
    int64_t run_id = 0;
    std::shared_ptr<const RunPlan> plan;
  };

  // Makes `run_id`'s entry hold `plan` and the most recently used; drops the least recently
  // used entries beyond capacity. Call with `mutex` held.
  void Insert(int64_t run_id, std::shared_ptr<const RunPlan> plan) {
    if (auto found = index.find(run_id); found != index.end()) {
      found->second->plan = std::move(plan);
      entries.splice(entries.begin(), entries, found->second);
      return;
    }
    entries.push_front(Entry{run_id, std::move(plan)});
    index.emplace(run_id, entries.begin());
    while (entries.size() > capacity) {
      index.erase(entries.back().run_id);
      entries.pop_back();
      ++stats.evictions;
    }
  }

  size_t capacity = 0;
  mutable std::mutex mutex;                                       // guards everything below
  std::list<Entry> entries;                                       // most recently used first
  std::unordered_map<int64_t, std::list<Entry>::iterator> index;  // run id → entry
  Stats stats;
};

RunPlanCache::RunPlanCache(size_t capacity) : state_(std::make_unique<State>()) {
  state_->capacity = std::max<size_t>(capacity, 1);
}

RunPlanCache::~RunPlanCache() = default;

Result<std::shared_ptr<const RunPlan>> RunPlanCache::Get(
    const store::Run& run, const std::function<Result<std::vector<store::Job>>()>& jobs) {
  const std::string digest = RunDigest(run);
  {
    std::lock_guard lock(state_->mutex);
    if (auto found = state_->index.find(run.id); found != state_->index.end()) {
      if (found->second->plan->digest == digest) {
        state_->entries.splice(state_->entries.begin(), state_->entries, found->second);
        ++state_->stats.hits;
        return found->second->plan;
      }
    }
    ++state_->stats.misses;
  }
  // Built without the lock: two threads missing at once both build, and the plans are equal.
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Job> rows, jobs());
  SLIPWAY_ASSIGN_OR_RETURN(std::unique_ptr<RunPlan> made, MakeRunPlan(run, rows));
  std::shared_ptr<const RunPlan> plan = std::move(made);
  std::lock_guard lock(state_->mutex);
  state_->Insert(run.id, plan);
  return plan;
}

void RunPlanCache::Put(int64_t run_id, std::shared_ptr<const RunPlan> plan) {
  if (plan == nullptr) return;
  std::lock_guard lock(state_->mutex);
  if (auto found = state_->index.find(run_id);
      found != state_->index.end() && found->second->plan->digest == plan->digest) {
    return;  // an equal plan is there: the dispatcher offers its plans on every pass
  }
  state_->Insert(run_id, std::move(plan));
}

void RunPlanCache::Retain(const std::vector<int64_t>& unfinished) {
  const std::unordered_set<int64_t> keep(unfinished.begin(), unfinished.end());
  std::lock_guard lock(state_->mutex);
  for (auto it = state_->entries.begin(); it != state_->entries.end();) {
    if (keep.contains(it->run_id)) {
      ++it;
    } else {
      state_->index.erase(it->run_id);
      it = state_->entries.erase(it);
    }
  }
}

RunPlanCache::Stats RunPlanCache::stats() const {
  std::lock_guard lock(state_->mutex);
  Stats stats = state_->stats;
  stats.size = state_->entries.size();
  return stats;
}

}  // namespace slipway::engine
