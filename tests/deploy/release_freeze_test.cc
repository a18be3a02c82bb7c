// The release freeze: a deploy to an environment waits while an SLO freezing it burns its
// budget above the threshold, lifts when the burn drops, ends on cancel, and holds (saying so)
// when the SLI cannot be read. Fake SLI sources; check intervals of a millisecond.
#include "deploy/release_freeze.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

namespace slipway::deploy {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class Lines : public runner::LogSink {
 public:
  void Line(std::string_view line) override { lines.emplace_back(line); }
  std::vector<std::string> lines;
};

// What a test sees of its source, which the freeze owns (and destroys when it returns).
struct Reads {
  std::vector<milliseconds> windows;
  std::function<void()> after;  // after each answer, if set
};

// Answers the queued error ratios in order (the last one again once the queue is down to it).
class QueuedSli : public verify::SliSource {
 public:
  QueuedSli(std::deque<Result<double>> ratios, Reads* reads)
      : ratios_(std::move(ratios)), reads_(reads) {}
  Result<double> ErrorRatio(milliseconds window) override {
    Result<double> ratio = ratios_.front();
    if (ratios_.size() > 1) ratios_.pop_front();
    if (reads_ != nullptr) {
      reads_->windows.push_back(window);
      if (reads_->after) reads_->after();
    }
    return ratio;
  }

