// From a template metric's `provider:` (spec) to the provider that measures it.
#include <chrono>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

std::chrono::milliseconds Ms(spec::Duration duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration);
}

}  // namespace

Result<std::unique_ptr<Provider>> MakeProvider(const spec::MetricProviderSpec& spec,
                                               const ProviderEnvironment& environment) {
  if (spec.prometheus) {
    PrometheusProviderOptions options;
    options.address = spec.prometheus->address;
    options.query = spec.prometheus->query;
    options.timeout = Ms(spec.prometheus->timeout);
    if (spec.prometheus->range) {
      options.range =
          PrometheusRange{.window = Ms(*spec.prometheus->range), .step = Ms(spec.prometheus->step)};
    }
    return MakePrometheusProvider(std::move(options));
  }
  if (spec.http) {
    HttpCheckOptions options;
    options.url = spec.http->url;
    options.method = spec.http->method;
    options.headers = spec.http->headers;
    options.body = spec.http->body;
    options.timeout = Ms(spec.http->timeout);
    return MakeHttpCheckProvider(std::move(options));
  }
  if (spec.exec) {
    ExecProviderOptions options;
    options.command = spec.exec->command;
    options.timeout = Ms(spec.exec->timeout);
    return MakeExecProvider(std::move(options));
  }
  if (spec.proxy) {
    if (environment.proxy_admin.empty()) {
      return InvalidArgument(
          "a proxy metric needs the built-in proxy, and this environment has none");
    }
    ProxyTelemetryOptions options;
    options.admin_address = environment.proxy_admin;
    options.token = environment.proxy_token;
    options.signal = spec.proxy->signal == spec::ProxyMetricSpec::Signal::kLatency
                         ? ProxySignal::kLatency
                         : ProxySignal::kErrorRate;
    return MakeProxyTelemetryProvider(std::move(options));
  }
  return InvalidArgument("the metric names no provider");
}

}  // namespace slipway::verify
