// The Prometheus provider: renders the PromQL template, asks /api/v1/query (or query_range)
// with a GET, and reads the answer (prometheus_json.cc). A fresh HttpClient per measurement:
// the provider holds no connection between calls and Measure may run on several threads.
#include <cstdio>

#include "http/http.h"
#include "util/text_escape.h"
#include "verify/prometheus_json.h"
#include "verify/provider_internal.h"

namespace slipway::verify {
namespace {

using std::chrono::milliseconds;

// Prometheus takes times as Unix seconds with a fraction.
std::string UnixSeconds(std::chrono::system_clock::time_point at) {
  const auto ms = std::chrono::duration_cast<milliseconds>(at.time_since_epoch()).count();
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return text;
}

class PrometheusProvider final : public Provider {
 public:
  PrometheusProvider(PrometheusProviderOptions options, internal::TextTemplate query)
      : options_(std::move(options)), query_(std::move(query)) {
    if (!options_.bearer_token.empty()) {
      headers_.Set("Authorization", "Bearer " + options_.bearer_token);
    }
    for (const auto& [name, value] : options_.headers) headers_.Add(name, value);
    headers_.Set("Accept", "application/json");
  }

  Result<Measurement> Measure(const MeasureRequest& request) override {
    const auto now = internal::ResolveNow(request);
    auto rendered = query_.Render(request.variables);
    if (!rendered.ok()) return rendered.status().WithContext("prometheus " + options_.address);
    const std::string& query = *rendered;
    const std::string what =
        "prometheus " + options_.address + " query \"" + internal::Quote(query) + "\"";
    http::ClientOptions client_options;
    client_options.base_url = options_.address;
    client_options.connect_timeout = options_.timeout;
    client_options.request_timeout = options_.timeout;
    client_options.max_response_bytes = 16 << 20;
    auto client = http::HttpClient::Create(std::move(client_options));
    if (!client.ok()) return client.status().WithContext(what);
    auto answer = (*client)->Send("GET", Target(query, now), {}, headers_);
    if (!answer.ok()) return answer.status().WithContext(what);
    return internal::ParsePrometheusAnswer(what, answer->status, answer->body, now);
  }

 private:
  std::string Target(const std::string& query, std::chrono::system_clock::time_point now) const {
    std::string target = options_.range ? "/api/v1/query_range" : "/api/v1/query";
    target += "?query=" + PercentEncode(query);
    if (options_.range) {
      target += "&start=" + UnixSeconds(now - options_.range->window);
      target += "&end=" + UnixSeconds(now);
      target += "&step=" + std::to_string(options_.range->step.count()) + "ms";
    } else {
      target += "&time=" + UnixSeconds(now);
    }
    // Prometheus stops evaluating when we stop waiting.
    target += "&timeout=" + std::to_string(options_.timeout.count()) + "ms";
    return target;
  }

  const PrometheusProviderOptions options_;
  const internal::TextTemplate query_;
  http::Headers headers_;
};

}  // namespace

Result<std::unique_ptr<Provider>> MakePrometheusProvider(PrometheusProviderOptions options) {
  const std::string what = "prometheus provider: ";
  if (options.address.empty()) return InvalidArgument(what + "address is required");
  http::ClientOptions check;
  check.base_url = options.address;
  if (auto client = http::HttpClient::Create(std::move(check)); !client.ok()) {
    return InvalidArgument(what + "address: " + client.status().message());
  }
  if (options.query.empty()) return InvalidArgument(what + "query is required");
  if (options.timeout <= milliseconds(0)) return InvalidArgument(what + "timeout must be > 0");
  if (options.range) {
    const auto& range = *options.range;
    if (range.window.count() <= 0 || range.step.count() <= 0) {
      return InvalidArgument(what + "range window and step must be > 0");
    }
    if (range.window / range.step > 11000) {
      return InvalidArgument(what +
                             "range window / step is over 11,000 points (Prometheus's limit)");
    }
  }
  if (options.bearer_token.find_first_of("\r\n") != std::string::npos) {
    return InvalidArgument(what + "bearer_token has a line break");
  }
  if (Status status = internal::CheckHeaders(options.headers); !status.ok()) {
    return status.WithContext("prometheus provider");
  }
  auto query = internal::TextTemplate::Parse("query", options.query);
  if (!query.ok()) return query.status().WithContext("prometheus provider");
  return std::unique_ptr<Provider>(
      std::make_unique<PrometheusProvider>(std::move(options), std::move(*query)));
}

}  // namespace slipway::verify
