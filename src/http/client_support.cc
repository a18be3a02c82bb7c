// HttpClient helpers that need neither Beast nor a socket.
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <nlohmann/json.hpp>

#include "http/client_internal.h"
#include "http/http.h"

namespace slipway::http::internal {
namespace {

StatusCode CodeForHttpStatus(int status) {
  switch (status) {
    case 401:
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
    case 410:
      return StatusCode::kNotFound;
    case 409:
      return StatusCode::kAlreadyExists;
    case 412:
      return StatusCode::kFailedPrecondition;
    case 413:
    case 429:
    case 431:
      return StatusCode::kResourceExhausted;
    case 408:
    case 504:
      return StatusCode::kDeadlineExceeded;
    case 499:
      return StatusCode::kCancelled;
    case 502:
    case 503:
      return StatusCode::kUnavailable;
    default:
      return status < 500 ? StatusCode::kInvalidArgument : StatusCode::kInternal;
  }
}

}  // namespace

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  auto u = boost::urls::parse_uri(url);
  if (!u) return InvalidArgument("bad server URL \"" + std::string(url) + "\"");
  if (u->scheme_id() == boost::urls::scheme::https) {
    return InvalidArgument("https is not supported yet: " + std::string(url));
  }
  if (u->scheme_id() != boost::urls::scheme::http || !u->has_authority() ||
      u->encoded_host().empty()) {
    return InvalidArgument("server URL must be http://HOST[:PORT][/PREFIX]: " + std::string(url));
  }
  if (u->has_query() || u->has_fragment() || u->has_userinfo()) {
    return InvalidArgument("server URL must not have a query, fragment or user: " +
                           std::string(url));
  }
  BaseUrl base;
  base.host = u->host_address();  // IPv6 without brackets, names decoded
  if (u->has_port()) {
    if (u->port_number() == 0)
      return InvalidArgument("bad port in server URL: " + std::string(url));
    base.port = u->port_number();
  }
  base.host_header = std::string(u->encoded_host_and_port());
  base.origin = "http://" + std::string(u->encoded_host()) + ":" + std::to_string(base.port);
  base.prefix = std::string(u->encoded_path());
  while (!base.prefix.empty() && base.prefix.back() == '/') base.prefix.pop_back();
  return base;
}

Status ErrorFromResponse(std::string_view what, int http_status, std::string_view body) {
  StatusCode code = CodeForHttpStatus(http_status);
  std::string message;
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    const auto& error = json["error"];
    if (error.contains("code") && error["code"].is_string()) {
      if (auto c = ErrorCodeToStatusCode(error["code"].get<std::string>())) code = *c;
    }
    if (error.contains("message") && error["message"].is_string()) {
      message = error["message"].get<std::string>();
    }
  }
  if (message.empty()) message = std::string(body.substr(0, 200));
  std::string text = std::string(what) + ": HTTP " + std::to_string(http_status);
  if (!message.empty()) text += ": " + message;
  return Status(code, std::move(text));
}

}  // namespace slipway::http::internal
