// `slipway proxy`: the built-in L7 proxy on its own (docs/proxy.md), driven by flags and, when
// --admin is given, by its admin API (what slipway's deploys use).
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "cli/commands.h"
#include "proxy/proxy.h"
#include "util/signal_watcher.h"

namespace slipway::cli {
namespace {

struct Address {
  std::string host;
  uint16_t port = 0;
};

// HOST:PORT or [IPV6]:PORT, port 0 meaning any free one.
Result<Address> ParseAddress(const std::string& flag, const std::string& text) {
  const size_t colon = text.rfind(':');
  Address address;
  if (colon != std::string::npos) {
    address.host = text.substr(0, colon);
    if (address.host.size() >= 2 && address.host.front() == '[' && address.host.back() == ']') {
      address.host = address.host.substr(1, address.host.size() - 2);
    }
    const std::string port = text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (!address.host.empty() && !port.empty() && ec == std::errc() &&
        end == port.data() + port.size() && value <= 65535) {
      address.port = static_cast<uint16_t>(value);
      return address;
    }
  }
  return InvalidArgument(flag + ": '" + text + "' is not HOST:PORT");
}

// NAME=VALUE, both non-empty.
Result<std::pair<std::string, std::string>> SplitAssignment(const std::string& flag,
                                                            const std::string& text,
                                                            const char* value_name) {
  const size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    return InvalidArgument(flag + ": '" + text + "' is not NAME=" + value_name);
  }
  return std::make_pair(text.substr(0, equals), text.substr(equals + 1));
}

// --pool NAME=HOST:PORT[,HOST:PORT…] and --weight NAME=PERCENT into a table: pools without a
// weight share what the given weights leave of 100, evenly (the first ones get the remainder).
Result<proxy::Routes> BuildRoutes(const std::vector<std::string>& pools,
                                  const std::vector<std::string>& weights) {
  proxy::Routes routes;
  for (const auto& text : pools) {
    SLIPWAY_ASSIGN_OR_RETURN(auto assignment, SplitAssignment("--pool", text, "HOST:PORT[,…]"));
    proxy::Pool pool;
    pool.name = assignment.first;
    for (const proxy::Pool& other : routes.pools) {
      if (other.name == pool.name) {
        return InvalidArgument("--pool: pool '" + pool.name + "' is given twice");
      }
    }
    std::string_view list = assignment.second;
    while (true) {
      const size_t comma = list.find(',');
      Result<proxy::Upstream> upstream = proxy::ParseUpstream(list.substr(0, comma));
      if (!upstream.ok()) return upstream.status().WithContext("--pool " + pool.name);
      pool.upstreams.push_back(*upstream);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    routes.pools.push_back(std::move(pool));
  }
  std::map<std::string, int> given;
  int given_sum = 0;
  for (const auto& text : weights) {
    SLIPWAY_ASSIGN_OR_RETURN(auto assignment, SplitAssignment("--weight", text, "PERCENT"));
    int value = -1;
    const std::string& number = assignment.second;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size() || value < 0 || value > 100) {
      return InvalidArgument("--weight " + assignment.first + ": '" + number +
                             "' is not a percentage (0-100)");
    }
    bool known = false;
    for (const proxy::Pool& pool : routes.pools) known = known || pool.name == assignment.first;
    if (!known) {
      return InvalidArgument("--weight: no --pool named '" + assignment.first + "'");
    }
    if (!given.emplace(assignment.first, value).second) {
      return InvalidArgument("--weight: pool '" + assignment.first + "' is given twice");
    }
    given_sum += value;
  }
  if (given_sum > 100) {
    return InvalidArgument("--weight: the weights add up to " + std::to_string(given_sum) +
                           "%, more than 100");
  }
  const int unweighted = static_cast<int>(routes.pools.size() - given.size());
  int rest = 100 - given_sum;
  int index = 0;
  for (proxy::Pool& pool : routes.pools) {
    if (auto it = given.find(pool.name); it != given.end()) {
      pool.weight = it->second;
    } else {
      pool.weight = rest / unweighted + (index++ < rest % unweighted ? 1 : 0);
    }
  }
  return routes;
}

std::string Printable(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

int ProxyCommand(const std::vector<std::string>& args) {
  std::string listen = "127.0.0.1:8000", admin, sticky_cookie;
  std::vector<std::string> pools, weights;
  int threads = 1, timeout_seconds = 60;
  FlagSet set(
      "slipway proxy", "--pool NAME=HOST:PORT[,HOST:PORT…]... [flags]",
      "Runs the built-in L7 proxy: HTTP/1.1 keep-alive, requests split between pools by\n"
      "weight (overrides: X-Slipway-Canary: always|never, X-Slipway-Pool: NAME), per-pool\n"
      "telemetry. With --admin, an admin API (GET/PUT /routes, GET /metrics, GET\n"
      "/telemetry) changes the table while it runs; its bearer token is\n"
      "$SLIPWAY_PROXY_ADMIN_TOKEN when set. Runs until SIGINT or SIGTERM. See docs/proxy.md.");
  set.String("listen", 0, &listen, "HOST:PORT", "where clients connect (default 127.0.0.1:8000)");
  set.Strings("pool", 0, &pools, "NAME=HOST:PORT[,…]", "a pool and its upstreams (repeatable)");
  set.Strings("weight", 0, &weights, "NAME=PERCENT",
              "a pool's share; pools without one share the rest of 100 (repeatable)");
  set.String("sticky-cookie", 0, &sticky_cookie, "NAME",
             "keep a client on the pool it was first sent to, with this cookie");
  set.Int("threads", 0, &threads, "N", "I/O threads (default 1)");
  set.Int("timeout", 0, &timeout_seconds, "SECONDS",
          "upstream answer timeout, then 504 (default 60)");
  set.String("admin", 0, &admin, "HOST:PORT", "serve the admin API there (default: off)");
  std::vector<std::string> positionals;
  if (Status s = set.Parse(args, &positionals); !s.ok()) return UsageError(s);
  if (set.help_requested()) return PrintHelp(set);
  if (!positionals.empty()) {
    return UsageError(InvalidArgument("unexpected '" + positionals[0] + "'"));
  }
  if (threads < 1) return UsageError(InvalidArgument("--threads must be at least 1"));
  if (timeout_seconds < 1) return UsageError(InvalidArgument("--timeout must be at least 1"));

  proxy::ProxyOptions options;
  auto listen_address = ParseAddress("--listen", listen);
  if (!listen_address.ok()) return UsageError(listen_address.status());
  options.listen_host = listen_address->host;
  options.listen_port = listen_address->port;
  options.threads = threads;
  options.upstream_timeout_seconds = timeout_seconds;
  options.sticky_cookie = sticky_cookie;
  if (!admin.empty()) {
    auto admin_address = ParseAddress("--admin", admin);
    if (!admin_address.ok()) return UsageError(admin_address.status());
    options.admin_enabled = true;
    options.admin_host = admin_address->host;
    options.admin_port = admin_address->port;
    if (const char* token = std::getenv("SLIPWAY_PROXY_ADMIN_TOKEN"); token != nullptr) {
      options.admin_token = token;
    }
  }
  auto routes = BuildRoutes(pools, weights);
  if (!routes.ok()) return UsageError(routes.status());

  CancelToken stop;
  SignalWatcher signals(&stop, nullptr);
  auto proxy = proxy::Proxy::Start(options, *routes);
  if (!proxy.ok()) {
    if (proxy.status().code() == StatusCode::kInvalidArgument) return UsageError(proxy.status());
    return Fatal(proxy.status());
  }
  std::string ready =
      "slipway proxy: listening on " + Printable(options.listen_host, (*proxy)->port());
  if (options.admin_enabled) {
    ready += " (admin " + Printable(options.admin_host, (*proxy)->admin_port()) + ")";
  }
  std::fprintf(stderr, "%s\n", ready.c_str());
  std::fflush(stderr);
  stop.Wait();
  std::fprintf(stderr, "slipway proxy: stopping\n");
  proxy->reset();
  return 0;  // stopping on a signal is the normal end
}

}  // namespace slipway::cli
