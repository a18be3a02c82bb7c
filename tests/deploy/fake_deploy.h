// In-memory Target and Router for strategy tests: instances become ready on command, and
// every routing table applied is recorded.
#pragma once

#include <map>
#include <mutex>
#include <set>

#include "deploy/deploy.h"

namespace slipway::deploy::testing {

class FakeTarget : public Target {
 public:
  Status Apply(const RevisionSpec& revision) override {
    std::lock_guard lock(mutex_);
    applies.push_back({revision.id, revision.instances});
    RevisionState& state = revisions_[revision.id];
    if (state.id.empty()) order_.push_back(revision.id);
    state.id = revision.id;
    state.desired = revision.instances;
    state.running = revision.instances;
    const bool healthy = !never_ready.contains(revision.id) && !crash_looping.contains(revision.id);
    state.ready = healthy ? revision.instances : 0;
    state.crash_looping = crash_looping.contains(revision.id);
    if (state.crash_looping) state.message = "exit status 3";
    state.endpoints.clear();
    for (int i = 0; i < state.ready; ++i) {
      state.endpoints.push_back({"127.0.0.1", static_cast<uint16_t>(PortBase(revision.id) + i)});
    }
    return Status::Ok();
  }
  Result<RevisionState> Inspect(std::string_view id) override {
    std::lock_guard lock(mutex_);
    auto found = revisions_.find(std::string(id));
    if (found == revisions_.end()) return NotFound("no revision " + std::string(id));
    return found->second;
  }
  std::vector<std::string> Revisions() override {
    std::lock_guard lock(mutex_);
    return order_;
  }
  Status Remove(std::string_view id) override {
    std::lock_guard lock(mutex_);
    removed.push_back(std::string(id));
    if (revisions_.erase(std::string(id)) == 0) return NotFound("no revision");
    std::erase(order_, std::string(id));
    return Status::Ok();
  }
  bool Running(const std::string& id) {
    std::lock_guard lock(mutex_);
    return revisions_.contains(id);
  }

  std::set<std::string> never_ready, crash_looping;  // set before the rollout starts
  std::vector<std::pair<std::string, int>> applies;
  std::vector<std::string> removed;

 private:
  static int PortBase(const std::string& id) { return id == "stable" ? 8000 : 9000; }
  std::mutex mutex_;
  std::map<std::string, RevisionState> revisions_;
  std::vector<std::string> order_;
};

class FakeRouter : public Router {
 public:
  Status Apply(const std::vector<Backend>& backends) override {
    std::lock_guard lock(mutex_);
    if (unavailable) return Unavailable("router down");
    tables.push_back(backends);
    return Status::Ok();
  }
  Result<std::vector<Backend>> Observe() override {
    std::lock_guard lock(mutex_);
    if (tables.empty()) return std::vector<Backend>{};
    return tables.back();
  }
  // "stable=90,next=10" for each table applied, in order.
  std::vector<std::string> History() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& table : tables) {
      std::string line;
      for (const Backend& backend : table) {
        if (!line.empty()) line += ",";
        line += backend.revision + "=" + std::to_string(backend.weight);
      }
      out.push_back(line);
    }
    return out;
  }

  bool unavailable = false;
  std::vector<std::vector<Backend>> tables;

 private:
  std::mutex mutex_;
};

}  // namespace slipway::deploy::testing
