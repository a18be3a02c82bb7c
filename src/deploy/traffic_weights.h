// Converting between revision percentages and per-server weights (haproxy's 0–256, also used
// for nginx). Internal to deploy. Pure functions.
#pragma once

#include <vector>

#include "deploy/deploy.h"
#include "util/status.h"

namespace slipway::deploy {

// InvalidArgument unless: revision names are unique, non-empty and without whitespace, weights
// are 0–100 and sum to 100 (or there are no backends at all), and every revision with a weight
// above 0 has endpoints. What every router checks before it changes anything.
Status CheckWeights(const std::vector<Backend>& backends);

// haproxy's largest per-server weight.
inline constexpr int kMaxServerWeight = 256;

// Per-server weights for servers whose shares of traffic are `shares` (any non-negative unit,
// e.g. a revision's percent divided by its endpoint count). The largest share gets 256 and the
// others proportionally, rounded; a non-zero share never rounds to 0. The resolution is thus
// 1/256 of the largest share: a tiny share next to a large one is over-weighted.
std::vector<int> ServerWeights(const std::vector<double>& shares);

// Whole percentages of `amounts` that sum to exactly 100 (largest remainder); all zeros when
// the amounts sum to zero.
std::vector<int> Percentages(const std::vector<double>& amounts);

}  // namespace slipway::deploy
