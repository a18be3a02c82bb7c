// An environment's `router:` — how traffic is split between revisions: the built-in `proxy`
// or a running `haproxy` driven through its Runtime API.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

#include "spec/environment_fields.h"

namespace slipway::spec::internal {
namespace {

constexpr int64_t kMaxHaproxyServers = 1000;

bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') {
    return false;
  }
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
}

bool IsIpv6Literal(std::string_view host) {
  return host.find(':') != std::string_view::npos &&
         std::all_of(host.begin(), host.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
         });
}

// haproxy's names of proxies and servers: letters, digits, '-', '_', '.' and ':'.
bool IsHaproxyName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == ':';
  });
}

std::optional<std::string> ReadListen(LoadContext& context, const Field& field) {
  auto address = ReadLiteral(context, field);
  if (!address) return std::nullopt;
  if (auto error = HostPortError(*address)) {
    context.reader->Error(field.pos, *error,
                          "e.g. 127.0.0.1:8080, or 0.0.0.0:8080 for every interface");
    return std::nullopt;
  }
  return address;
}

std::optional<std::string> ReadCookieName(LoadContext& context, const Field& field) {
  auto name = ReadLiteral(context, field);
  if (!name) return std::nullopt;
  if (!IsHttpToken(*name)) {  // RFC 6265 cookie-name
    context.reader->Error(field.pos, "'" + *name + "' is not a cookie name",
                          "use letters, digits and !#$%&'*+-.^_`|~, e.g. slipway-pool");
    return std::nullopt;
  }
  return name;
}

std::optional<ProxyRouterSpec> ReadProxy(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "proxy router", {"listen", "sticky-cookie"});
  if (!map) return std::nullopt;
  ProxyRouterSpec proxy;
  proxy.pos = field.key_pos;
  bool ok = true;
  const Field* listen = reader.Require(*map, "listen", "proxy router");
  ok &= listen && Store(ReadListen(context, *listen), &proxy.listen);
  if (const Field* cookie = map->Find("sticky-cookie")) {
    ok &= Store(ReadCookieName(context, *cookie), &proxy.sticky_cookie);
  }
  if (!ok) return std::nullopt;
  return proxy;
}

std::optional<std::string> ReadHaproxyName(LoadContext& context, const Field& field) {
  auto name = ReadLiteral(context, field);
  if (!name) return std::nullopt;
  if (!IsHaproxyName(*name)) {
    context.reader->Error(field.pos, "'" + *name + "' is not a haproxy name",
                          "use letters, digits, '-', '_', '.' and ':'");
    return std::nullopt;
  }
  return name;
}

std::optional<std::string> ReadSocket(LoadContext& context, const Field& field) {
  auto address = ReadLiteral(context, field);
  if (!address) return std::nullopt;
  if (!address->starts_with('/') && HostPortError(*address)) {
    context.reader->Error(
        field.pos, "haproxy socket '" + *address + "' is neither an absolute path nor HOST:PORT",
        "e.g. /run/haproxy/admin.sock or 127.0.0.1:9999 (a 'stats socket' line of haproxy.cfg "
        "with 'level admin')");
    return std::nullopt;
  }
  return address;
}

std::optional<HaproxyRouterSpec> ReadHaproxy(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  const std::string what = "haproxy router";
  auto map = reader.Map(field, what, {"socket", "backend", "server-prefix", "servers"});
  if (!map) return std::nullopt;
  HaproxyRouterSpec haproxy;
  haproxy.pos = field.key_pos;
  bool ok = true;
  const Field* socket = reader.Require(*map, "socket", what);
  ok &= socket && Store(ReadSocket(context, *socket), &haproxy.socket);
  const Field* backend = reader.Require(*map, "backend", what);
  ok &= backend && Store(ReadHaproxyName(context, *backend), &haproxy.backend);
  if (const Field* prefix = map->Find("server-prefix")) {
    ok &= Store(ReadHaproxyName(context, *prefix), &haproxy.server_prefix);
  }
  const Field* servers = reader.Require(*map, "servers", what);
  ok &= servers && Store(reader.Int(*servers, 1, kMaxHaproxyServers), &haproxy.servers);
  if (!ok) return std::nullopt;
  return haproxy;
}

}  // namespace

bool IsHttpToken(std::string_view text) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != std::string::npos;
  });
}

std::optional<std::string> HostPortError(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return quoted + " is not HOST:PORT";
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.empty()) return quoted + " has no host";
  if (host.front() == '[' && host.back() == ']' && host.size() > 2) {
    if (!IsIpv6Literal(host.substr(1, host.size() - 2))) {
      return quoted + " has an invalid IPv6 address";
    }
  } else if (host.find(':') != std::string_view::npos) {
    return quoted + " is not HOST:PORT (write an IPv6 address in brackets: [::1]:8080)";
  } else if (!IsHostName(host)) {
    return quoted + " has an invalid host '" + std::string(host) + "'";
  }
  int number = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || number < 1 ||
      number > 65535) {
    return quoted + " has no port in 1-65535";
  }
  return std::nullopt;
}

std::optional<RouterSpec> ReadRouter(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "router", {"proxy", "haproxy"});
  if (!map) return std::nullopt;
  const Field* kind = reader.OneOf(field, *map, {"proxy", "haproxy"}, "router");
  if (!kind) return std::nullopt;
  RouterSpec router;
  router.pos = field.key_pos;
  if (kind->key == "proxy") {
    router.proxy = ReadProxy(context, *kind);
    if (!router.proxy) return std::nullopt;
  } else {
    router.haproxy = ReadHaproxy(context, *kind);
    if (!router.haproxy) return std::nullopt;
  }
  return router;
}

}  // namespace slipway::spec::internal
