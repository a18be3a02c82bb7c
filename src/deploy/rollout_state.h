// The shared state of one Rollout, and the moves every strategy is built from (start a
// revision, wait for it, route traffic, wait for approval). Internal to src/deploy.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "deploy/deploy.h"

namespace slipway::deploy {

struct RolloutState {
  RolloutOptions options;
  std::optional<RevisionSpec> stable;
  RevisionSpec next;
  StrategyPlan plan;

  mutable std::mutex mutex;  // guards the fields below
  std::condition_variable wake;
  bool approved = false;           // an approval given during the wait that honours it
  bool awaiting_approval = false;  // such a wait is in progress
  bool finished = false;
  bool committed = false;  // the old revision is being stopped: too late to abort
  std::string abort_reason;
  std::string current_step;
  std::vector<StepRecord> steps;
  std::atomic<bool> aborted{false};

  // Serializes router calls between the rollout's thread and Abort(), and holds what the
  // rollout last routed, so Abort() and the strategies never interleave two tables.
  std::mutex router_mutex;

  // Runs `body` as a recorded step named `name`. An aborted rollout records the step as
  // aborted and returns Cancelled without running it.
  Status Step(const std::string& name, const std::function<Status(std::string& message)>& body);

  // Starts (or rescales) `revision` to `instances` instances and waits until all are ready.
  Status StartAndWait(const RevisionSpec& revision, int instances);
  // Waits until every desired instance of `revision_id` is ready. Fails on a crash loop or
  // after options.ready_timeout; Cancelled on abort.
  Status WaitReady(const std::string& revision_id);
  // Routes `next_weight`% to the new revision and the rest to the stable one (each with its
  // ready endpoints). Does nothing without a router. Cancelled (nothing routed) once aborted.
  Status Route(int next_weight);
  // Routes everything to the new revision alone (after promotion, once stable is removed).
  Status RouteOnlyNext();
  // Routes 100% to the stable revision alone, regardless of abort (the rollback move): the
  // new revision's pool leaves the table, so not even override requests reach it.
  Status RouteToStable();

  enum class WaitEnd { kElapsed, kApproved, kAborted };
  // Waits `duration` (nullopt = until approved), ending early on abort, and on approval when
  // `approvable`.
  WaitEnd Wait(std::optional<std::chrono::milliseconds> duration, bool approvable);

  void SetCurrent(const std::string& step);

  // Runs the analyzer on the new revision. A failed verdict fails with its summary; an
  // inconclusive one waits for Approve() (continue) or Abort(). `message` gets the summary.
  Status Analyse(const std::string& template_name,
                 const std::vector<std::pair<std::string, std::string>>& args,
                 bool receives_traffic, std::string& message);

  // Runs options.before_promotion, when set, as the step "promotion gate" (canary and
  // blue-green call it just before Promote).
  Status PromotionGate();

  // Moves all traffic to the new revision, keeps the stable one running `keep_stable` (an
  // abort meanwhile routes back to it), then stops it. Recorded as steps.
  Status Promote(std::chrono::milliseconds keep_stable);

  // Rollout::Abort, callable from any thread (a background analysis that failed): the
  // rollout's waits end, Run() rolls back with `reason` (the first reason given wins), and
  // traffic goes back to the stable revision before this returns. FailedPrecondition once the
  // rollout has finished or is past its point of no return.
  Status AbortWith(const std::string& reason);

 private:
  Status ApplyRoutes(const std::vector<std::pair<std::string, int>>& weights);
};

// A canary's background analysis (StrategyPlan::background_analysis) on its own thread, from
// Start() until Conclude() or destruction. When the analyzer fails before it is asked to
// conclude, the rollout is aborted at once with the analyzer's summary, whatever step the
// rollout's thread is in. Destruction stops the analysis and joins the thread.
class BackgroundAnalysisRun {
 public:
  explicit BackgroundAnalysisRun(RolloutState& state) : state_(state) {}
  ~BackgroundAnalysisRun();
  BackgroundAnalysisRun(const BackgroundAnalysisRun&) = delete;
  BackgroundAnalysisRun& operator=(const BackgroundAnalysisRun&) = delete;

  // Starts it (recorded as a step) when the plan has one that starts after `finished_steps`
  // steps and it has not started yet.
  Status StartAfter(int finished_steps);
  // At promotion: asks the analysis for its verdict on the data so far and waits for it
  // (recorded as a step). Fails on a failed verdict; an inconclusive one waits for an
  // approval, as an analysis step does. OK when none was started.
  Status Conclude();

 private:
  void Run(const StrategyPlan::BackgroundAnalysis& plan);

  RolloutState& state_;
  std::atomic<bool> stop_{false}, conclude_{false};
  AnalysisVerdict verdict_;  // written by the thread before it ends; read after join
  std::thread thread_;
};

// The strategies, each the body of Rollout::Run between start and promotion/rollback.
Status RunRolling(RolloutState& state);
Status RunBlueGreen(RolloutState& state);
Status RunCanary(RolloutState& state);

}  // namespace slipway::deploy
