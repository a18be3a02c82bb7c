// Numbers out of JSON answers (exec output) for analysis measurements.
#include <cmath>
#include <nlohmann/json.hpp>

#include "verify/provider_internal.h"

namespace slipway::verify::internal {

std::optional<std::vector<double>> FiniteNumbers(const nlohmann::json& json) {
  if (!json.is_array()) return std::nullopt;
  std::vector<double> numbers;
  numbers.reserve(json.size());
  for (const auto& element : json) {
    if (!element.is_number()) return std::nullopt;
    const double number = element.get<double>();
    if (!std::isfinite(number)) return std::nullopt;
    numbers.push_back(number);
  }
  return numbers;
}

}  // namespace slipway::verify::internal
