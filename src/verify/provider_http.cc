// The HTTP synthetic check: one timed request per measurement. Any answer is a measurement
// (a wrong status or body shows in `result.ok`, and the analysis's success condition judges
// it); only getting no answer is an error, so a dead endpoint counts toward the consecutive
// error limit rather than passing or failing on a number that was never measured.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/http.h"
#include "verify/provider_internal.h"

namespace slipway::verify {
namespace {

using std::chrono::milliseconds;

struct HeaderTemplate {
  std::string name;
  internal::TextTemplate value;
};

class HttpCheckProvider final : public Provider {
 public:
  HttpCheckProvider(HttpCheckOptions options, internal::TextTemplate url,
                    std::vector<HeaderTemplate> headers, internal::TextTemplate body)
      : options_(std::move(options)),
        url_(std::move(url)),
        headers_(std::move(headers)),
        body_(std::move(body)) {}

  Result<Measurement> Measure(const MeasureRequest& request) override {
    const auto at = internal::ResolveNow(request);
    auto rendered = url_.Render(request.variables);
    if (!rendered.ok()) return rendered.status().WithContext("http check");
    auto split = internal::SplitHttpUrl(*rendered);
    if (!split.ok()) return split.status().WithContext("http check");
    // Messages carry the URL with secret-looking query values (?token=…) redacted.
    const std::string what =
        "http check " + options_.method + " " + split->base + http::RedactTarget(split->target);
    http::Headers headers;
    for (const HeaderTemplate& header : headers_) {
      auto value = header.value.Render(request.variables);
      if (!value.ok()) return value.status().WithContext(what);
      if (value->find_first_of("\r\n") != std::string::npos) {
        return InvalidArgument(what + ": header " + header.name + " renders with a line break");
      }
      headers.Add(header.name, std::move(*value));
    }
    auto body = body_.Render(request.variables);
    if (!body.ok()) return body.status().WithContext(what);

    http::ClientOptions client_options;
    client_options.base_url = split->base;
    client_options.connect_timeout = options_.timeout;
    client_options.request_timeout = options_.timeout;
    client_options.max_response_bytes = options_.max_body_bytes;
    auto client = http::HttpClient::Create(std::move(client_options));
    if (!client.ok()) return client.status().WithContext("http check");
    const auto start = std::chrono::steady_clock::now();
    auto answer = (*client)->Send(options_.method, split->target, std::move(*body), headers);
    const std::chrono::duration<double, std::milli> latency =
        std::chrono::steady_clock::now() - start;
    // The client's error names the method and the (redacted) URL already.
    if (!answer.ok()) return answer.status().WithContext("http check");
    return Describe(*answer, latency.count(), at);
  }

 private:
  Measurement Describe(const http::ClientResponse& answer, double latency_ms,
                       std::chrono::system_clock::time_point at) const {
    const auto& expect = options_.expect_status;
    const bool status_ok =
        expect.empty() ? answer.status >= 200 && answer.status < 300
                       : std::find(expect.begin(), expect.end(), answer.status) != expect.end();
    const bool body_ok = answer.body.find(options_.body_contains) != std::string::npos;
    const auto json = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
    Measurement m;
    m.at = at;
    m.value = latency_ms;
    m.samples = {latency_ms};
    m.result = expr::Value::Map{
        {"status", answer.status},
        {"latency_ms", latency_ms},
        {"body", json.is_discarded() ? expr::Value(answer.body)
                                     : expr::ValueFromJson(json, expr::LargeIntegers::kDouble)},
        {"status_ok", status_ok},
        {"body_ok", body_ok},
        {"ok", status_ok && body_ok},
    };
    return m;
  }

  const HttpCheckOptions options_;
  const internal::TextTemplate url_;
  const std::vector<HeaderTemplate> headers_;
  const internal::TextTemplate body_;
};

bool IsToken(std::string_view method) {
  return !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
}

}  // namespace

Result<std::unique_ptr<Provider>> MakeHttpCheckProvider(HttpCheckOptions options) {
  const std::string what = "http check provider";
  if (options.url.empty()) return InvalidArgument(what + ": url is required");
  if (!IsToken(options.method)) {
    return InvalidArgument(what + ": method \"" + internal::Quote(options.method) +
                           "\" is not an upper-case HTTP method");
  }
  if (options.timeout <= milliseconds(0)) return InvalidArgument(what + ": timeout must be > 0");
  if (options.max_body_bytes == 0) return InvalidArgument(what + ": max_body_bytes must be > 0");
  for (const int status : options.expect_status) {
    if (status < 100 || status > 599) {
      return InvalidArgument(what + ": expect_status " + std::to_string(status) +
                             " is not an HTTP status");
    }
  }
  SLIPWAY_RETURN_IF_ERROR(internal::CheckHeaders(options.headers).WithContext(what));
  auto url = internal::TextTemplate::Parse("url", options.url);
  if (!url.ok()) return url.status().WithContext(what);
  // A URL without templates is checked now rather than at the first measurement.
  if (options.url.find("${{") == std::string::npos) {
    SLIPWAY_RETURN_IF_ERROR(internal::SplitHttpUrl(options.url).status().WithContext(what));
  }
  std::vector<HeaderTemplate> headers;
  for (const auto& [name, value] : options.headers) {
    auto parsed = internal::TextTemplate::Parse("header " + name, value);
    if (!parsed.ok()) return parsed.status().WithContext(what);
    headers.push_back({name, std::move(*parsed)});
  }
  auto body = internal::TextTemplate::Parse("body", options.body);
  if (!body.ok()) return body.status().WithContext(what);
  return std::unique_ptr<Provider>(std::make_unique<HttpCheckProvider>(
      std::move(options), std::move(*url), std::move(headers), std::move(*body)));
}

}  // namespace slipway::verify
