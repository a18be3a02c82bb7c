// Digest::Parse: the one digest form the registry stores.
#include <algorithm>

#include "registry/registry.h"

namespace slipway::registry {

Result<Digest> Digest::Parse(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("digest '" + std::string(text) + "' has no algorithm ('sha256:…')");
  }
  const std::string_view algorithm = text.substr(0, colon);
  const std::string_view hex = text.substr(colon + 1);
  if (algorithm != "sha256") {
    return InvalidArgument("unsupported digest algorithm '" + std::string(algorithm) +
                           "' (only sha256 is stored)");
  }
  const bool lower_hex = std::all_of(hex.begin(), hex.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (hex.size() != 64 || !lower_hex) {
    return InvalidArgument("digest '" + std::string(text) +
                           "' must have 64 lower-case hex digits after 'sha256:'");
  }
  return Digest{std::string(hex)};
}

}  // namespace slipway::registry
