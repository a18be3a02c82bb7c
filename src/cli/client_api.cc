// Api: resolving the server and token, and calls whose errors say what went wrong.
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "cli/client.h"

namespace slipway::cli {
namespace {

// The code of an error answer without a JSON body.
StatusCode CodeForHttp(int status) {
  switch (status) {
    case 400:
      return StatusCode::kInvalidArgument;
    case 401:
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 409:
      return StatusCode::kAlreadyExists;
    case 412:
      return StatusCode::kFailedPrecondition;
    case 413:
      return StatusCode::kResourceExhausted;
    default:
      return status >= 500 ? StatusCode::kUnavailable : StatusCode::kInternal;
  }
}

// The message of an error answer, with its status and, for a refused token, what to do.
Status DescribeError(int http_status, std::string_view body) {
  StatusCode code = CodeForHttp(http_status);
  std::string message;
  const Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
    const Json& error = doc["error"];
    if (error.contains("code") && error["code"].is_string()) {
      if (auto c = http::ErrorCodeToStatusCode(error["code"].get<std::string>())) code = *c;
    }
    message = Field(error, "message");
  } else if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() &&
             !doc["errors"].empty() && doc["errors"][0].is_object()) {
    // The registry's (OCI distribution) shape: {"errors":[{"code":"…","message":"…"}]}.
    message = Field(doc["errors"][0], "code") + ": " + Field(doc["errors"][0], "message");
  }
  if (message.empty()) message = std::string(body.substr(0, 200));
  if (message.empty()) message = "the server answered with an error";
  message += " (HTTP " + std::to_string(http_status) + ")";
  return Status(code, std::move(message));
}

}  // namespace

void AddClientFlags(FlagSet& set, ClientFlags* flags) {
  set.String("server", 0, &flags->server, "URL",
             "the server (default $SLIPWAY_SERVER, else the one 'slipway login' saved)");
  set.String("token", 0, &flags->token, "T",
             "API token (default $SLIPWAY_TOKEN, else the one 'slipway login' saved)");
  set.Bool("json", 0, &flags->json, "print the API's JSON instead of a table");
}

Result<std::string> NormalizeServerUrl(std::string_view url) {
  std::string text(url);
  while (!text.empty() && text.back() == '/') text.pop_back();
  if (text.rfind("http://", 0) != 0 && text.rfind("https://", 0) != 0) {
    return InvalidArgument("the server URL must start with http:// or https://, got '" + text +
                           "'");
  }
  return text;
}

Result<std::unique_ptr<Api>> Api::Connect(const ClientFlags& flags) {
  std::string server = flags.server.empty() ? EnvValue("SLIPWAY_SERVER") : flags.server;
  std::string token = flags.token.empty() ? EnvValue("SLIPWAY_TOKEN") : flags.token;
  if (server.empty() || token.empty()) {
    SLIPWAY_ASSIGN_OR_RETURN(std::optional<Credentials> saved, LoadCredentials());
    if (saved && server.empty()) server = saved->server;
    if (saved && token.empty()) {
      // A saved token goes only to the server it was saved for.
      auto normalized = NormalizeServerUrl(server);
      if (normalized.ok() && *normalized == saved->server) token = saved->token;
    }
  }
  if (server.empty()) {
    return InvalidArgument(
        "no server: log in first ('slipway login --server URL --token T') or pass --server URL");
  }
  if (token.empty()) {
    return InvalidArgument("no token for " + server + ": log in with 'slipway login --server " +
                           server + " --token T' or pass --token T");
  }
  return Connect(server, token);
}

Result<std::unique_ptr<Api>> Api::Connect(const std::string& server, const std::string& token) {
  SLIPWAY_ASSIGN_OR_RETURN(std::string base, NormalizeServerUrl(server));
  http::ClientOptions options;
  options.base_url = base;
  options.default_headers.Set("Authorization", "Bearer " + token);
  auto client = http::HttpClient::Create(std::move(options));
  if (!client.ok()) return client.status();
  return std::unique_ptr<Api>(new Api(std::move(base), std::move(*client)));
}

Status Api::ErrorOf(const http::ClientResponse& response) const {
  Status error = DescribeError(response.status, response.body);
  if (response.status != 401 || !login_hint_) return error;
  return Status(error.code(),
                error.message() + "; log in again with 'slipway login' or pass --token");
}

Status Api::Unreachable(const Status& transport) const {
  if (transport.code() != StatusCode::kUnavailable &&
      transport.code() != StatusCode::kDeadlineExceeded) {
    return transport;
  }
  return Unavailable("cannot reach the server at " + server_ + ": " + transport.message());
}

Result<Json> Api::Call(std::string_view method, std::string_view path, const Json& body) {
  http::Headers headers{{"Accept", "application/json"}};
  std::string text;
  if (!body.is_null()) {
    text = body.dump();
    headers.Set("Content-Type", "application/json");
  }
  auto response = client_->Send(method, path, std::move(text), headers);
  if (!response.ok()) return Unreachable(response.status());
  if (response->status < 200 || response->status >= 300) return ErrorOf(*response);
  if (response->body.empty()) return Json(nullptr);
  Json doc = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Internal(std::string(method) + " " + std::string(path) +
                    ": the server's answer is not JSON (is " + server_ + " a slipway server?)");
  }
  return doc;
}

Result<http::ClientResponse> Api::Text(std::string_view path) {
  auto response = client_->Send("GET", path);
  if (!response.ok()) return Unreachable(response.status());
  if (response->status < 200 || response->status >= 300) return ErrorOf(*response);
  return response;
}

Result<http::ClientResponse> Api::Download(std::string_view path, const http::BodySink& sink) {
  auto response = client_->Download(path, sink);
  if (!response.ok()) return Unreachable(response.status());
  if (response->status < 200 || response->status >= 300) return ErrorOf(*response);
  return response;
}

Status Api::Stream(std::string_view path, const http::SseOptions& options,
                   const std::function<bool(const http::SseEvent&)>& on_event) {
  Status status = client_->StreamEvents(path, options, on_event);
  if (status.ok()) return status;
  // An error answer arrives as "GET <url>: HTTP <status>: <message>": say it as Call does.
  static const std::regex kAnswer(R"(^\S+ \S+: HTTP ([0-9]{3}): ([\s\S]*)$)");
  std::smatch match;
  if (std::regex_match(status.message(), match, kAnswer)) {
    std::string message = match[2].str() + " (HTTP " + match[1].str() + ")";
    return Status(status.code(), std::move(message));
  }
  return Unreachable(status);
}

int Fail(const Status& status) {
  std::fprintf(stderr, "slipway: %s\n", status.message().c_str());
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kInternal:
      return kExitFatal;
    default:
      return kExitFailure;
  }
}

}  // namespace slipway::cli
