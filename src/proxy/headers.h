// Header rewriting between client and upstream (RFC 9110 §7.6.1 hop-by-hop fields).
#pragma once

#include <string_view>

#include "proxy/asio.h"

namespace slipway::proxy::internal {

// Removes Connection, the fields it names, and the other hop-by-hop fields.
template <bool isRequest>
void StripHopByHop(bhttp::message<isRequest, bhttp::string_body>& message);

// Appends `client` to X-Forwarded-For (creating it when absent).
void AddForwardedFor(Request& request, std::string_view client);

// The value of cookie `name` in the request's Cookie fields, or empty.
std::string_view CookieValue(const Request& request, std::string_view name);

// True when the request asks for `Expect: 100-continue`.
bool ExpectsContinue(const Request& request);

}  // namespace slipway::proxy::internal
