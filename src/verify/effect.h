// Effect estimates with confidence intervals: how much worse the canary is, not only whether.
// Internal to verify/.
#pragma once

#include <span>

#include "verify/verify.h"

namespace slipway::verify {

struct Effect {
  double estimate = 0;  // relative change, canary against baseline (0.3 = +30%)
  double low = 0, high = 0;
};

double Median(std::span<const double> sample);  // of a non-empty sample

// Hodges–Lehmann: the median of all differences canary_i - baseline_j (the shift the
// Mann–Whitney test is about) with its distribution-free two-sided interval at `confidence`
// (Bauer 1972: order statistics k and mn+1-k of the differences, k from the normal
// approximation of U), each divided by |baseline median| to make it relative. A baseline
// median of 0 makes any non-zero shift infinite. Samples with more than 2000 values are first
// thinned to 2000 evenly spaced order statistics (the pairwise differences would otherwise need
// n1*n2 memory): the estimate moves little, and the interval is that of 2000 values a side,
// wider than the full data's (conservative).
Effect HodgesLehmannEffect(std::span<const double> baseline, std::span<const double> canary,
                           double confidence);

// The rate ratio minus one, canary rate over baseline rate, with the Katz log interval at
// `confidence`. When an event count is 0, every cell gets 0.5 (Haldane) so the estimate and
// its interval stay finite. Both totals must be > 0.
Effect RateRatioEffect(const Counts& baseline, const Counts& canary, double confidence);

}  // namespace slipway::verify
