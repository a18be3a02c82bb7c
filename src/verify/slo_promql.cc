// An SLI read from Prometheus: good and total events over a window, each from an instant PromQL
// query whose template says where the window goes (`[${{ window }}]`). The query itself is run
// by the caller's function, so this file knows nothing of HTTP or of the Prometheus provider.
#include <cmath>
#include <utility>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

using std::chrono::milliseconds;

Result<expr::Template> ParseSliTemplate(const std::string& text, std::string_view which) {
  auto parsed = expr::Template::Parse(text);
  if (auto* error = std::get_if<expr::Error>(&parsed)) {
    return InvalidArgument("the SLI's " + std::string(which) + " query at column " +
                           std::to_string(error->column) + ": " + error->message);
  }
  return std::get<expr::Template>(std::move(parsed));
}

class PromQlSliSource : public SliSource {
 public:
  PromQlSliSource(expr::Template good, expr::Template total, PromQlQuery query)
      : good_(std::move(good)), total_(std::move(total)), query_(std::move(query)) {}

  Result<double> ErrorRatio(milliseconds window) override {
    expr::Activation activation;
    activation.variables["window"] = PromQlRange(window);
    Result<double> good = Count(good_, "good", activation);
    if (!good.ok()) return good.status();
    Result<double> total = Count(total_, "total", activation);
    if (!total.ok()) return total.status();
    if (total.value() == 0) return 0.0;
    const double ratio = 1 - good.value() / total.value();
    return ratio < 0 ? 0.0 : ratio;
  }

 private:
  // One query's answer: a finite count of events, never negative.
  Result<double> Count(const expr::Template& query, std::string_view which,
                       const expr::Activation& activation) const {
    auto promql = query.Render(activation);
    if (auto* error = std::get_if<expr::Error>(&promql)) {
      return InvalidArgument("the SLI's " + std::string(which) + " query: " + error->message);
    }
    const std::string& text = std::get<std::string>(promql);
    Result<double> value = query_(text);
    if (!value.ok()) return value.status().WithContext("SLI " + std::string(which) + " query");
    if (!std::isfinite(value.value()) || value.value() < 0) {
      return Unavailable("SLI " + std::string(which) + " query `" + text + "` answered " +
                         std::to_string(value.value()) + ", not a count of events");
    }
    return value.value();
  }

  const expr::Template good_, total_;
  const PromQlQuery query_;
};

// One query answering the fraction of good events.
class PromQlFractionSliSource : public SliSource {
 public:
  PromQlFractionSliSource(expr::Template fraction, PromQlQuery query)
      : fraction_(std::move(fraction)), query_(std::move(query)) {}

  Result<double> ErrorRatio(milliseconds window) override {
    expr::Activation activation;
    activation.variables["window"] = PromQlRange(window);
    auto promql = fraction_.Render(activation);
    if (auto* error = std::get_if<expr::Error>(&promql)) {
      return InvalidArgument("the SLI's latency query: " + error->message);
    }
    const std::string& text = std::get<std::string>(promql);
    Result<double> fraction = query_(text);
    if (!fraction.ok()) return fraction.status().WithContext("SLI latency query");
    if (std::isnan(fraction.value())) return 0.0;
    if (fraction.value() < 0 || fraction.value() > 1) {
      return Unavailable("SLI latency query `" + text + "` answered " +
                         std::to_string(fraction.value()) + ", not a fraction between 0 and 1");
    }
    return 1 - fraction.value();
  }

 private:
  const expr::Template fraction_;
  const PromQlQuery query_;
};

}  // namespace

std::string PromQlRange(milliseconds window) {
  struct Unit {
    int64_t ms;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}};
  const int64_t ms = window.count();
  for (const Unit& unit : kUnits) {
    if (ms > 0 && ms % unit.ms == 0) return std::to_string(ms / unit.ms) + unit.suffix;
  }
  return std::to_string(ms) + "ms";
}

Result<std::unique_ptr<SliSource>> MakePromQlSliSource(const std::string& good_template,
                                                       const std::string& total_template,
                                                       PromQlQuery query) {
  if (!query) return InvalidArgument("no PromQL query function for the SLI");
  Result<expr::Template> good = ParseSliTemplate(good_template, "good");
  if (!good.ok()) return good.status();
  Result<expr::Template> total = ParseSliTemplate(total_template, "total");
  if (!total.ok()) return total.status();
  return std::unique_ptr<SliSource>(std::make_unique<PromQlSliSource>(
      std::move(good).value(), std::move(total).value(), std::move(query)));
}

Result<std::unique_ptr<SliSource>> MakePromQlFractionSliSource(const std::string& fraction_template,
                                                               PromQlQuery query) {
  if (!query) return InvalidArgument("no PromQL query function for the SLI");
  Result<expr::Template> fraction = ParseSliTemplate(fraction_template, "latency");
  if (!fraction.ok()) return fraction.status();
  return std::unique_ptr<SliSource>(
      std::make_unique<PromQlFractionSliSource>(std::move(fraction).value(), std::move(query)));
}

}  // namespace slipway::verify
