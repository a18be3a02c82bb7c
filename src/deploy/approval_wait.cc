// A deploy waiting for its approvals (protection.approvals) before the rollout starts: the
// approvals are stored through the ledger (the API records who approved) and counted by
// policy::CheckApprovals each poll.
#include <thread>

#include "deploy/gate.h"
#include "util/cancel.h"
#include "util/fs.h"

namespace slipway::deploy {

namespace fs = std::filesystem;

Result<policy::ApprovalFacts> WaitForApprovals(const DeploymentsOptions& options, std::mutex& mutex,
                                               Runtime& runtime, const GateSubject& subject,
                                               const std::string& author) {
  const spec::ApprovalsSpec& spec = subject.environment->protection.approvals;
  policy::ApprovalFacts facts{.required = spec.count, .approvers = {}, .satisfied = true};
  if (spec.count == 0 || options.ledger == nullptr) return facts;
  const runner::DeployRequest& request = *subject.request;
  // Marks the runtime as waiting (for AwaitingApproval) until this function returns.
  struct Waiting {
    std::mutex& mutex;
    Runtime& runtime;
    Waiting(std::mutex& m, Runtime& r, int64_t id, const std::string& run) : mutex(m), runtime(r) {
      std::lock_guard lock(mutex);
      runtime.awaiting_approval = id;
      runtime.awaiting_run_id = run;
    }
    ~Waiting() {
      std::lock_guard lock(mutex);
      runtime.awaiting_approval = 0;
      runtime.awaiting_run_id.clear();
    }
  } waiting(mutex, runtime, subject.deploy_id, request.run_id);

  std::string last_message;
  for (;;) {
    Result<std::vector<policy::Approval>> given =
        options.ledger->Approvals(request.project, runtime.name, subject.deploy_id);
    if (!given.ok()) return given.status();
    const policy::ApprovalStatus status =
        policy::CheckApprovals(spec, given.value(), author, std::chrono::system_clock::now());
    if (status.rejected) return FailedPrecondition("the deploy was " + status.message);
    if (status.message != last_message) {
      request.log->Line("deploy: waiting for approvals: " + status.message +
                        " (slipway env approve " + runtime.name + ")");
      last_message = status.message;
    }
    if (status.satisfied) {
      facts.approvers = status.counted;
      request.log->Line("✔ deploy: approved by " + std::to_string(status.counted.size()) +
                        " of the " + std::to_string(spec.count) + " needed");
      return facts;
    }
    std::error_code ec;
    if (fs::exists(runtime.dir / "abort", ec)) {
      Result<std::string> reason = ReadFile(runtime.dir / "abort", 4096);
      fs::remove(runtime.dir / "abort", ec);
      return FailedPrecondition("rolled back while waiting for approvals: " +
                                (reason.ok() && !reason.value().empty()
                                     ? reason.value()
                                     : std::string("rollback requested")));
    }
    const auto interval = options.approval_poll_interval;
    const bool cancelled = request.cancel != nullptr
                               ? request.cancel->WaitFor(interval)
                               : (std::this_thread::sleep_for(interval), false);
    if (cancelled) return Cancelled("the run was cancelled while the deploy waited for approvals");
  }
}

}  // namespace slipway::deploy
