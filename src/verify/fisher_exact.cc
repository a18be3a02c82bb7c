// Fisher's exact test on a 2x2 table, computed as scipy.stats.fisher_exact (1.10) computes it.
//
// Table [[a, b], [c, d]]. Given the margins, a follows the hypergeometric distribution: a
// population of a+b+c+d holding a+b "first row" items, a+c drawn. "less" is P(X <= a),
// "greater" P(X >= a), two-sided the total probability of the tables no more likely than the
// observed one (with scipy's relative tolerance of 1e-14 so that tables equally likely in
// exact arithmetic count as such). A row or column that sums to zero gives p = 1.
#include <algorithm>
#include <boost/math/distributions/hypergeometric.hpp>
#include <cmath>
#include <limits>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

using Hypergeometric = boost::math::hypergeometric_distribution<double>;

constexpr double kRelativeTolerance = 1e-14;

// The two-sided p-value: the near tail (every table on a's side of the mode is less likely
// than a) plus the far tail's tables less likely than a, found by bisection on the far side,
// where the probabilities fall monotonically away from the mode.
double TwoSided(const Hypergeometric& h, uint64_t a, uint64_t low, uint64_t high) {
  const uint64_t mode = static_cast<uint64_t>(std::floor(static_cast<double>(h.sample_count() + 1) *
                                                         static_cast<double>(h.defective() + 1) /
                                                         static_cast<double>(h.total() + 2)));
  const double p_observed = boost::math::pdf(h, static_cast<double>(a));
  const double p_mode = boost::math::pdf(h, static_cast<double>(mode));
  if (std::abs(p_observed - p_mode) / std::max(p_observed, p_mode) <= kRelativeTolerance) {
    return 1;
  }
  const double limit = p_observed * (1 + kRelativeTolerance);
  const auto pdf = [&](uint64_t x) { return boost::math::pdf(h, static_cast<double>(x)); };
  if (a < mode) {
    const double near = boost::math::cdf(h, static_cast<double>(a));
    if (pdf(high) > limit) return near;
    // Smallest x in (mode, high] with pdf(x) < limit.
    uint64_t lo = mode, hi = high;  // pdf(lo) >= limit, pdf(hi) < limit
    while (hi - lo > 1) {
      const uint64_t mid = lo + (hi - lo) / 2;
      (pdf(mid) < limit ? hi : lo) = mid;
    }
    return near + boost::math::cdf(boost::math::complement(h, static_cast<double>(hi - 1)));
  }
  const double near = boost::math::cdf(boost::math::complement(h, static_cast<double>(a - 1)));
  if (pdf(low) > limit) return near;
  // Largest x in [low, mode) with pdf(x) < limit.
  uint64_t lo = low, hi = mode;  // pdf(lo) < limit, pdf(hi) >= limit
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    (pdf(mid) < limit ? lo : hi) = mid;
  }
  return near + boost::math::cdf(h, static_cast<double>(lo));
}

}  // namespace

Result<CountTestResult> FisherExact(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                                    Alternative alternative) {
  constexpr uint64_t kMax = std::numeric_limits<unsigned>::max() / 2;
  if (a + b + c + d > kMax) return InvalidArgument("fisher exact: counts too large");
  CountTestResult result;
  if (a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0) {
    result.odds_ratio = std::numeric_limits<double>::quiet_NaN();
    result.p_value = 1;
    return result;
  }
  result.odds_ratio = (b > 0 && c > 0) ? static_cast<double>(a) * static_cast<double>(d) /
                                             (static_cast<double>(b) * static_cast<double>(c))
                                       : std::numeric_limits<double>::infinity();
  const Hypergeometric h(static_cast<unsigned>(a + b), static_cast<unsigned>(a + c),
                         static_cast<unsigned>(a + b + c + d));
  const uint64_t low = (a + c > c + d) ? a + c - (c + d) : 0;  // support of a
  const uint64_t high = std::min(a + b, a + c);
  double p = 1;
  try {
    switch (alternative) {
      case Alternative::kLess:
        p = boost::math::cdf(h, static_cast<double>(a));
        break;
      case Alternative::kGreater:
        p = a <= low ? 1.0
                     : boost::math::cdf(boost::math::complement(h, static_cast<double>(a - 1)));
        break;
      case Alternative::kTwoSided:
        p = TwoSided(h, a, low, high);
        break;
    }
  } catch (const std::exception& e) {  // Boost.Math reports domain and overflow errors so
    return Internal(std::string("fisher exact: ") + e.what());
  }
  result.p_value = std::clamp(p, 0.0, 1.0);
  return result;
}

}  // namespace slipway::verify
