// Error budget, burn rates and the SRE workbook's multi-window, multi-burn-rate alerts.
// Reference: Google, "The Site Reliability Workbook", chapter 5 "Alerting on SLOs",
// recommendation in table 5-8 (2% of a 30-day budget in 1h, 5% in 6h, 10% in 3d).
#include <array>
#include <cmath>
#include <cstdio>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

const std::array<milliseconds, 5> kBurnWindows = {minutes(5), minutes(30), hours(1), hours(6),
                                                  days(3)};

// Thresholds are compared with a relative tolerance: 1.44% against a 99.9% objective is 14.4
// on paper but 14.399999… or 14.400000…1 in floating point.
constexpr double kRelativeTolerance = 1e-9;

bool Reaches(double burn, double threshold) { return burn >= threshold * (1 - kRelativeTolerance); }

// "0.1%", "14.4", "85.3%": short numbers for the one-line summary.
std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

std::string Percent(double fraction) { return Number(fraction * 100) + "%"; }

std::string Range(milliseconds window) { return PromQlRange(window); }

WindowBurn Measure(SliSource& source, milliseconds window, double budget, std::string* error) {
  WindowBurn burn;
  burn.window = window;
  Result<double> ratio = source.ErrorRatio(window);
  if (!ratio.ok() || !std::isfinite(ratio.value()) || ratio.value() < 0 || ratio.value() > 1) {
    if (error->empty()) {
      *error = "error ratio over " + Range(window) + ": " +
               (ratio.ok() ? "the source answered " + Number(ratio.value()) +
                                 ", not a ratio between 0 and 1"
                           : ratio.status().message());
    }
    return burn;
  }
  burn.known = true;
  burn.error_ratio = ratio.value();
  burn.burn_rate = burn.error_ratio / budget;
  return burn;
}

std::string Heading(const SloObjective& objective) {
  return objective.name + " (" + Number(objective.objective) + "% over " + Range(objective.window) +
         ")";
}

// "page: burn rate 15 over 1h and 14.5 over 5m ≥ 14.4; 72.1% of the error budget left".
std::string Summarize(const SloObjective& objective, const SloStatus& status) {
  const std::string heading = Heading(objective) + ": " + std::string(SloStateName(status.state));
  if (status.state == SloState::kUnknown) return heading + ": " + status.error;
  std::string why;
  for (const BurnAlert& alert : status.alerts) {
    if (!alert.firing || alert.severity != SloStateName(status.state)) continue;
    why = "burn rate " + Number(*status.BurnRateOver(alert.long_window)) + " over " +
          Range(alert.long_window) + " and " + Number(*status.BurnRateOver(alert.short_window)) +
          " over " + Range(alert.short_window) + " ≥ " + Number(alert.threshold) + "; ";
    break;
  }
  if (why.empty()) {
    why = "burn rate " + Number(*status.BurnRateOver(hours(1))) + " over 1h; ";
  }
  return heading + ": " + why + Percent(status.budget_remaining) + " of the error budget left";
}

}  // namespace

std::string_view SloStateName(SloState state) {
  switch (state) {
    case SloState::kHealthy:
      return "healthy";
    case SloState::kTicket:
      return "ticket";
    case SloState::kPage:
      return "page";
    case SloState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::span<const milliseconds> BurnWindows() { return kBurnWindows; }

std::vector<BurnAlert> WorkbookAlerts() {
  return {{"page", hours(1), minutes(5), 14.4, false},
          {"page", hours(6), minutes(30), 6, false},
          {"ticket", days(3), hours(6), 1, false}};
}

std::optional<double> SloStatus::BurnRateOver(milliseconds window) const {
  for (const WindowBurn& burn : burns) {
    if (burn.window == window && burn.known) return burn.burn_rate;
  }
  return std::nullopt;
}

Result<double> BurnRate(const SloObjective& objective, SliSource& source, milliseconds window) {
  const double budget = 1 - objective.objective / 100;
  if (!(budget > 0 && budget < 1)) {
    return InvalidArgument("objective " + Number(objective.objective) +
                           "% leaves no error budget; it must be between 0 and 100");
  }
  std::string error;
  WindowBurn burn = Measure(source, window, budget, &error);
  if (!burn.known) return Unavailable(objective.name + ": " + error);
  return burn.burn_rate;
}

SloStatus EvaluateSlo(const SloObjective& objective, SliSource& source) {
  SloStatus status;
  status.name = objective.name;
  status.error_budget = 1 - objective.objective / 100;
  status.alerts = WorkbookAlerts();
  if (!(status.error_budget > 0 && status.error_budget < 1)) {
    status.error = "objective " + Number(objective.objective) +
                   "% leaves no error budget; it must be between 0 and 100";
    status.summary = Heading(objective) + ": unknown: " + status.error;
    return status;
  }
  // Every window is read even after a failure, so the numbers that are known are shown.
  for (milliseconds window : kBurnWindows) {
    status.burns.push_back(Measure(source, window, status.error_budget, &status.error));
  }
  status.slo_window = Measure(source, objective.window, status.error_budget, &status.error);
  status.budget_remaining = 1 - status.slo_window.burn_rate;
  if (!status.error.empty()) {
    status.state = SloState::kUnknown;
    status.summary = Summarize(objective, status);
    return status;
  }
  status.state = SloState::kHealthy;
  for (BurnAlert& alert : status.alerts) {
    alert.firing = Reaches(*status.BurnRateOver(alert.long_window), alert.threshold) &&
                   Reaches(*status.BurnRateOver(alert.short_window), alert.threshold);
    if (!alert.firing) continue;
    if (alert.severity == "page") {
      status.state = SloState::kPage;
    } else if (status.state == SloState::kHealthy) {
      status.state = SloState::kTicket;
    }
  }
  status.summary = Summarize(objective, status);
  return status;
}

}  // namespace slipway::verify
