// The admin API's routes, independent of the socket that carried the request.
#include <cstdio>

#include "proxy/admin.h"

namespace slipway::proxy::internal {
namespace {

std::string ErrorJson(std::string_view message) {
  std::string out = "{\"error\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"}\n";
}

AdminAnswer Error(int status, std::string_view message) {
  return {status, "application/json", ErrorJson(message)};
}

bool TokenMatches(const std::string& token, std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) return false;
  const std::string_view given = authorization.substr(kBearer.size());
  // Constant time over the token's length, so the answer's timing does not reveal a prefix.
  if (given.size() != token.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ token[i]);
  }
  return difference == 0;
}

}  // namespace

AdminAnswer HandleAdminRequest(const AdminHandlers& handlers, const std::string& token,
                               std::string_view method, std::string_view target,
                               std::string_view authorization, const std::string& body) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
  if (!token.empty() && !TokenMatches(token, authorization)) {
    return Error(401, "this proxy's admin API needs Authorization: Bearer <token>");
  }
  if (path == "/routes") {
    if (method == "GET") return {200, "application/json", RoutesJson(handlers.get_routes()) + "\n"};
    if (method == "PUT") {
      Result<Routes> routes = ParseRoutesJson(body);
      if (!routes.ok()) return Error(400, routes.status().message());
      if (Status s = handlers.set_routes(*routes); !s.ok()) return Error(400, s.message());
      return {200, "application/json", RoutesJson(handlers.get_routes()) + "\n"};
    }
    return Error(405, "/routes takes GET or PUT");
  }
  if (path == "/metrics" && method == "GET") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", handlers.metrics()};
  }
  if (path == "/telemetry" && method == "GET") {
    return {200, "application/json", handlers.telemetry() + "\n"};
  }
  return Error(404, "no admin route " + std::string(method) + " " + std::string(path) +
                        " (GET/PUT /routes, GET /metrics, GET /telemetry, GET /healthz)");
}

}  // namespace slipway::proxy::internal
