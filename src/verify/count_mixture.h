// An always-valid sequential test for count metrics (errors out of requests). Internal to
// verify/.
#pragma once

#include <vector>

#include "verify/verify.h"

namespace slipway::verify {

// A mixture likelihood ratio M_t for "the canary's odds of an event are higher (or lower) than
// the baseline's", over looks at cumulative counts, that is a nonnegative martingale with
// M_0 = 1 when both revisions share one event probability — whatever that probability is,
// however it drifts between looks, however traffic is split. By Ville's inequality
// P(M_t >= 1/a at any look) <= a, so 1/max M is an always-valid p-value.
//
// Each look's increment (the events and totals since the previous look) is scored
// conditionally on its margins: given them, the canary's new events follow Fisher's
// noncentral hypergeometric distribution with odds ratio psi, central under the null
// hypothesis, so the increment's likelihood ratio psi^x / E_1[psi^X] has mean 1 under it
// (exactly: no normal or Poisson approximation). M_t = sum_j w_j prod_looks LR(psi_j), a
// fixed grid of psi beyond 1 + allowed change in the bad direction with equal weights.
class CountMixture {
 public:
  CountMixture(Direction bad, double allowed_change);

  // Adds a look at cumulative counts. False (and the look is ignored) when a count went down.
  bool Add(const Counts& baseline, const Counts& canary);

  double value() const;                        // M_t
  double p_value() const { return p_value_; }  // min(1, 1 / max over looks of M_t)

 private:
  std::vector<double> psi_, log_ratio_;  // per grid point: psi and log prod LR
  Counts baseline_, canary_;             // at the previous look
  double p_value_ = 1;
};

}  // namespace slipway::verify
