// The default analysis: instance health, and the canary's 5xx rate against the stable one's.
#include <cstdio>
#include <thread>

#include "deploy/deploy.h"
#include "deploy/revision_health.h"
#include "util/duration_format.h"

namespace slipway::deploy {

namespace {

std::string Percent(uint64_t part, uint64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
  return text;
}

// Requests and errors since `start` (the telemetry counters only grow).
TrafficSample Delta(const TrafficSample& now, const TrafficSample& start) {
  return {.requests = now.requests - start.requests, .errors = now.errors - start.errors};
}

}  // namespace

std::optional<std::string> UnhealthyReason(const std::string& revision,
                                           const RevisionState& state) {
  if (!state.crash_looping && state.ready >= state.desired) return std::nullopt;
  return revision + ": " + std::to_string(state.ready) + " of " + std::to_string(state.desired) +
         " instances ready" + (state.message.empty() ? "" : " (" + state.message + ")");
}

Analyzer MakeHealthAnalyzer(Target& target, TrafficSource traffic, HealthAnalysisOptions options) {
  return [&target, traffic = std::move(traffic), options](const AnalysisRequest& request) {
    using Outcome = AnalysisVerdict::Outcome;
    const bool judge_errors = traffic && request.receives_traffic;
    auto sample = [&](const std::string& revision) {
      std::optional<TrafficSample> seen =
          judge_errors && !revision.empty() ? traffic(revision) : std::nullopt;
      return seen.value_or(TrafficSample{});
    };
    const TrafficSample canary_start = sample(request.canary_revision);
    const TrafficSample stable_start = sample(request.stable_revision);
    auto error_verdict = [&](bool final) -> std::optional<AnalysisVerdict> {
      const TrafficSample canary = Delta(sample(request.canary_revision), canary_start);
      const TrafficSample stable = Delta(sample(request.stable_revision), stable_start);
      const std::string numbers =
          "canary " + std::to_string(canary.errors) + "/" + std::to_string(canary.requests) +
          " 5xx (" + Percent(canary.errors, canary.requests) + "), stable " +
          std::to_string(stable.errors) + "/" + std::to_string(stable.requests) + " (" +
          Percent(stable.errors, stable.requests) + ")";
      if (canary.requests < options.min_requests) {
        if (!final) return std::nullopt;
        return AnalysisVerdict{Outcome::kInconclusive, numbers + ": fewer than " +
                                                           std::to_string(options.min_requests) +
                                                           " canary requests to judge"};
      }
      const double canary_rate = static_cast<double>(canary.errors) / canary.requests;
      const double stable_rate =
          stable.requests == 0 ? 0.0 : static_cast<double>(stable.errors) / stable.requests;
      if (canary_rate > options.max_error_rate && canary_rate > 2 * stable_rate) {
        return AnalysisVerdict{
            Outcome::kFail,
            numbers + ": canary error rate above " +
                Percent(static_cast<uint64_t>(options.max_error_rate * 1e6), 1000000) +
                " and twice the stable rate"};
      }
      if (!final) return std::nullopt;
      return AnalysisVerdict{Outcome::kPass, numbers};
    };

    const auto deadline = std::chrono::steady_clock::now() + options.duration;
    while (true) {
      Result<RevisionState> seen = target.Inspect(request.canary_revision);
      if (!seen.ok()) return AnalysisVerdict{Outcome::kFail, seen.status().message()};
      const RevisionState& state = seen.value();
      if (auto unhealthy = UnhealthyReason(request.canary_revision, state)) {
        return AnalysisVerdict{Outcome::kFail, *unhealthy};
      }
      const bool final = std::chrono::steady_clock::now() >= deadline;
      if (judge_errors) {
        if (auto verdict = error_verdict(final)) return *verdict;
      } else if (final) {
        return AnalysisVerdict{Outcome::kPass,
                               request.canary_revision + ": all " + std::to_string(state.ready) +
                                   " instances ready for " + FormatDuration(options.duration)};
      }
      if (request.stop != nullptr && request.stop->load()) {
        return AnalysisVerdict{Outcome::kFail, "stopped"};
      }
      std::this_thread::sleep_for(options.interval);
    }
  };
}

}  // namespace slipway::deploy
