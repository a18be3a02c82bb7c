// The exact null distribution of the Mann–Whitney U statistic (no ties).
//
// Under the null hypothesis every assignment of the m+n ranks to the two samples is equally
// likely, and the number of assignments giving U = k is the coefficient of q^k in the Gaussian
// binomial coefficient [m+n choose m]_q = prod_{i=1..a} (1 - q^(b+i)) / (1 - q^i), with
// a = min(m, n), b = max(m, n) (Andrews, "The Theory of Partitions", 3.3; the same counting
// recursion f(m,n,k) = f(m-1,n,k-n) + f(m,n-1,k) of Mann and Whitney 1947).
//
// The product is built one factor at a time: multiplying by (1 - q^(b+i)) subtracts a
// shifted copy, dividing by (1 - q^i) is a running sum with stride i. After each factor the
// polynomial is scaled by i/(b+i), its value at q = 1, so it stays a probability distribution:
// no overflow however large binom(m+n, m) gets, and an absolute error of a few ulps per
// coefficient per factor. Cost O(a * a * b) time, O(a * b) memory.
#include "verify/exact_u.h"

#include <algorithm>
#include <vector>

namespace slipway::verify {
namespace {

std::vector<double> NullDistribution(int m, int n) {
  const int a = std::min(m, n), b = std::max(m, n);
  const size_t degree = static_cast<size_t>(a) * static_cast<size_t>(b);
  std::vector<double> pmf(degree + 1, 0.0);
  pmf[0] = 1;
  for (int i = 1; i <= a; ++i) {
    const size_t top = static_cast<size_t>(i) * static_cast<size_t>(b);  // degree after step i
    const size_t shift = static_cast<size_t>(b) + static_cast<size_t>(i);
    // Times (1 - q^(b+i)): terms past `top` cancel exactly in the division below, so only the
    // coefficients up to `top` are kept.
    for (size_t k = top; k >= shift; --k) pmf[k] -= pmf[k - shift];
    // Divided by (1 - q^i).
    for (size_t k = static_cast<size_t>(i); k <= top; ++k) pmf[k] += pmf[k - i];
    const double scale = static_cast<double>(i) / static_cast<double>(b + i);
    for (size_t k = 0; k <= top; ++k) pmf[k] *= scale;
  }
  return pmf;
}

}  // namespace

double ExactUpperTail(int u, int m, int n) {
  const int top = m * n;
  if (u <= 0) return 1;
  if (u > top) return 0;
  const std::vector<double> pmf = NullDistribution(m, n);
  // The distribution is symmetric about m*n/2: P(U >= u) = P(U <= m*n - u), summed from the
  // small end so a small tail is not the difference of two numbers near 1.
  double tail = 0;
  for (int k = 0; k <= top - u; ++k) tail += pmf[static_cast<size_t>(k)];
  return tail;
}

}  // namespace slipway::verify
