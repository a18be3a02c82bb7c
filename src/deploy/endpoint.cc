#include <charconv>

#include "deploy/deploy.h"

namespace slipway::deploy {

std::string Endpoint::ToString() const { return host + ":" + std::to_string(port); }

Result<Endpoint> ParseEndpoint(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgument("endpoint '" + std::string(text) + "' is not HOST:PORT");
  }
  int port = 0;
  const std::string_view digits = text.substr(colon + 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (error != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535) {
    return InvalidArgument("endpoint '" + std::string(text) + "' has no port in 1-65535");
  }
  return Endpoint{std::string(text.substr(0, colon)), static_cast<uint16_t>(port)};
}

}  // namespace slipway::deploy
