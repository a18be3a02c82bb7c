// Message heads as they go on the wire. The proxy writes a head and its body with one gather
// write (writev) instead of Beast's serializer: bodies are buffered whole, so a message is
// always "head, then exactly body().size() bytes" (or no body: HEAD, 204, 304).
#pragma once

#include <string>

#include "proxy/asio.h"

namespace slipway::proxy::internal {

// Replaces `out` with the request line and fields, ending in the blank line.
void RenderHead(const Request& request, std::string& out);

// Replaces `out` with the status line and fields, ending in the blank line, plus
// `Connection: close` (HTTP/1.1) or `Connection: keep-alive` (HTTP/1.0) as `keep_alive` says
// (the fields must hold no Connection field of their own: hop-by-hop fields are stripped).
void RenderHead(const Response& response, bool keep_alive, std::string& out);

}  // namespace slipway::proxy::internal
