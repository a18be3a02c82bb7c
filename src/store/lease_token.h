// Lease tokens: the secret an agent shows to renew or finish the attempt it leased.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace slipway::store {

// 32 random bytes from the kernel (getrandom), as 64 hex characters.
Result<std::string> NewLeaseToken();

// Compares in time independent of where the strings differ, so timing does not reveal a
// token's prefix.
bool TokensEqual(std::string_view a, std::string_view b);

}  // namespace slipway::store
