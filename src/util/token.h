// API token secrets: how they are made and how they are stored.
#pragma once

#include <string>
#include <string_view>

namespace slipway {

// "slw_" + 43 characters of base64url over 32 random bytes (OpenSSL's RAND_bytes).
std::string NewTokenSecret();

// What the store keeps instead of the secret: the SHA-256 hex digest of it.
std::string TokenHash(std::string_view secret);

}  // namespace slipway
