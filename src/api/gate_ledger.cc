// MakeGateLedger: what release gates read and write, over the server's store (runs and their
// test reports, approvals, exemptions, decisions, the audit trail) and its repository mirrors
// (the files a deploy changes).
#include <charconv>
#include <map>
#include <set>

#include "api/api.h"
#include "api/json_io.h"
#include "runner/runner.h"
#include "triggers/triggers.h"

namespace slipway::api {
namespace {

policy::Approval ToPolicy(const store::DeployApproval& a) {
  return {.id = a.id,
          .project = a.project,
          .environment = a.environment,
          .deploy_id = a.deploy_id,
          .approver = a.approver,
          .role = a.role,
          .approved = a.approved,
          .comment = a.comment,
          .at = a.at};
}

class StoreGateLedger final : public policy::GateLedger {
 public:
  StoreGateLedger(store::Store& store, std::filesystem::path data_dir)
      : store_(store), data_dir_(std::move(data_dir)) {}

  Status DescribeRun(const std::string& project, const std::string& run_id, policy::RunFacts* run,
                     policy::ChangeFacts* change) override {
    SLIPWAY_ASSIGN_OR_RETURN(store::Project owner, store_.GetProject(project));
    SLIPWAY_ASSIGN_OR_RETURN(store::Run stored, RunOf(owner, run_id));
    change->author = stored.created_by;
    change->branch = stored.branch;
    change->commit = stored.commit;
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Job> jobs, store_.ListJobs(stored.id));
    policy::TestCounts total;
    for (const store::Job& job : jobs) {
      SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Attempt> attempts, store_.ListAttempts(job.id));
      std::optional<policy::TestCounts> counts = Tests(attempts);
      if (!counts) continue;
      run->reports.push_back({.job = job.instance_id, .tests = *counts});
      total.passed += counts->passed;
      total.failed += counts->failed;
      total.flaky += counts->flaky;
      total.skipped += counts->skipped;
    }
    run->tests = total;  // a run whose jobs reported no tests has zero of each
    return Status::Ok();
  }

  // Reads the mirror that runs were started from (every server-side run's commit was fetched
  // into it). Without the API's per-repository lock: a fetch running at the same time only
  // adds objects and moves refs, and commits are looked up by their ids.
  Result<std::vector<std::string>> ChangedFiles(const std::string& project,
                                                const std::string& deployed_run_id,
                                                const std::string& run_id) override {
    SLIPWAY_ASSIGN_OR_RETURN(store::Project owner, store_.GetProject(project));
    SLIPWAY_ASSIGN_OR_RETURN(const std::string to, CommitOf(owner, run_id));
    std::string from;  // "": every file of `to` counts
    if (!deployed_run_id.empty()) {
      SLIPWAY_ASSIGN_OR_RETURN(from, CommitOf(owner, deployed_run_id));
    }
    triggers::PollOptions mirrors;
    mirrors.data_dir = data_dir_;
    const std::filesystem::path mirror = triggers::MirrorPath(owner.repo, mirrors);
    const std::string repo = triggers::RedactUrl(owner.repo);
    std::error_code ec;
    if (!std::filesystem::exists(mirror, ec)) return NotFound("the server has no copy of " + repo);
    Result<std::vector<std::string>> files = triggers::ChangedFiles(mirror, from, to);
    if (files.ok() || files.status().code() != StatusCode::kNotFound) return files;
    // Name the commit that is missing (the only NotFound once the mirror exists).
    const bool deployed_missing = !from.empty() && !triggers::ChangedFiles(mirror, from, from).ok();
    return NotFound(deployed_missing ? "the deployed commit " + from + " (run " + deployed_run_id +
                                           ") is not in the server's copy of " + repo
                                     : "commit " + to + " (run " + run_id +
                                           ") is not in the server's copy of " + repo);
  }

  Result<std::vector<policy::Approval>> Approvals(const std::string& project,
                                                  const std::string& environment,
                                                  int64_t deploy_id) override {
    SLIPWAY_ASSIGN_OR_RETURN(auto stored, store_.ListApprovals(project, environment, deploy_id));
    std::vector<policy::Approval> out;
    for (const store::DeployApproval& approval : stored) out.push_back(ToPolicy(approval));
    return out;
  }

  Result<std::vector<policy::Exemption>> Exemptions(const std::string& project,
                                                    const std::string& environment) override {
    SLIPWAY_ASSIGN_OR_RETURN(auto stored, store_.ListExemptions(project, environment));
    std::vector<policy::Exemption> out;
    for (const store::GateExemption& e : stored) out.push_back(ExemptionToPolicy(e));
    return out;
  }

