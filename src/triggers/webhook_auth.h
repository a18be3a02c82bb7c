// Webhook authenticity checks: HMAC-SHA256 signatures (GitHub, Gitea) and shared tokens
// (GitLab), compared in constant time so that response timing reveals nothing about how much
// of a forged value was right.
#pragma once

#include <string>
#include <string_view>

#include "triggers/triggers.h"
#include "util/status.h"

namespace slipway::triggers::internal {

// Lower-case hex HMAC-SHA256 of `data` under `key` (RFC 2104).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Whether `a` and `b` hold the same bytes, in time that depends only on their lengths (never
// on their contents or the position of the first difference).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Whether `given` equals `secret`, in time independent of both contents and of how long
// `secret` is: both are hashed first, and the digests compared in constant time.
bool TokenMatches(std::string_view given, std::string_view secret);

// Whether `hex` (either case) spells the HMAC-SHA256 of `body` under `secret`, compared in
// constant time; false for anything that is not 64 hex digits.
bool HmacHexMatches(std::string_view hex, std::string_view secret, std::string_view body);

// Step 2 of ParseWebhook: OK, or kPermissionDenied saying which header is missing or wrong.
Status Authenticate(Provider provider, const HeaderLookup& headers, std::string_view body,
                    std::string_view secret);

}  // namespace slipway::triggers::internal
