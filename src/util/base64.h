// Base64 (RFC 4648, standard alphabet, with '=' padding) for carrying arbitrary bytes where
// only text fits, e.g. a log chunk with carriage returns in a Server-Sent Event.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slipway {

std::string Base64Encode(std::string_view bytes);

// The bytes `text` encodes; nullopt when it is not canonical padded base64 (wrong length,
// a character outside the alphabet, padding in the middle, non-zero bits in the last
// character before the padding).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace slipway