  Result<int64_t> Record(const policy::GateRecord& record) override {
    SLIPWAY_ASSIGN_OR_RETURN(store::GateDecision stored,
                             store_.RecordGateDecision({.id = 0,
                                                        .project = record.project,
                                                        .environment = record.environment,
                                                        .deploy_id = record.deploy_id,
                                                        .run_id = record.run_id,
                                                        .step = spec::GateStepName(record.step),
                                                        .decision = record.decision,
                                                        .input_json = record.input_json,
                                                        .input_digest = record.input_digest,
                                                        .result_json = record.result_json,
                                                        .exemption_id = record.exemption_id,
                                                        .decided_at = record.at}));
    return stored.id;
  }

  Status NoteExemptionUse(const policy::Exemption& exemption, const std::string& what) override {
    store::AuditRecord record;
    record.time = std::chrono::system_clock::now();
    record.actor = "system";
    record.action = "exemption.use";
    record.target = "project/" + exemption.project + "/environment/" + exemption.environment +
                    "/exemption/" + std::to_string(exemption.id);
    record.details_json = Json{{"overrode", what},
                               {"requested_by", exemption.requested_by},
                               {"approved_by", exemption.approved_by},
                               {"justification", exemption.justification}}
                              .dump();
    return store_.AppendAudit(record).status();
  }

 private:
  // Run `run_id` (the store's id, as deploy requests carry it) of `project`.
  Result<store::Run> RunOf(const store::Project& project, const std::string& run_id) {
    int64_t id = 0;
    const auto [end, error] = std::from_chars(run_id.data(), run_id.data() + run_id.size(), id);
    if (error != std::errc() || end != run_id.data() + run_id.size()) {
      return NotFound("run '" + run_id + "' is not a stored run");
    }
    SLIPWAY_ASSIGN_OR_RETURN(store::Run stored, store_.GetRun(id));
    if (stored.project_id != project.id) {
      return NotFound("run " + run_id + " is not of " + project.name);
    }
    return stored;
  }

  Result<std::string> CommitOf(const store::Project& project, const std::string& run_id) {
    SLIPWAY_ASSIGN_OR_RETURN(store::Run stored, RunOf(project, run_id));
    if (stored.commit.empty()) return NotFound("run " + run_id + " names no commit");
    return stored.commit;
  }

  // The job's tests as its last finished attempt reported them; a test that failed in an
  // earlier attempt and passed in the last one is flaky. nullopt when no attempt reported any.
  static std::optional<policy::TestCounts> Tests(const std::vector<store::Attempt>& attempts) {
    std::set<std::string> failed_before;
    std::optional<runner::AttemptReport> last;
    for (const store::Attempt& attempt : attempts) {
      if (!attempt.finished) continue;
      Result<runner::AttemptReport> report = runner::AttemptReportFromJson(attempt.report_json);
      if (!report.ok()) continue;
      if (last) {
        for (const runner::TestResult& test : last->tests) {
          if (test.status == runner::TestResult::Status::kFailed ||
              test.status == runner::TestResult::Status::kError) {
            failed_before.insert(test.suite + "\n" + test.classname + "\n" + test.name);
          }
        }
      }
      last = std::move(report).value();
    }
    if (!last || last->tests.empty()) return std::nullopt;
    policy::TestCounts counts;
    for (const runner::TestResult& test : last->tests) {
      switch (test.status) {
        case runner::TestResult::Status::kPassed:
          ++(failed_before.contains(test.suite + "\n" + test.classname + "\n" + test.name)
                 ? counts.flaky
                 : counts.passed);
          break;
        case runner::TestResult::Status::kFailed:
        case runner::TestResult::Status::kError:
          ++counts.failed;
          break;
        case runner::TestResult::Status::kSkipped:
          ++counts.skipped;
          break;
      }
    }
    return counts;
  }

  store::Store& store_;
  const std::filesystem::path data_dir_;
};

}  // namespace

policy::Exemption ExemptionToPolicy(const store::GateExemption& e) {
  return {.id = e.id,
          .project = e.project,
          .environment = e.environment,
          .requested_by = e.requested_by,
          .justification = e.justification,
          .created = e.created,
          .expires = e.expires,
          .needs_second_approval = e.needs_second_approval,
          .approved_by = e.approved_by,
          .approved_at = e.approved_at};
}

std::unique_ptr<policy::GateLedger> MakeGateLedger(store::Store& store,
                                                   std::filesystem::path data_dir) {
  return std::make_unique<StoreGateLedger>(store, std::move(data_dir));
}

}  // namespace slipway::api
