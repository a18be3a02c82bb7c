// The exact null distribution of the Mann–Whitney U statistic. Internal to verify/.
#pragma once

namespace slipway::verify {

// P(U >= u) for samples of sizes m and n without ties, u an integer (1 below 0, 0 above m*n).
double ExactUpperTail(int u, int m, int n);

}  // namespace slipway::verify
