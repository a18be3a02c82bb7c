// One deploy job: artifact → revision → rollout → record.
#include <algorithm>
#include <cstdlib>
#include <thread>

#include "deploy/artifact_fetch.h"
#include "deploy/deployments_impl.h"
#include "deploy/environment_plan.h"
#include "deploy/gate.h"
#include "deploy/protection.h"
#include "deploy/release_freeze.h"
#include "deploy/template_analyzer.h"
#include "util/cancel.h"
#include "util/duration_format.h"
#include "util/fs.h"

namespace slipway::deploy {

namespace fs = std::filesystem;

namespace {

using runner::DeployOutcome;
using runner::Outcome;

// Whether an SBOM (CycloneDX or SPDX) refers to the artifact in the registry.
bool HasSbom(registry::Registry& registry, const std::string& repository,
             const registry::Digest& digest) {
  Result<std::vector<registry::Descriptor>> referrers = registry.Referrers(repository, digest);
  if (!referrers.ok()) return false;
  return std::any_of(referrers->begin(), referrers->end(), [](const registry::Descriptor& d) {
    return d.artifact_type == "application/vnd.cyclonedx+json" ||
           d.artifact_type == "application/spdx+json";
  });
}

// "verified (key …, builder …, commit …)", "none", or an error (the deploy stops). Fills in
// what the gate's input document says of the artifact.
Result<std::string> CheckProvenanceOf(const DeploymentsOptions& options,
                                      const FetchedArtifact& artifact,
                                      policy::ArtifactFacts& facts) {
  facts.repository = artifact.repository;
  facts.digest = artifact.digest;
  facts.provenance_status = "none";
  if (artifact.digest.empty() || options.registry == nullptr) return std::string("none");
  Result<registry::Digest> digest = registry::Digest::Parse(artifact.digest);
  if (!digest.ok()) return digest.status();
  facts.sbom = HasSbom(*options.registry, artifact.repository, digest.value());
  registry::ProvenanceExpectations expected;
  expected.subject = digest.value();
  Result<registry::ProvenanceSummary> summary =
      registry::CheckProvenance(*options.registry, artifact.repository, options.keys, expected);
  if (summary.ok()) {
    facts.provenance_status = "verified";
    facts.builder = summary.value().builder_id;
    facts.source_repository = summary.value().source_repository;
    facts.ref = summary.value().ref;
    facts.commit = summary.value().commit;
    return "verified (key " + summary.value().key_id + ", builder " + summary.value().builder_id +
           ", commit " + summary.value().commit + ")";
  }
  if (summary.status().code() == StatusCode::kNotFound) return std::string("none");
  return PermissionDenied("provenance of " + artifact.repository + "@" + artifact.digest +
                          " does not verify: " + summary.status().message());
}

// Aborts or approves the rollout when asked from elsewhere: the run was cancelled, or another
// process wrote the environment's abort/approve file. Polls every 50 ms until destroyed.
class RolloutWatcher {
 public:
  RolloutWatcher(Rollout& rollout, const fs::path& dir, const CancelToken* cancel)
      : thread_([this, &rollout, dir, cancel] {
          while (!stop_.WaitFor(std::chrono::milliseconds(50))) {
            if (cancel != nullptr && cancel->cancelled()) {
              (void)rollout.Abort("the run was cancelled");
              return;
            }
            std::error_code ec;
            if (fs::exists(dir / "abort", ec)) {
              Result<std::string> reason = ReadFile(dir / "abort", 4096);
              fs::remove(dir / "abort", ec);
              (void)rollout.Abort(reason.ok() && !reason.value().empty() ? reason.value()
                                                                         : "rollback requested");
              return;
            }
            if (fs::exists(dir / "approve", ec)) {
              fs::remove(dir / "approve", ec);
              (void)rollout.Approve();  // too early is ignored, as in this process
            }
          }
        }) {}
  ~RolloutWatcher() {
    stop_.Cancel();
    thread_.join();
  }

