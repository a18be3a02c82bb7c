// Built-in proxy telemetry over the proxy's admin API (GET /telemetry, docs/proxy.md), not
// through proxy/proxy.h: verify sits below deploy, which embeds the proxy, and a proxy run
// as `slipway proxy` elsewhere is read the same way.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/http.h"
#include "verify/provider_internal.h"

namespace slipway::verify {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;

// The median (mean of the middle two for an even count); `values` must not be empty.
double Median(std::vector<double> values) {
  const size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(middle), values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(middle));
  return (lower + upper) / 2;
}

// One pool's entry of the telemetry answer.
struct PoolNumbers {
  uint64_t requests = 0, errors = 0, upstream_failures = 0;
  std::vector<double> recent_latencies;  // seconds
};

Result<PoolNumbers> FindPool(const std::string& what, const Json& answer, const std::string& pool) {
  if (!answer.is_object() || !answer.contains("pools") || !answer["pools"].is_array()) {
    return Unavailable(what +
                       ": the answer has no \"pools\" list: " + internal::Quote(answer.dump()));
  }
  std::string listed;
  for (const Json& entry : answer["pools"]) {
    if (!entry.is_object() || !entry.contains("pool") || !entry["pool"].is_string()) {
      return Unavailable(what + ": a pool entry has no \"pool\" name");
    }
    const auto& name = entry["pool"].get_ref<const std::string&>();
    if (name != pool) {
      listed += (listed.empty() ? "" : ", ") + name;
      continue;
    }
    PoolNumbers numbers;
    for (auto [field, target] :
         {std::pair{"requests", &numbers.requests}, std::pair{"errors", &numbers.errors},
          std::pair{"upstream_failures", &numbers.upstream_failures}}) {
      if (!entry.contains(field) || !entry[field].is_number_unsigned()) {
        return Unavailable(what + ": pool " + pool + " has no count \"" + field + "\"");
      }
      *target = entry[field].get<uint64_t>();
    }
    auto latencies = internal::FiniteNumbers(entry.value("recent_latencies", Json()));
    if (!latencies)
      return Unavailable(what + ": pool " + pool + " has no \"recent_latencies\" list");
    numbers.recent_latencies = std::move(*latencies);
    return numbers;
  }
  return NotFound(what + ": the proxy has no pool \"" + internal::Quote(pool) + "\" (it lists: " +
                  (listed.empty() ? "none" : internal::Quote(listed, 500)) + ")");
}

class ProxyTelemetryProvider final : public Provider {
 public:
  ProxyTelemetryProvider(ProxyTelemetryOptions options, std::string base_url,
                         internal::TextTemplate pool)
      : options_(std::move(options)), base_url_(std::move(base_url)), pool_(std::move(pool)) {}

  Result<Measurement> Measure(const MeasureRequest& request) override {
    const auto at = internal::ResolveNow(request);
    auto rendered = pool_.Render(request.variables);
    if (!rendered.ok()) return rendered.status().WithContext("proxy telemetry " + base_url_);
    const std::string& pool = *rendered;
    const std::string what =
        "proxy telemetry " + base_url_ + " pool \"" + internal::Quote(pool) + "\"";
    http::ClientOptions client_options;
    client_options.base_url = base_url_;
    client_options.connect_timeout = options_.timeout;
    client_options.request_timeout = options_.timeout;
    client_options.max_response_bytes = 16 << 20;
    if (!options_.token.empty()) {
      client_options.default_headers.Set("Authorization", "Bearer " + options_.token);
    }
    auto client = http::HttpClient::Create(std::move(client_options));
    if (!client.ok()) return client.status().WithContext(what);
    // GetJson turns a non-2xx answer (401 for a wrong token) into its Status.
    auto body = (*client)->GetJson("/telemetry");
    if (!body.ok()) return body.status().WithContext(what);
    const Json answer = Json::parse(*body, nullptr, /*allow_exceptions=*/false);
    if (answer.is_discarded()) {
      return Unavailable(what + ": the answer is not JSON: " + internal::Quote(*body));
    }
    SLIPWAY_ASSIGN_OR_RETURN(PoolNumbers numbers, FindPool(what, answer, pool));
    return Describe(pool, numbers, at);
  }

 private:
  Measurement Describe(const std::string& pool, const PoolNumbers& numbers,
                       std::chrono::system_clock::time_point at) const {
    Measurement m;
    m.at = at;
    expr::Value::Map result{{"pool", pool},
                            {"requests", static_cast<int64_t>(numbers.requests)},
                            {"errors", static_cast<int64_t>(numbers.errors)},
                            {"upstream_failures", static_cast<int64_t>(numbers.upstream_failures)}};
    if (options_.signal == ProxySignal::kErrorRate) {
      m.counts = Counts{numbers.errors, numbers.requests};
      // No requests, no rate: 0 would read as "no errors" and pass a condition it should not.
      if (numbers.requests > 0) {
        m.value = static_cast<double>(numbers.errors) / static_cast<double>(numbers.requests);
      }
      result["rate"] = m.value ? expr::Value(*m.value) : expr::Value();
    } else {
      for (const double seconds : numbers.recent_latencies) m.samples.push_back(seconds * 1000);
      m.samples_seen = numbers.requests;  // the ring holds the newest of these
      if (!m.samples.empty()) m.value = Median(m.samples);
      result["median_ms"] = m.value ? expr::Value(*m.value) : expr::Value();
    }
    m.result = std::move(result);
    return m;
  }

  const ProxyTelemetryOptions options_;
  const std::string base_url_;
  const internal::TextTemplate pool_;
};

}  // namespace

Result<std::unique_ptr<Provider>> MakeProxyTelemetryProvider(ProxyTelemetryOptions options) {
  const std::string what = "proxy telemetry provider";
  if (options.admin_address.empty()) return InvalidArgument(what + ": admin_address is required");
  std::string base_url = options.admin_address;
  if (base_url.find("://") == std::string::npos) base_url.insert(0, "http://");
  http::ClientOptions check;
  check.base_url = base_url;
  if (auto client = http::HttpClient::Create(std::move(check)); !client.ok()) {
    return InvalidArgument(what + ": admin_address: " + client.status().message());
  }
  if (options.timeout <= milliseconds(0)) return InvalidArgument(what + ": timeout must be > 0");
  if (options.token.find_first_of("\r\n") != std::string::npos) {
    return InvalidArgument(what + ": token has a line break");
  }
  if (options.pool.empty()) return InvalidArgument(what + ": pool is required");
  auto pool = internal::TextTemplate::Parse("pool", options.pool);
  if (!pool.ok()) return pool.status().WithContext(what);
  return std::unique_ptr<Provider>(std::make_unique<ProxyTelemetryProvider>(
      std::move(options), std::move(base_url), std::move(*pool)));
}

}  // namespace slipway::verify
