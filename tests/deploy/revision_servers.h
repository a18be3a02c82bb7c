// Two revisions of a tiny HTTP service run by a real ProcessTarget, for the router tests:
// "blue" with two instances and "green" with one. Each answers "<revision> <pid>".
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "deploy/deploy.h"
#include "deploy/deploy_test_util.h"
#include "deploy/net_io.h"

namespace slipway::deploy::testing {

class RevisionServers {
 public:
  // Starts both revisions under `dir` and waits until they are ready; ok() says whether that
  // worked (the error is in error()).
  explicit RevisionServers(const std::filesystem::path& dir) {
    ProcessTargetOptions options;
    options.state_dir = dir / "instances";
    options.command = "exec python3 server.py {port}";
    options.readiness.interval = std::chrono::milliseconds(100);
    Result<std::unique_ptr<Target>> target = MakeProcessTarget(options);
    if (!target.ok()) {
      error_ = target.status().ToString();
      return;
    }
    target_ = std::move(target).value();
    const std::filesystem::path artifact = MakeServerArtifact(dir / "artifact");
    for (const auto& [revision, instances] : {std::pair{"blue", 2}, std::pair{"green", 1}}) {
      Status applied = target_->Apply({revision, "", artifact, instances, {}});
      if (!applied.ok()) {
        error_ = applied.ToString();
        return;
      }
    }
    for (const char* revision : {"blue", "green"}) {
      const bool ready = WaitUntil([&] {
        Result<RevisionState> state = target_->Inspect(revision);
        return state.ok() && state->ready == state->desired;
      });
      if (!ready) {
        error_ = std::string(revision) + " did not become ready";
        return;
      }
      endpoints_[revision] = target_->Inspect(revision)->endpoints;
    }
  }

  ~RevisionServers() {
    if (!target_) return;
    (void)target_->Remove("blue");
    (void)target_->Remove("green");
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::vector<Endpoint>& endpoints(const std::string& revision) {
    return endpoints_[revision];
  }

  // blue and green with these weights.
  std::vector<Backend> Split(int blue, int green) {
    return {{"blue", endpoints_["blue"], blue}, {"green", endpoints_["green"], green}};
  }

 private:
  std::unique_ptr<Target> target_;
  std::map<std::string, std::vector<Endpoint>> endpoints_;
  std::string error_;
};

// Sends `n` requests to `frontend` one after another; counts the answers by revision (the
// first word of the body), and the failures under "failed".
inline std::map<std::string, int> CountAnswers(const Endpoint& frontend, int n) {
  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i) {
    Result<HttpAnswer> answer = HttpGet(frontend, "/", std::chrono::milliseconds(5000));
    if (!answer.ok() || answer->status != 200) {
      ++counts["failed"];
      continue;
    }
    ++counts[answer->body.substr(0, answer->body.find(' '))];
  }
  return counts;
}

}  // namespace slipway::deploy::testing
