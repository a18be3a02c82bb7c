// Effect estimates and intervals for the judge (contracts in effect.h).
#include "verify/effect.h"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <vector>

namespace slipway::verify {
namespace {

constexpr size_t kMaxPerSide = 2000;

double NormalQuantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

std::vector<double> Sorted(std::span<const double> sample) {
  std::vector<double> v(sample.begin(), sample.end());
  std::sort(v.begin(), v.end());
  if (v.size() <= kMaxPerSide) return v;
  std::vector<double> thinned(kMaxPerSide);
  for (size_t i = 0; i < kMaxPerSide; ++i) {
    thinned[i] = v[i * (v.size() - 1) / (kMaxPerSide - 1)];
  }
  return thinned;
}

// The k-th smallest (0-based) of `values`, which it reorders.
double KthSmallest(std::vector<double>& values, size_t k) {
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

double Relative(double shift, double base) {
  if (base != 0) return shift / std::abs(base);
  if (shift == 0) return 0;
  return shift > 0 ? std::numeric_limits<double>::infinity()
                   : -std::numeric_limits<double>::infinity();
}

}  // namespace

double Median(std::span<const double> sample) {
  std::vector<double> v(sample.begin(), sample.end());
  const size_t half = v.size() / 2;
  const double upper = KthSmallest(v, half);
  if (v.size() % 2 == 1) return upper;
  return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(half)) + upper) / 2;
}

Effect HodgesLehmannEffect(std::span<const double> baseline, std::span<const double> canary,
                           double confidence) {
  const std::vector<double> b = Sorted(baseline), c = Sorted(canary);
  std::vector<double> differences;
  differences.reserve(b.size() * c.size());
  for (double x : c) {
    for (double y : b) differences.push_back(x - y);
  }
  const size_t n = differences.size();
  const double shift = Median(differences);
  // Bauer's interval: [d_(k), d_(n+1-k)] (1-based) with k = floor(mn/2 - z sqrt(mn(m+n+1)/12)),
  // at least 1 (with very small samples the interval is then the whole range of differences).
  const double m = static_cast<double>(c.size()), nb = static_cast<double>(b.size());
  const double z = NormalQuantile(1 - (1 - confidence) / 2);
  const double k_real = std::floor(m * nb / 2 - z * std::sqrt(m * nb * (m + nb + 1) / 12));
  const size_t k = static_cast<size_t>(std::clamp(k_real, 1.0, static_cast<double>(n)));
  const double low = KthSmallest(differences, k - 1);
  const double high = KthSmallest(differences, n - k);
  const double base = Median(baseline);
  return {Relative(shift, base), Relative(low, base), Relative(high, base)};
}

Effect RateRatioEffect(const Counts& baseline, const Counts& canary, double confidence) {
  const bool zero = baseline.events == 0 || canary.events == 0;
  const double add = zero ? 0.5 : 0.0;
  const double eb = static_cast<double>(baseline.events) + add;
  const double ec = static_cast<double>(canary.events) + add;
  const double nb = static_cast<double>(baseline.total) + 2 * add;
  const double nc = static_cast<double>(canary.total) + 2 * add;
  const double log_ratio = std::log((ec / nc) / (eb / nb));
  const double se = std::sqrt(std::max(0.0, 1 / ec - 1 / nc + 1 / eb - 1 / nb));
  const double z = NormalQuantile(1 - (1 - confidence) / 2);
  // No events on either side: no change, whatever the corrected totals say.
  const double estimate = baseline.events == 0 && canary.events == 0 ? 0 : std::exp(log_ratio) - 1;
  return {estimate, std::exp(log_ratio - z * se) - 1, std::exp(log_ratio + z * se) - 1};
}

}  // namespace slipway::verify
