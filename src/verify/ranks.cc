// Mid-ranks: the ranking scipy.stats.rankdata(method="average") produces, which the
// Mann–Whitney statistic and its tie-corrected variance are defined on.
#include "verify/ranks.h"

#include <algorithm>
#include <numeric>

namespace slipway::verify {

PooledRanks RankPooled(std::span<const double> x, std::span<const double> y) {
  std::vector<double> values(x.begin(), x.end());
  values.insert(values.end(), y.begin(), y.end());
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });

  PooledRanks result;
  result.ranks.resize(values.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Positions start..end-1 (0-based) hold one value: ranks start+1..end, mean (start+1+end)/2.
    const double mid_rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2;
    for (size_t i = start; i < end; ++i) result.ranks[order[i]] = mid_rank;
    const double t = static_cast<double>(end - start);
    result.tie_term += t * t * t - t;
    start = end;
  }
  return result;
}

}  // namespace slipway::verify
