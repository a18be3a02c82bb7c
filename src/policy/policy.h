// Release policy (docs/policy.md): gates over CEL rules, approvals, audited emergency
// exemptions.
//
// A gate runs before a deploy starts (step `deploy`) and, for policies `at: promote`, again
// just before a canary or blue-green revision takes all the traffic (step `promote`). It builds the
// input document from what is known about the deploy (GateInput: artifact, run, change,
// environment, time, approvals, error budget), evaluates every policy of the pipeline that applies
// to the environment and strategy, and decides: allow, or deny with every failing rule's message.
// Audit-mode policies are recorded and never deny. An active exemption turns a deny into
// "exempted": the deploy goes on and the decision says who overrode what and why.
//
// Everything here is pure (no I/O, no clock): callers pass `now`, and the deploy module stores
// decisions and reads approvals and exemptions through a GateLedger (the server's store; none
// for `slipway run`).
//
// Thread-safety: free functions are reentrant; GateLedger implementations say their own.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"
#include "spec/spec.h"
#include "util/status.h"

namespace slipway::policy {

using Time = std::chrono::system_clock::time_point;

// ---- The input document ----

struct ArtifactFacts {
  std::string reference;                                // as the deploy job named it
  std::string repository;                               // "" for a local path
  std::string digest;                                   // manifest digest; "" for a local path
  std::string provenance_status = "none";               // "verified" | "none" | "failed"
  std::string builder, source_repository, ref, commit;  // from verified provenance
  bool sbom = false;                                    // an SBOM referrer is attached
};

struct TestCounts {
  int64_t passed = 0, failed = 0, flaky = 0, skipped = 0;
};

// One job's test report.
struct ReportFacts {
  std::string job;
  TestCounts tests;
};

struct RunFacts {
  std::string id;
  std::optional<TestCounts> tests;  // unset: not known (the document has nulls)
  std::vector<ReportFacts> reports;
};

struct ChangeFacts {
  std::string author;  // who started the run (token name), or the commit's author when known
  std::string branch, commit;
  // The paths that differ between the commit the environment runs and `commit` (every path of
  // `commit` when nothing was deployed before); unset: not known. Never more than
  // kMaxChangedFiles: a longer list is unknown, since a cut list could pass a rule the whole
  // list fails (`change.files.all(f, f.startsWith("docs/"))`).
  std::optional<std::vector<std::string>> files;
};

inline constexpr size_t kMaxChangedFiles = 10000;

struct SloFacts {
  std::string name;
  std::optional<double> burn_rate;  // 1h burn rate; unset when it could not be measured
  double threshold = 0;             // the freeze's burn rate
  bool frozen = false;              // holds (or would hold) the release
  std::string error;                // why it could not be measured
};

struct ErrorBudgetFacts {
  bool evaluated = false;  // SLOs were evaluated (an SLI source is configured)
  std::vector<SloFacts> slos;
};

struct ApprovalFacts {
  int required = 0;
  std::vector<std::string> approvers;  // those counted (distinct, valid now)
  bool satisfied = true;
};

struct GateInput {
  spec::GateStep step = spec::GateStep::kDeploy;  // the gate's step (`gate.step`)
  std::string project, environment, strategy;
  ArtifactFacts artifact;
  RunFacts run;
  ChangeFacts change;
  Time now;
  ApprovalFacts approvals;
  ErrorBudgetFacts error_budget;
};

// The document rules see. Every field of spec::PolicyInputFields() is present; unknown
// values are null (test counts), "" or empty lists.
expr::Value InputDocument(const GateInput& input);
// The same document as canonical JSON (compact, keys sorted), what decisions store and
// `slipway gate explain` prints; its SHA-256 is the decision's input digest.
std::string CanonicalInputJson(const GateInput& input);

// ---- Policies and decisions ----

// The policies of `pipeline` that gate `step` of a deploy to `environment` with `strategy`
// ("rolling", "blue-green", "canary"), in file order. A rolling deploy has no promotion
// point: its deploy step also takes the policies `at: promote` (a gate is never skipped, so
// they hold at least when it starts), and its promote step has none.
std::vector<const spec::Policy*> PoliciesFor(const spec::Pipeline& pipeline,
                                             std::string_view environment,
                                             std::string_view strategy, spec::GateStep step);

struct RuleResult {
  std::string expression, message;
  bool passed = false;
  std::string error;  // why it could not be evaluated ("" when it evaluated); counts as failed
};

struct PolicyResult {
  std::string name;
  spec::Policy::Mode mode = spec::Policy::Mode::kEnforce;
  bool passed = true;  // every rule passed
  std::vector<RuleResult> rules;
};

struct Decision {
  bool allowed = true;  // no enforce-mode policy failed
  std::vector<PolicyResult> policies;
  // "policy: message" for every failing rule of an enforce-mode policy (what the deploy's
  // failure says), and of audit-mode policies (recorded only).
  std::vector<std::string> denials, audit_failures;
};

// Evaluates each policy's every rule (a rule is not skipped because an
// earlier one failed: the decision lists all failures) against InputDocument(input), whose
// top-level fields are the rules' variables. A rule passes only when it evaluates
// to true; false, another type or an evaluation error fail it.
Decision Evaluate(const std::vector<const spec::Policy*>& policies, const GateInput& input);

// ---- Approvals ----

// Role ranks as the server's tokens have them: viewer < developer < releaser < admin. -1 for
// an unknown name.
int RoleRank(std::string_view role);

struct Approval {
  int64_t id = 0;
  std::string project, environment;
  int64_t deploy_id = 0;
  std::string approver;  // the token's name
  std::string role;      // the token's role when it approved
  bool approved = true;  // false: rejected
  std::string comment;
  Time at;
};

struct ApprovalStatus {
  bool satisfied = false;            // enough valid approvals, and no valid rejection
  bool rejected = false;             // a valid rejection: the deploy fails
  std::vector<std::string> counted;  // distinct approvers counted, in order of approval
  std::string message;               // "2 of 3 approvals (ana, bo)", or why it was rejected
};

// Counts the approvals that are valid now: from distinct approvers (the latest verdict of
// each counts), with at least `spec.role`, not by `author` when `spec.not_author`, given
// within `spec.expire_after` of `now`. A valid rejection rejects.
ApprovalStatus CheckApprovals(const spec::ApprovalsSpec& spec, const std::vector<Approval>& given,
                              std::string_view author, Time now);
// Why `approver` (with `role`) may not approve or reject under `spec` (role too low, author
// when not-author), or OK.
Status MayApprove(const spec::ApprovalsSpec& spec, std::string_view approver, std::string_view role,
                  std::string_view author);

// ---- Emergency exemptions ----

inline constexpr size_t kMaxJustificationBytes = 2000;

struct Exemption {
  int64_t id = 0;
  std::string project, environment;
  std::string requested_by;  // token name
  std::string justification;
  Time created, expires;
  bool needs_second_approval = false;
  std::string approved_by;  // the second person; "" until approved
  std::optional<Time> approved_at;
};

enum class ExemptionState { kPending, kActive, kExpired };
ExemptionState StateOf(const Exemption& exemption, Time now);
const char* ExemptionStateName(ExemptionState state);  // "pending" | "active" | "expired"

// Checks a request for an exemption under the environment's `spec`: a justification that is
// not blank and at most kMaxJustificationBytes, a duration within spec.max_duration. Returns
// the exemption to store (times from `now`, needs_second_approval from the spec).
Result<Exemption> NewExemption(const spec::ExemptionsSpec& spec, std::string project,
                               std::string environment, std::string requested_by,
                               std::string justification, std::chrono::milliseconds duration,
                               Time now);
// Why `approver` may not give `exemption` its second approval now (it needs none, it has one,
// it expired, the approver asked for it), or OK.
Status MaySecondApprove(const Exemption& exemption, std::string_view approver, Time now);
// The active exemption that expires last, or null. The pointer points into `exemptions`, so a
// temporary list is refused at compile time.
const Exemption* ActiveExemption(const std::vector<Exemption>& exemptions, Time now);
const Exemption* ActiveExemption(std::vector<Exemption>&& exemptions, Time now) = delete;

// ---- Records ----

// A gate's decision as stored: "allow", "deny" or "exempted" (denied, overridden). A deploy
// has at most one per step.
struct GateRecord {
  int64_t id = 0;
  std::string project, environment;
  int64_t deploy_id = 0;
  spec::GateStep step = spec::GateStep::kDeploy;
  std::string run_id;
  std::string decision;
  std::string input_json;    // CanonicalInputJson
  std::string input_digest;  // "sha256:<hex>" of input_json
  std::string result_json;   // DecisionJson
  int64_t exemption_id = 0;  // the exemption that overrode a deny; 0 = none
  Time at;
};

// {"allowed","denials":[…],"audit_failures":[…],"policies":[{"name","mode","passed","rules":
// [{"rule","message","passed","error"}]}]}
std::string DecisionJson(const Decision& decision);
// "sha256:<hex>" of `text`.
std::string InputDigest(std::string_view text);

// What the gate reads and writes outside the deploy module: the server implements it over its
// store (api/gate_ledger.cc). Thread-safety: called from deploying threads, several at once.
class GateLedger {
 public:
  virtual ~GateLedger() = default;
  // Fills in what is known of run `run_id` of `project`: its tests and reports, who started it,
  // branch and commit. NotFound leaves the facts unknown.
  virtual Status DescribeRun(const std::string& project, const std::string& run_id, RunFacts* run,
                             ChangeFacts* change) = 0;
  // The paths (sorted, '/'-separated) that differ between the commit of run `deployed_run_id`
  // of `project` (what the environment runs now) and the commit of run `run_id` (the one
  // deploying); with `deployed_run_id` "" (nothing was deployed before), every path of the
  // commit of `run_id`. An error is why they are unknown, in words for the deploy log: a run
  // or its commit unknown, no copy of the repository, a commit not in it.
  virtual Result<std::vector<std::string>> ChangedFiles(const std::string& project,
                                                        const std::string& deployed_run_id,
                                                        const std::string& run_id) = 0;
  virtual Result<std::vector<Approval>> Approvals(const std::string& project,
                                                  const std::string& environment,
                                                  int64_t deploy_id) = 0;
  virtual Result<std::vector<Exemption>> Exemptions(const std::string& project,
                                                    const std::string& environment) = 0;
  // Stores the decision. Returns its id.
  virtual Result<int64_t> Record(const GateRecord& record) = 0;
  // Appends the use of an exemption to the audit trail: `what` says what it overrode ("the
  // gate of deploy 4", "the release freeze").
  virtual Status NoteExemptionUse(const Exemption& exemption, const std::string& what) = 0;
};

}  // namespace slipway::policy
