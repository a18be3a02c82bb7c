// Mid-ranks of a pooled sample and the tie term the rank tests' variance needs. Internal to
// verify/.
#pragma once

#include <span>
#include <vector>

namespace slipway::verify {

struct PooledRanks {
  std::vector<double> ranks;  // 1-based mid-ranks, in the input order (x first, then y)
  double tie_term = 0;        // sum over groups of equal values of t^3 - t (0: no ties)
};

// Ranks x followed by y together; equal values share the mean of the ranks they span.
PooledRanks RankPooled(std::span<const double> x, std::span<const double> y);

}  // namespace slipway::verify
