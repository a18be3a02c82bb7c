// WaitOutReleaseFreeze: build each freezing SLO's SLI source once, then check the 1h burn rate
// of every one of them until none is above its threshold.
#include "deploy/release_freeze.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "util/duration_format.h"

namespace slipway::deploy {
namespace {

using std::chrono::milliseconds;

// The window the freeze looks at: long enough not to flap on one bad minute, short enough to
// lift soon after the service recovers.
constexpr milliseconds kFreezeWindow = std::chrono::hours(1);

struct FreezingSlo {
  const spec::Slo* slo = nullptr;
  std::unique_ptr<verify::SliSource> source;  // null: `source_error` says why
  std::string source_error;
};

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

std::vector<FreezingSlo> SlosFreezing(const spec::Pipeline& pipeline, std::string_view environment,
                                      const SliSourceFactory& factory) {
  std::vector<FreezingSlo> freezing;
  for (const spec::Slo& slo : pipeline.slos) {
    const auto& names = slo.freeze.environments;
    if (std::find(names.begin(), names.end(), environment) == names.end()) continue;
    FreezingSlo entry{.slo = &slo, .source = nullptr, .source_error = ""};
    Result<std::unique_ptr<verify::SliSource>> source = factory(slo);
    if (!source.ok()) {
      entry.source_error = source.status().message();
    } else if (source.value() == nullptr) {
      entry.source_error = "no SLI source for it";
    } else {
      entry.source = std::move(source).value();
    }
    freezing.push_back(std::move(entry));
  }
  return freezing;
}

// Why `entry` holds the deploy now, or "" when it does not.
std::string HoldReason(FreezingSlo& entry) {
  const spec::Slo& slo = *entry.slo;
  const std::string threshold = Number(slo.freeze.burn_rate);
  if (!entry.source) {
    return "SLO " + slo.name + " cannot be evaluated (" + entry.source_error +
           "); holding the deploy until it can be";
  }
  const verify::SloObjective objective{slo.name, slo.objective, slo.window};
  Result<double> burn = verify::BurnRate(objective, *entry.source, kFreezeWindow);
  if (!burn.ok()) {
    return "SLO " + slo.name + " cannot be evaluated (" + burn.status().message() +
           "); holding the deploy until it can be";
  }
  if (burn.value() <= slo.freeze.burn_rate) return "";
  return "SLO " + slo.name + " burns its error budget at " + Number(burn.value()) +
         "x over 1h, above the freeze threshold " + threshold;
}

}  // namespace

Status WaitOutReleaseFreeze(const spec::Pipeline& pipeline, std::string_view environment,
                            const ReleaseFreezeOptions& options, const CancelToken* cancel,
                            runner::LogSink& log) {
  const bool any = std::any_of(pipeline.slos.begin(), pipeline.slos.end(), [&](const auto& slo) {
    const auto& names = slo.freeze.environments;
    return std::find(names.begin(), names.end(), environment) != names.end();
  });
  if (!any) return Status::Ok();
  if (options.sli_sources == nullptr || !*options.sli_sources) {
    log.Line(
        "deploy: SLOs are not evaluated here (no SLI source is configured); the release "
        "freeze of " +
        std::string(environment) + " is not applied");
    return Status::Ok();
  }
  std::vector<FreezingSlo> slos = SlosFreezing(pipeline, environment, *options.sli_sources);
  const auto deadline = std::chrono::steady_clock::now() + options.max_wait;
  bool waited = false;
  for (;;) {
    std::vector<std::string> holding;
    for (FreezingSlo& entry : slos) {
      if (std::string reason = HoldReason(entry); !reason.empty()) holding.push_back(reason);
    }
    if (holding.empty()) {
      if (waited) log.Line("deploy: release freeze of " + std::string(environment) + " lifted");
      return Status::Ok();
    }
    for (const std::string& reason : holding) {
      log.Line("deploy: release freeze of " + std::string(environment) + ": " + reason +
               "; next check in " + FormatDuration(options.check_interval) +
               " (cancel the run to stop waiting)");
    }
    if (std::chrono::steady_clock::now() + options.check_interval > deadline) {
      return Status(StatusCode::kDeadlineExceeded,
                    "the release of " + std::string(environment) + " stayed frozen for " +
                        FormatDuration(options.max_wait) + ": " + holding.front());
    }
    waited = true;
    const bool cancelled = cancel != nullptr
                               ? cancel->WaitFor(options.check_interval)
                               : (std::this_thread::sleep_for(options.check_interval), false);
    if (cancelled) {
      return Cancelled("the run was cancelled while the release of " + std::string(environment) +
                       " was frozen: " + holding.front());
    }
  }
}

std::optional<runner::DeployOutcome> HoldForReleaseFreeze(const runner::DeployRequest& request,
                                                          const DeploymentsOptions& options) {
  const ReleaseFreezeOptions freeze{.sli_sources = &options.sli_sources,
                                    .check_interval = options.freeze_check_interval,
                                    .max_wait = options.freeze_max_wait};
  Status frozen = WaitOutReleaseFreeze(*request.pipeline, request.job->deploy->environment, freeze,
                                       request.cancel, *request.log);
  if (frozen.ok()) return std::nullopt;
  request.log->Line("✘ deploy: " + frozen.message());
  const runner::Outcome outcome =
      frozen.code() == StatusCode::kCancelled          ? runner::Outcome::kCancelled
      : frozen.code() == StatusCode::kDeadlineExceeded ? runner::Outcome::kTimedOut
                                                       : runner::Outcome::kFailure;
  return runner::DeployOutcome{outcome, frozen.message()};
}

}  // namespace slipway::deploy
