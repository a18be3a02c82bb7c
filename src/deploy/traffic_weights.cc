#include "deploy/traffic_weights.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace slipway::deploy {

Status CheckWeights(const std::vector<Backend>& backends) {
  std::set<std::string> names;
  int total_weight = 0;
  for (const Backend& backend : backends) {
    const bool blank = backend.revision.find_first_of(" \t\r\n#;{}") != std::string::npos;
    if (backend.revision.empty() || blank) {
      return InvalidArgument("revision name '" + backend.revision +
                             "' is empty or holds whitespace or one of #;{}");
    }
    if (!names.insert(backend.revision).second) {
      return InvalidArgument("revision " + backend.revision + " is listed twice");
    }
    if (backend.weight < 0 || backend.weight > 100) {
      return InvalidArgument("revision " + backend.revision + ": weight " +
                             std::to_string(backend.weight) + " is not in 0-100");
    }
    if (backend.weight > 0 && backend.endpoints.empty()) {
      return InvalidArgument("revision " + backend.revision + " has weight " +
                             std::to_string(backend.weight) + " but no endpoints");
    }
    total_weight += backend.weight;
  }
  if (!backends.empty() && total_weight != 100) {
    return InvalidArgument("the weights sum to " + std::to_string(total_weight) + ", not 100");
  }
  return Status::Ok();
}

std::vector<int> ServerWeights(const std::vector<double>& shares) {
  const double largest = shares.empty() ? 0 : *std::max_element(shares.begin(), shares.end());
  std::vector<int> weights;
  weights.reserve(shares.size());
  for (const double share : shares) {
    if (share <= 0 || largest <= 0) {
      weights.push_back(0);
      continue;
    }
    const int weight = static_cast<int>(std::lround(share / largest * kMaxServerWeight));
    weights.push_back(std::clamp(weight, 1, kMaxServerWeight));
  }
  return weights;
}

std::vector<int> Percentages(const std::vector<double>& amounts) {
  const double total = std::accumulate(amounts.begin(), amounts.end(), 0.0);
  std::vector<int> percents(amounts.size(), 0);
  if (total <= 0) return percents;
  std::vector<double> remainders(amounts.size());
  int assigned = 0;
  for (size_t i = 0; i < amounts.size(); ++i) {
    const double exact = amounts[i] / total * 100;
    percents[i] = static_cast<int>(std::floor(exact));
    remainders[i] = exact - percents[i];
    assigned += percents[i];
  }
  std::vector<size_t> order(amounts.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t i = 0; assigned < 100 && i < order.size(); ++i, ++assigned) ++percents[order[i]];
  return percents;
}

}  // namespace slipway::deploy