 private:
  std::deque<Result<double>> ratios_;
  Reads* reads_;
};

// availability: 99.9% (budget 0.1%), freezes production above 2.
spec::Pipeline WithSlo(double burn_rate = 2) {
  spec::Pipeline pipeline;
  spec::Slo slo;
  slo.name = "availability";
  slo.objective = 99.9;
  slo.freeze.environments = {"production"};
  slo.freeze.burn_rate = burn_rate;
  pipeline.slos.push_back(slo);
  return pipeline;
}

// A factory handing out `source` (once), counting calls.
struct OneSource {
  std::unique_ptr<QueuedSli> source;
  int calls = 0;
  SliSourceFactory Factory() {
    return [this](const spec::Slo&) -> Result<std::unique_ptr<verify::SliSource>> {
      ++calls;
      if (!source) return Internal("asked twice");
      return std::unique_ptr<verify::SliSource>(std::move(source));
    };
  }
};

ReleaseFreezeOptions Options(const SliSourceFactory* factory) {
  return {.sli_sources = factory, .check_interval = milliseconds(1), .max_wait = hours(1)};
}

TEST(ReleaseFreeze, WaitsWhileTheBurnRateIsAboveTheThresholdThenLifts) {
  Reads reads;
  OneSource one{
      std::make_unique<QueuedSli>(std::deque<Result<double>>{0.005, 0.0021, 0.0019}, &reads)};
  const SliSourceFactory factory = one.Factory();
  Lines log;
  Status status = WaitOutReleaseFreeze(WithSlo(), "production", Options(&factory), nullptr, log);
  EXPECT_TRUE(status.ok()) << status.message();
  EXPECT_THAT(log.lines,
              ElementsAre("deploy: release freeze of production: SLO availability burns its "
                          "error budget at 5x over 1h, above the freeze threshold 2; next check "
                          "in 1ms (cancel the run to stop waiting)",
                          HasSubstr("at 2.1x over 1h, above the freeze threshold 2;"),
                          "deploy: release freeze of production lifted"));
  EXPECT_THAT(reads.windows, ElementsAre(hours(1), hours(1), hours(1)));
  EXPECT_EQ(one.calls, 1);  // one source per deploy, read at every check
}

TEST(ReleaseFreeze, ABurnRateWithinTheThresholdDoesNotHold) {
  OneSource one{std::make_unique<QueuedSli>(std::deque<Result<double>>{0.0029}, nullptr)};
  const SliSourceFactory factory = one.Factory();
  Lines log;
  EXPECT_TRUE(WaitOutReleaseFreeze(WithSlo(3), "production", Options(&factory), nullptr, log).ok());
  EXPECT_THAT(log.lines, IsEmpty());
}

TEST(ReleaseFreeze, OnlyTheEnvironmentsNamedAreFrozen) {
  OneSource one{std::make_unique<QueuedSli>(std::deque<Result<double>>{0.5}, nullptr)};
  const SliSourceFactory factory = one.Factory();
  Lines log;
  EXPECT_TRUE(WaitOutReleaseFreeze(WithSlo(), "staging", Options(&factory), nullptr, log).ok());
  EXPECT_THAT(log.lines, IsEmpty());
  EXPECT_EQ(one.calls, 0);
}

TEST(ReleaseFreeze, WithoutAFactorySlosAreNotEvaluatedAndTheLogSaysSo) {
  Lines log;
  const SliSourceFactory unset;
  EXPECT_TRUE(WaitOutReleaseFreeze(WithSlo(), "production", Options(&unset), nullptr, log).ok());
  EXPECT_THAT(log.lines,
              ElementsAre("deploy: SLOs are not evaluated here (no SLI source is configured); "
                          "the release freeze of production is not applied"));
}

TEST(ReleaseFreeze, CancellingTheRunEndsTheWait) {
  CancelToken cancel;
  Reads reads;
  reads.after = [&] {
    if (reads.windows.size() == 3) cancel.Cancel();
  };
  OneSource one{std::make_unique<QueuedSli>(std::deque<Result<double>>{0.01}, &reads)};
  const SliSourceFactory factory = one.Factory();
  Lines log;
  Status status = WaitOutReleaseFreeze(WithSlo(), "production", Options(&factory), &cancel, log);
  EXPECT_EQ(status.code(), StatusCode::kCancelled);
  EXPECT_EQ(status.message(),
            "the run was cancelled while the release of production was frozen: SLO availability "
            "burns its error budget at 10x over 1h, above the freeze threshold 2");
  EXPECT_EQ(reads.windows.size(), 3u);
  EXPECT_EQ(log.lines.size(), 3u);
}

TEST(ReleaseFreeze, AnSliThatCannotBeReadHoldsTheDeployAndSaysWhy) {
  OneSource one{std::make_unique<QueuedSli>(
      std::deque<Result<double>>{Unavailable("prometheus: connection refused"), 0.0}, nullptr)};
  const SliSourceFactory factory = one.Factory();
  Lines log;
  EXPECT_TRUE(WaitOutReleaseFreeze(WithSlo(), "production", Options(&factory), nullptr, log).ok());
  EXPECT_THAT(log.lines,
              ElementsAre("deploy: release freeze of production: SLO availability cannot be "
                          "evaluated (availability: error ratio over 1h: prometheus: connection "
                          "refused); holding the deploy until it can be; next check in 1ms "
                          "(cancel the run to stop waiting)",
                          "deploy: release freeze of production lifted"));
}

TEST(ReleaseFreeze, ASourceThatCannotBeBuiltHoldsUntilTheWaitRunsOut) {
  const SliSourceFactory factory =
      [](const spec::Slo&) -> Result<std::unique_ptr<verify::SliSource>> {
    return InvalidArgument("no Prometheus provider");
  };
  ReleaseFreezeOptions options = Options(&factory);
  options.max_wait = milliseconds(0);
  Lines log;
  Status status = WaitOutReleaseFreeze(WithSlo(), "production", options, nullptr, log);
  EXPECT_EQ(status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(status.message(),
            "the release of production stayed frozen for 0ms: SLO availability cannot be "
            "evaluated (no Prometheus provider); holding the deploy until it can be");
}

TEST(ReleaseFreeze, ACancelledDeployRequestEndsCancelled) {
  spec::Pipeline pipeline = WithSlo();
  spec::Job job;
  job.name = "ship";
  job.deploy = spec::DeploySpec{};
  job.deploy->environment = "production";
  CancelToken cancel;
  cancel.Cancel();
  Lines log;
  DeploymentsOptions options;
  options.sli_sources = [](const spec::Slo&) -> Result<std::unique_ptr<verify::SliSource>> {
    return std::unique_ptr<verify::SliSource>(
        std::make_unique<QueuedSli>(std::deque<Result<double>>{0.05}, nullptr));
  };
  options.freeze_check_interval = milliseconds(1);
  runner::DeployRequest request;
  request.pipeline = &pipeline;
  request.job = &job;
  request.cancel = &cancel;
  request.log = &log;
  std::optional<runner::DeployOutcome> held = HoldForReleaseFreeze(request, options);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->outcome, runner::Outcome::kCancelled);
  EXPECT_THAT(held->reason, HasSubstr("at 50x over 1h"));
  EXPECT_THAT(log.lines.back(), HasSubstr("✘ deploy: the run was cancelled"));

  pipeline.slos[0].freeze.burn_rate = 100;
  EXPECT_FALSE(HoldForReleaseFreeze(request, options));
}

}  // namespace
}  // namespace slipway::deploy
