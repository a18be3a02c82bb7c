// The Mann–Whitney U test, computed the way scipy.stats.mannwhitneyu (1.10) computes it, so
// a verdict can be checked against the reference everyone uses.
//
// U1 = R1 - n1(n1+1)/2 with R1 the sum of x's mid-ranks in the pooled sample. The p-value is
// the upper tail P(U >= u) of the statistic pointing the way the alternative looks:
// "greater" uses U1, "less" uses U2 = n1*n2 - U1, two-sided uses max(U1, U2) and doubles the
// tail; the result is clipped to [0, 1] (the doubled tail exceeds 1 when U1 = U2).
//
// kAuto follows scipy 1.10's code (its docstring says "less than 8", its code differs): the
// normal approximation when both samples have more than 8 values, otherwise the exact
// distribution unless the pooled data hold a tie.
//
// The approximation: z = (u - n1*n2/2 - c) / s with c = 0.5 when `continuity` (always
// subtracted, since u is the upper-tail statistic) and
// s^2 = n1*n2/12 * ((n+1) - T/(n(n-1))), T the tie term sum(t^3 - t). When every value is tied
// s = 0; scipy then gives 1 with continuity and NaN without; here both give 1 (no evidence).
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "verify/exact_u.h"
#include "verify/ranks.h"
#include "verify/verify.h"

namespace slipway::verify {
namespace {

constexpr double kMaxExactCells = 1e7;

Status CheckSample(std::span<const double> sample, const char* name) {
  if (sample.empty())
    return InvalidArgument(std::string("mann-whitney: sample ") + name + " is empty");
  for (double v : sample) {
    if (!std::isfinite(v)) {
      return InvalidArgument(std::string("mann-whitney: sample ") + name +
                             " holds a value that is not a finite number");
    }
  }
  return Status();
}

double NormalUpperTail(double z) {
  if (std::isnan(z)) return 1;
  if (std::isinf(z)) return z > 0 ? 0 : 1;
  return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), z));
}

}  // namespace

Result<RankTestResult> MannWhitneyU(std::span<const double> x, std::span<const double> y,
                                    Alternative alternative, RankMethod method, bool continuity) {
  SLIPWAY_RETURN_IF_ERROR(CheckSample(x, "x"));
  SLIPWAY_RETURN_IF_ERROR(CheckSample(y, "y"));
  const PooledRanks pooled = RankPooled(x, y);
  const double n1 = static_cast<double>(x.size()), n2 = static_cast<double>(y.size());
  const bool ties = pooled.tie_term > 0;
  if (method == RankMethod::kExact && ties) {
    return InvalidArgument("mann-whitney: the exact method is not defined for tied values");
  }
  // The exact distribution needs n1*n2 doubles: past kMaxExactCells it is refused when asked
  // for and replaced by the approximation under kAuto (a deliberate difference from scipy,
  // reached only with one sample of at most 8 values and the other of over a million).
  const bool exact_fits = n1 * n2 <= kMaxExactCells;
  if (method == RankMethod::kExact && !exact_fits) {
    return InvalidArgument("mann-whitney: samples too large for the exact method");
  }
  if (method == RankMethod::kAuto) {
    const bool both_large = x.size() > 8 && y.size() > 8;
    method = (both_large || ties || !exact_fits) ? RankMethod::kAsymptotic : RankMethod::kExact;
  }

  double r1 = 0;
  for (size_t i = 0; i < x.size(); ++i) r1 += pooled.ranks[i];
  const double u1 = r1 - n1 * (n1 + 1) / 2;
  const double u2 = n1 * n2 - u1;
  double u = u1, factor = 1;
  if (alternative == Alternative::kLess) u = u2;
  if (alternative == Alternative::kTwoSided) u = std::max(u1, u2), factor = 2;

  RankTestResult result;
  result.u = u1;
  double p = 0;
  if (method == RankMethod::kExact) {
    result.exact = true;
    p = ExactUpperTail(static_cast<int>(std::lround(u)), static_cast<int>(x.size()),
                       static_cast<int>(y.size()));
  } else {
    const double n = n1 + n2;
    const double variance = n1 * n2 / 12 * ((n + 1) - pooled.tie_term / (n * (n - 1)));
    const double numerator = u - n1 * n2 / 2 - (continuity ? 0.5 : 0.0);
    const double s = std::sqrt(std::max(variance, 0.0));
    p = s > 0 ? NormalUpperTail(numerator / s) : 1.0;
  }
  result.p_value = std::clamp(p * factor, 0.0, 1.0);
  return result;
}

}  // namespace slipway::verify
