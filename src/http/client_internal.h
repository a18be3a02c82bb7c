// Beast-free helpers of HttpClient: base URL parsing and turning error answers into Status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace slipway::http::internal {

struct BaseUrl {
  std::string host;  // for the resolver: name or address, IPv6 without brackets
  uint16_t port = 80;
  std::string host_header;  // "host:port" as sent in Host
  std::string origin;       // "http://host:port", for messages
  std::string prefix;       // path prefix without a trailing '/', "" for none
};

// Errors (kInvalidArgument): not an absolute http URL, https (not supported yet), a query
// or fragment.
Result<BaseUrl> ParseBaseUrl(std::string_view url);

// The Status for a non-2xx answer: code from the JSON error body's "code" when it names a
// StatusCode, else from the HTTP status; message "<what>: HTTP <status>: <message>".
Status ErrorFromResponse(std::string_view what, int http_status, std::string_view body);

}  // namespace slipway::http::internal
