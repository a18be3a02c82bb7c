#include "deploy/proxy_admin_call.h"

#include <charconv>

namespace slipway::deploy {

Result<HttpAnswer> CallProxyAdmin(const ProxyAdmin& admin, std::string_view method,
                                  std::string_view path, std::string_view body) {
  std::string request = std::string(method) + " " + std::string(path) +
                        " HTTP/1.0\r\nHost: " + admin.admin.ToString() +
                        "\r\nConnection: close\r\n";
  if (!admin.token.empty()) request += "Authorization: Bearer " + admin.token + "\r\n";
  if (!body.empty() || method == "PUT") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request += body;
  SocketAddress address;
  address.tcp = admin.admin;
  Result<std::string> raw = Exchange(address, request, admin.timeout, 16 << 20);
  if (!raw.ok()) {
    return Unavailable("proxy admin API at " + admin.admin.ToString() + ": " +
                       raw.status().message());
  }
  const std::string& text = raw.value();
  const size_t space = text.find(' ');
  const size_t header_end = text.find("\r\n\r\n");
  int status = 0;
  if (text.rfind("HTTP/1.", 0) != 0 || space == std::string::npos ||
      header_end == std::string::npos ||
      std::from_chars(text.data() + space + 1, text.data() + text.size(), status).ec !=
          std::errc()) {
    return Unavailable("proxy admin API at " + admin.admin.ToString() +
                       " answered something that is not HTTP");
  }
  return HttpAnswer{.status = status, .body = text.substr(header_end + 4)};
}

}  // namespace slipway::deploy
