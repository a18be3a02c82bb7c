// The mixture martingale for count metrics (contract and reasoning in count_mixture.h;
// docs/analysis.md, "Sequential analysis").
#include "verify/count_mixture.h"

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <limits>

namespace slipway::verify {
namespace {

double LogChoose(double n, double k) {
  return boost::math::lgamma(n + 1) - boost::math::lgamma(k + 1) - boost::math::lgamma(n - k + 1);
}

// log P(X = x) over X's support [low, low + size): X the canary's share of k events under
// the central hypergeometric (canary total nc, baseline total nb).
std::vector<double> LogHypergeometric(double nc, double nb, double k, double low, double high) {
  const double log_all = LogChoose(nc + nb, k);
  std::vector<double> terms;
  for (double x = low; x <= high; ++x) {
    terms.push_back(LogChoose(nc, x) + LogChoose(nb, k - x) - log_all);
  }
  return terms;
}

// log E_1[psi^X] as a log-sum-exp over the support.
double LogMeanPower(const std::vector<double>& log_pmf, double low, double log_psi) {
  double peak = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < log_pmf.size(); ++i) {
    peak = std::max(peak, log_pmf[i] + (low + double(i)) * log_psi);
  }
  double sum = 0;
  for (size_t i = 0; i < log_pmf.size(); ++i) {
    sum += std::exp(log_pmf[i] + (low + double(i)) * log_psi - peak);
  }
  return peak + std::log(sum);
}

}  // namespace

CountMixture::CountMixture(Direction bad, double allowed_change) {
  // Odds ratios from 1.5x to about 25x beyond the tolerated change; a change the template
  // tolerates is not what the test should spend its power on.
  for (int j = 1; j <= 8; ++j) {
    const double psi = (1 + allowed_change) * std::pow(1.5, j);
    if (bad != Direction::kDecrease) psi_.push_back(psi);
    if (bad != Direction::kIncrease) psi_.push_back(1 / psi);
  }
  log_ratio_.assign(psi_.size(), 0.0);
}

bool CountMixture::Add(const Counts& baseline, const Counts& canary) {
  if (baseline.events < baseline_.events || baseline.total < baseline_.total ||
      canary.events < canary_.events || canary.total < canary_.total ||
      baseline.events > baseline.total || canary.events > canary.total) {
    return false;
  }
  const double x = double(canary.events - canary_.events);
  const double k = x + double(baseline.events - baseline_.events);
  const double nc = double(canary.total - canary_.total);
  const double nb = double(baseline.total - baseline_.total);
  // Events beyond the new requests (counts sampled at slightly different moments) make the
  // increment's table impossible under any model: it is scored as no evidence (LR 1).
  if (k > 0 && x <= nc && k - x <= nb) {
    const double low = std::max(0.0, k - nb), high = std::min(k, nc);
    const std::vector<double> log_pmf = LogHypergeometric(nc, nb, k, low, high);
    for (size_t j = 0; j < psi_.size(); ++j) {
      const double log_psi = std::log(psi_[j]);
      log_ratio_[j] += x * log_psi - LogMeanPower(log_pmf, low, log_psi);
    }
  }
  baseline_ = baseline, canary_ = canary;
  p_value_ = std::min(p_value_, std::min(1.0, 1 / value()));
  return true;
}

double CountMixture::value() const {
  double sum = 0;
  for (double l : log_ratio_) sum += std::exp(l);
  return sum / static_cast<double>(log_ratio_.size());
}

}  // namespace slipway::verify
