#include "proxy/headers.h"

#include <strings.h>

#include <boost/range/iterator_range.hpp>
#include <string>
#include <vector>

namespace slipway::proxy::internal {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

template <bool isRequest>
void StripHopByHop(bhttp::message<isRequest, bhttp::string_body>& message) {
  std::vector<std::string> named;
  for (const auto& field :
       boost::make_iterator_range(message.equal_range(bhttp::field::connection))) {
    std::string_view value(field.value().data(), field.value().size());
    while (!value.empty()) {
      const size_t comma = value.find(',');
      std::string_view token = Trim(value.substr(0, comma));
      if (!token.empty()) named.emplace_back(token);
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  for (const auto& name : named) message.erase(name);
  message.erase(bhttp::field::connection);
  message.erase(bhttp::field::keep_alive);
  message.erase(bhttp::field::proxy_connection);
  message.erase(bhttp::field::te);
  message.erase(bhttp::field::trailer);
  message.erase(bhttp::field::transfer_encoding);
  message.erase(bhttp::field::upgrade);
}

template void StripHopByHop<true>(Request&);
template void StripHopByHop<false>(Response&);

void AddForwardedFor(Request& request, std::string_view client) {
  auto it = request.find("X-Forwarded-For");
  if (it == request.end()) {
    request.insert("X-Forwarded-For", client);
    return;
  }
  std::string value(it->value().data(), it->value().size());
  value += ", ";
  value += client;
  request.set("X-Forwarded-For", value);
}

std::string_view CookieValue(const Request& request, std::string_view name) {
  for (const auto& field : boost::make_iterator_range(request.equal_range(bhttp::field::cookie))) {
    std::string_view value(field.value().data(), field.value().size());
    while (!value.empty()) {
      const size_t semicolon = value.find(';');
      std::string_view pair = Trim(value.substr(0, semicolon));
      const size_t equals = pair.find('=');
      if (equals != std::string_view::npos && Trim(pair.substr(0, equals)) == name) {
        std::string_view cookie = Trim(pair.substr(equals + 1));
        if (cookie.size() >= 2 && cookie.front() == '"' && cookie.back() == '"') {
          cookie = cookie.substr(1, cookie.size() - 2);
        }
        return cookie;
      }
      if (semicolon == std::string_view::npos) break;
      value.remove_prefix(semicolon + 1);
    }
  }
  return {};
}

bool ExpectsContinue(const Request& request) {
  auto it = request.find(bhttp::field::expect);
  if (it == request.end()) return false;
  std::string_view value = Trim(std::string_view(it->value().data(), it->value().size()));
  return value.size() == 12 && strncasecmp(value.data(), "100-continue", 12) == 0;
}

}  // namespace slipway::proxy::internal