 private:
  CancelToken stop_;
  std::thread thread_;
};

std::string FormatStep(const StepRecord& step) {
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(step.finished - step.started);
  std::string mark = step.outcome == "ok" ? "✔" : step.outcome == "aborted" ? "○" : "✘";
  return mark + " deploy: " + step.name + " (" + FormatDuration(took) + ")" +
         (step.message.empty() ? "" : ": " + step.message);
}

}  // namespace

std::optional<std::string> Deployments::Impl::Admit(const GateSubject& gate, Runtime& runtime,
                                                    DeployRecord& record, policy::GateInput input) {
  const runner::DeployRequest& request = *gate.request;
  input.project = request.project;
  input.environment = runtime.name;
  input.strategy = gate.strategy;
  input.artifact = gate.artifact;
  {
    std::lock_guard guard(mutex);  // the deploy shows as running while it waits
    record.outcome = "running";
    runtime.active_record = record;
  }
  Result<policy::ApprovalFacts> approvals =
      WaitForApprovals(options, mutex, runtime, gate, input.change.author);
  if (!approvals.ok()) return approvals.status().message();
  input.approvals = approvals.value();
  if (options.ledger == nullptr) {
    // Without a server the rollout counts approvals once it starts, after the gate.
    input.approvals.satisfied = input.approvals.required == 0;
  }
  if (policy::PoliciesFor(*gate.pipeline, runtime.name, gate.strategy, spec::GateStep::kDeploy)
          .empty()) {
    return std::nullopt;
  }
  input.change.files = ChangedFilesOf(options, *ledger, gate, runtime.name);
  input.error_budget = ErrorBudgetOf(options, *gate.pipeline, runtime.name);
  input.now = std::chrono::system_clock::now();
  return RunGate(options, gate, std::move(input), record);
}

std::optional<std::string> Deployments::Impl::CheckPromotionOf(const runner::DeployRequest& request,
                                                               const Runtime& runtime,
                                                               const DeployRecord& record) {
  Status promoted = CheckPromotion(*runtime.environment, request.project,
                                   {.digest = record.digest, .run_id = request.run_id}, *ledger);
  if (promoted.ok()) return std::nullopt;
  std::optional<policy::Exemption> exemption =
      ActiveExemptionFor(options, request.project, runtime.name);
  if (!exemption) return promoted.message();
  request.log->Line("⚠ deploy: promotion order OVERRIDDEN by exemption " +
                    std::to_string(exemption->id) + " (" + exemption->requested_by +
                    "): " + promoted.message());
  (void)options.ledger->NoteExemptionUse(*exemption, "the promotion order of " + runtime.name);
  return std::nullopt;
}

DeployOutcome Deployments::Impl::RunDeploy(const runner::DeployRequest& request) {
  auto fail = [&](std::string reason) {
    request.log->Line("✘ deploy: " + reason);
    return DeployOutcome{Outcome::kFailure, std::move(reason)};
  };
  const std::string& name = request.job->deploy->environment;
  const std::string pipeline_file = request.pipeline->file;
  std::string yaml = request.pipeline_yaml;
  if (yaml.empty()) {
    Result<std::string> text = ReadFile(pipeline_file, 16 << 20);
    if (!text.ok()) return fail("cannot read " + pipeline_file + ": " + text.status().message());
    yaml = text.value();
  }
  // Before the environment's lock: a frozen release may wait for hours, and the reconciler
  // and rollbacks need the lock meanwhile. An emergency exemption lifts the freeze.
  if (auto exemption = ActiveExemptionFor(options, request.project, name)) {
    const policy::ErrorBudgetFacts budget = ErrorBudgetOf(options, *request.pipeline, name);
    if (std::any_of(budget.slos.begin(), budget.slos.end(), [](auto& s) { return s.frozen; })) {
      request.log->Line("⚠ deploy: release freeze of " + name + " OVERRIDDEN by exemption " +
                        std::to_string(exemption->id) + " (" + exemption->requested_by +
                        "): " + exemption->justification);
      (void)options.ledger->NoteExemptionUse(*exemption, "the release freeze of " + name);
    }
  } else if (auto held = HoldForReleaseFreeze(request, options)) {
    return *held;
  }
  const fs::path dir = DirOf(request.project, name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  // Reconciler passes, status reads and rollbacks hold the lock for moments: wait those out.
  std::optional<EnvironmentLock> lock;
  for (const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);;) {
    lock.emplace(dir);
    if (lock->locked()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail("environment " + name + " is being deployed by another run");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  fs::remove(dir / "abort", ec);
  fs::remove(dir / "approve", ec);

  Result<Runtime*> opened = Open(request.project, name, pipeline_file, yaml);
  if (!opened.ok()) return fail(opened.status().message());
  Runtime& runtime = *opened.value();
  std::lock_guard one_at_a_time(runtime.deploy_mutex);
  // Protection first: a refused deploy changes nothing (no revision, no record).
  if (Status allowed =
          CheckProtection(*runtime.environment, request.branch, std::chrono::system_clock::now());
      !allowed.ok()) {
    return fail(allowed.message());
  }
  if (Status proxy = EnsureProxy(runtime); !proxy.ok()) return fail(proxy.message());

  Result<DesiredState> existing = ledger->Load(request.project, name);
  if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) {
    return fail(existing.status().message());  // never forget the stable revision silently
  }
  DesiredState desired = existing.ok() ? existing.value() : DesiredState{};
  desired.project = request.project;
  desired.environment = name;
  desired.pipeline_file = pipeline_file;
  desired.pipeline_yaml = yaml;
  DeployRecord record;
  record.id = desired.next_deploy++;
  record.project = request.project;
  record.environment = name;
  record.revision = "r" + std::to_string(desired.next_revision++);
  record.artifact = request.artifact;
  record.trigger = "run " + request.run_id + ", job " + request.job_id + ", attempt " +
                   std::to_string(request.attempt);
  record.run_id = request.run_id;
  policy::GateInput run_facts;  // what the gate ledger knows of the run, the gate's input
  ReadRunFacts(options, request, run_facts);
  record.triggered_by = run_facts.change.author;
  if (options.ledger == nullptr) {  // `slipway run`: whoever runs it
    if (const char* user = std::getenv("USER")) record.triggered_by = user;
  }
  record.started = std::chrono::system_clock::now();
  record.outcome = "running";
  StrategyPlan plan = PlanFor(request.job->deploy->strategy);
  // With a ledger the deploy waits for approvals before the gate (WaitForApprovals), who
  // approved counted; without one the rollout counts Approve calls.
  plan.approvals_before_start =
      options.ledger == nullptr ? runtime.environment->protection.approvals.count : 0;
  record.strategy = StrategyName(plan);
  if (Status written = ledger->Save(desired); !written.ok()) return fail(written.message());
  if (Status recorded = ledger->RecordDeploy(record); !recorded.ok()) {
    return fail(recorded.message());
  }
  auto finish = [&](std::string outcome, std::string reason) {
    record.finished = std::chrono::system_clock::now();
    record.outcome = std::move(outcome);
    record.reason = std::move(reason);
    if (Status recorded = ledger->RecordDeploy(record); !recorded.ok()) {
      request.log->Line("⚠ deploy: the record of deploy " + std::to_string(record.id) +
                        " could not be stored: " + recorded.message());
    }
    std::lock_guard guard(mutex);
    runtime.active = nullptr;
    runtime.active_record.reset();
    ++runtime.deploy_counts[record.outcome];
  };

  const fs::path revision_dir = dir / "revisions" / record.revision;
  Result<FetchedArtifact> fetched =
      FetchArtifact(options.registry, request.artifact, request.workspace, revision_dir);
  GateSubject gate;
  gate.request = &request;
  gate.environment = runtime.environment;
  gate.pipeline = &*runtime.pipeline;
  gate.artifact.reference = request.artifact;
  gate.strategy = record.strategy;
  gate.deploy_id = record.id;
  gate.serving_revision = desired.stable ? desired.stable->id : "";
  Result<std::string> provenance = fetched.ok()
                                       ? CheckProvenanceOf(options, fetched.value(), gate.artifact)
                                       : Result<std::string>("");
  if (!fetched.ok() || !provenance.ok()) {
    const std::string reason =
        !fetched.ok() ? fetched.status().message() : provenance.status().message();
    (void)RemoveTree(revision_dir);
    finish("failed", reason);
    return fail(reason);
  }
  record.digest = fetched.value().digest;
  record.provenance = provenance.value();
  request.log->Line("deploy: " + record.revision + " of " + request.artifact + " to " + name +
                    " (" + record.strategy + "); provenance " + record.provenance);

  // Promotion order, approvals, then the release gate: a refused deploy has started nothing.
  std::optional<std::string> refused = CheckPromotionOf(request, runtime, record);
  if (!refused) refused = Admit(gate, runtime, record, std::move(run_facts));
  if (refused) {
    (void)RemoveTree(revision_dir);
    finish("failed", *refused);
    return fail(*refused);
  }

  RevisionSpec next{.id = record.revision,
                    .digest = record.digest,
                    .artifact_dir = revision_dir,
                    .instances = InstancesFor(*runtime.environment),
                    .env = {}};
  std::optional<RevisionSpec> stable = desired.stable;
  if (stable && !runtime.target->Inspect(stable->id).ok()) {
    request.log->Line("deploy: the stable revision " + stable->id +
                      " is not running; this deploy starts from nothing");
    stable.reset();
  }

  // A background analysis logs from its own thread beside the rollout's steps; the job's log
  // sink takes one line at a time.
  std::mutex log_mutex;
  auto log_line = [&](const std::string& line) {
    std::lock_guard guard(log_mutex);
    request.log->Line(line);
  };
  RolloutOptions rollout_options{
      .target = runtime.target.get(),
      .router = runtime.router.get(),
      .analyzer = MakeTemplateAnalyzer(
          {.pipeline = &*runtime.pipeline,
           .project = request.project,
           .environment = name,
           .deploy_id = record.id,
           .analyses_dir = dir / "analyses",
           .target = runtime.target.get(),
           .health = MakeHealthAnalyzer(*runtime.target, runtime.traffic, options.health),
           .proxy = runtime.proxy_admin,
           .log = log_line,
           .providers = {}}),
      .ready_timeout = options.ready_timeout,
      .poll_interval = std::chrono::milliseconds(100),
      .drain_delay = std::chrono::seconds(2),
      .on_step =
          [&](const StepRecord& step) {
            log_line(FormatStep(step));
            std::optional<DeployRecord> progress;
            {
              std::lock_guard guard(mutex);
              if (runtime.active_record) {
                runtime.active_record->steps.push_back(step);
                progress = runtime.active_record;
              }
            }
            // Other servers and `slipway env history` see the steps so far (best effort: the
            // final record is stored at the end either way).
            if (progress) (void)ledger->RecordDeploy(*progress);
          },
      .before_promotion = [&]() -> Status {
        std::optional<std::string> denied = RunPromoteGate(options, *ledger, gate, name, record);
        {
          std::lock_guard guard(mutex);  // progress records carry the decision from here
          if (runtime.active_record) {
            runtime.active_record->promote_gate = record.promote_gate;
            runtime.active_record->promote_gate_json = record.promote_gate_json;
          }
        }
        return denied ? FailedPrecondition(*denied) : Status::Ok();
      }};
  Rollout rollout(std::move(rollout_options), stable, next, plan);
  {
    std::lock_guard guard(mutex);
    runtime.active = &rollout;
    record.outcome = "running";
    runtime.active_record = record;
  }
  RolloutResult result;
  {
    RolloutWatcher watcher(rollout, dir, request.cancel);
    result = rollout.Run();
  }
  record.steps = result.steps;
  if (!result.succeeded) {
    (void)RemoveTree(revision_dir);
    finish("failed", result.reason);
    const bool cancelled = request.cancel != nullptr && request.cancel->cancelled();
    request.log->Line("✘ deploy: rolled back: " + result.reason);
    return {cancelled ? Outcome::kCancelled : Outcome::kFailure,
            "deploy to " + name + " rolled back: " + result.reason};
  }
  // The new revision is stable; the one it replaced keeps its files for one more deploy.
  const std::optional<RevisionSpec> previous = desired.stable;
  desired.stable = next;
  if (Status written = ledger->Save(desired); !written.ok()) {
    finish("failed", written.message());
    return fail(written.message());
  }
  for (const auto& entry : fs::directory_iterator(dir / "revisions", ec)) {
    const std::string id = entry.path().filename().string();
    if (id != next.id && (!previous || id != previous->id)) (void)RemoveTree(entry.path());
  }
  finish("succeeded", "");
  request.log->Line("✔ deploy: " + next.id + " serves " + name);
  return {Outcome::kSuccess, ""};
}

}  // namespace slipway::deploy
