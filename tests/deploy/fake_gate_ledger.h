// A GateLedger in memory for the deploy tests (runs with 3 passing tests by "ana"; changed
// files, approvals and exemptions set by the test; decisions and exemption uses recorded), and
// a LogSink that keeps the deploy's log.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "runner/runner.h"

namespace slipway::deploy::testing {

class FakeLedger : public policy::GateLedger {
 public:
  Status DescribeRun(const std::string&, const std::string&, policy::RunFacts* run,
                     policy::ChangeFacts* change) override {
    run->tests = policy::TestCounts{.passed = 3, .failed = failed_tests, .flaky = 0, .skipped = 0};
    change->author = "ana";
    return Status::Ok();
  }
  Result<std::vector<std::string>> ChangedFiles(const std::string&,
                                                const std::string& deployed_run_id,
                                                const std::string& run_id) override {
    std::lock_guard lock(mutex);
    diffs.push_back(deployed_run_id + ".." + run_id);
    if (!changes_error.ok()) return changes_error;
    return changes[run_id];
  }
  Result<std::vector<policy::Approval>> Approvals(const std::string&, const std::string&,
                                                  int64_t) override {
    std::lock_guard lock(mutex);
    return approvals;
  }
  Result<std::vector<policy::Exemption>> Exemptions(const std::string&,
                                                    const std::string&) override {
    std::lock_guard lock(mutex);
    return exemptions;
  }
  Result<int64_t> Record(const policy::GateRecord& record) override {
    std::lock_guard lock(mutex);
    records.push_back(record);
    return static_cast<int64_t>(records.size());
  }
  Status NoteExemptionUse(const policy::Exemption& exemption, const std::string& what) override {
    std::lock_guard lock(mutex);
    uses.push_back(std::to_string(exemption.id) + ": " + what);
    return Status::Ok();
  }

  void Approve(std::string who, std::string role, bool approved = true) {
    policy::Approval approval;
    approval.approver = std::move(who);
    approval.role = std::move(role);
    approval.approved = approved;
    approval.at = std::chrono::system_clock::now();
    std::lock_guard lock(mutex);
    approvals.push_back(approval);
  }

  std::mutex mutex;
  int64_t failed_tests = 0;
  std::map<std::string, std::vector<std::string>> changes;  // by the deploying run
  Status changes_error = Status::Ok();                      // else ChangedFiles fails with it
  std::vector<std::string> diffs;  // "deployed..deploying" run of each ChangedFiles call
  std::vector<policy::Approval> approvals;
  std::vector<policy::Exemption> exemptions;
  std::vector<policy::GateRecord> records;
  std::vector<std::string> uses;
};

class Lines : public runner::LogSink {
 public:
  void Line(std::string_view line) override {
    std::lock_guard lock(mutex_);
    text_ += std::string(line) + "\n";
  }
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  std::mutex mutex_;
  std::string text_;
};

}  // namespace slipway::deploy::testing
