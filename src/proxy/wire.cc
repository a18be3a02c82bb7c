#include "proxy/wire.h"

namespace slipway::proxy::internal {
namespace {

void Append(std::string& out, beast::string_view s) { out.append(s.data(), s.size()); }

template <bool isRequest>
void AppendFields(const bhttp::message<isRequest, bhttp::string_body>& message, std::string& out) {
  for (const auto& field : message) {
    Append(out, field.name_string());
    out += ": ";
    Append(out, field.value());
    out += "\r\n";
  }
}

void AppendVersion(unsigned version, std::string& out) {
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
}

}  // namespace

void RenderHead(const Request& request, std::string& out) {
  out.clear();
  Append(out, request.method_string());
  out += ' ';
  Append(out, request.target());
  out += ' ';
  AppendVersion(request.version(), out);
  out += "\r\n";
  AppendFields(request, out);
  out += "\r\n";
}

void RenderHead(const Response& response, bool keep_alive, std::string& out) {
  out.clear();
  AppendVersion(response.version(), out);
  const unsigned status = response.result_int();
  out += ' ';
  out += static_cast<char>('0' + status / 100 % 10);
  out += static_cast<char>('0' + status / 10 % 10);
  out += static_cast<char>('0' + status % 10);
  out += ' ';
  Append(out, response.reason());
  out += "\r\n";
  AppendFields(response, out);
  if (response.version() >= 11 && !keep_alive) out += "Connection: close\r\n";
  if (response.version() < 11 && keep_alive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
}

}  // namespace slipway::proxy::internal
