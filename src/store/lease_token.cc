#include "store/lease_token.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <span>

#include "util/sha256.h"

namespace slipway::store {

Result<std::string> NewLeaseToken() {
  uint8_t bytes[32];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    ssize_t n = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("getrandom", errno);
    }
    filled += static_cast<size_t>(n);
  }
  return HexEncode(std::span<const uint8_t>(bytes));
}

bool TokensEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace slipway::store
