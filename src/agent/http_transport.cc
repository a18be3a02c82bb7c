// HttpTransport: the agent protocol of docs/api.md over http::HttpClient.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "http/http.h"
#include "util/cancel.h"
#include "util/fs.h"

namespace slipway::agent {
namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds kConnect{5000};
constexpr std::chrono::milliseconds kLongestCall{60000};  // a lease waits up to 30 s

Result<std::unique_ptr<http::HttpClient>> NewClient(const std::string& url,
                                                    const std::string& token,
                                                    std::chrono::milliseconds request_timeout) {
  http::ClientOptions options;
  options.base_url = url;
  options.default_headers.Set("Authorization", "Bearer " + token);
  options.connect_timeout = kConnect;
  options.request_timeout = request_timeout;
  return http::HttpClient::Create(std::move(options));
}

std::string AttemptPath(const engine::JobAssignment& job, std::string_view what) {
  return "/api/v1/agent/attempts/" + std::to_string(job.attempt_id) + "/" + std::string(what);
}

// The error a non-2xx answer carries, as a Status (412 → kFailedPrecondition: lease gone).
Status ErrorOf(const http::ClientResponse& response, std::string_view what) {
  json doc = json::parse(response.body, nullptr, false);
  std::string code, message = response.body;
  if (doc.is_object() && doc.contains("error") && doc["error"].is_object()) {
    code = doc["error"].value("code", "");
    message = doc["error"].value("message", message);
  }
  auto status_code = http::ErrorCodeToStatusCode(code);
  return Status(status_code.value_or(response.status >= 500 ? StatusCode::kUnavailable
                                                            : StatusCode::kInternal),
                std::string(what) + ": " + std::to_string(response.status) + ": " + message);
}

}  // namespace

// Clients for the calls of one transport: borrowed one per call, created on demand.
class HttpTransport::Pool {
 public:
  Pool(std::string url, std::string token) : url_(std::move(url)), token_(std::move(token)) {}

  // Runs `call` with an idle client (a new one when all are busy). The request timeout covers
  // the longest call, a lease's long-poll.
  template <typename Call>
  auto With(Call call) -> decltype(call(std::declval<http::HttpClient&>())) {
    std::unique_ptr<http::HttpClient> client;
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        client = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (client == nullptr) {
      auto created = NewClient(url_, token_, kLongestCall);
      if (!created.ok()) return created.status();
      client = std::move(*created);
    }
    auto result = call(*client);
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(client));
    return result;
  }

 private:
  const std::string url_, token_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<http::HttpClient>> idle_;
};

HttpTransport::HttpTransport(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}
HttpTransport::~HttpTransport() = default;

Result<std::unique_ptr<HttpTransport>> HttpTransport::Create(std::string server_url,
                                                             std::string agent_token) {
  // Fail early on a malformed URL rather than at the first lease.
  SLIPWAY_RETURN_IF_ERROR(NewClient(server_url, agent_token, kConnect).status());
  return std::unique_ptr<HttpTransport>(
      new HttpTransport(std::make_unique<Pool>(std::move(server_url), std::move(agent_token))));
}

Result<std::optional<engine::JobAssignment>> HttpTransport::Lease(std::chrono::milliseconds wait) {
  return pool_->With([&](http::HttpClient& client) -> Result<std::optional<engine::JobAssignment>> {
    json body = {{"wait_ms", wait.count()}};
    http::Headers headers{{"Content-Type", "application/json"}};
    SLIPWAY_ASSIGN_OR_RETURN(http::ClientResponse response,
                             client.Send("POST", "/api/v1/agent/lease", body.dump(), headers));
    if (response.status == 204) return std::optional<engine::JobAssignment>();
    if (response.status != 200) return ErrorOf(response, "lease");
    SLIPWAY_ASSIGN_OR_RETURN(engine::JobAssignment job,
                             engine::JobAssignment::FromJson(response.body));
    return std::optional<engine::JobAssignment>(std::move(job));
  });
}

Result<engine::AgentService::HeartbeatReply> HttpTransport::Heartbeat(
    const engine::JobAssignment& job) {
  return pool_->With([&](http::HttpClient& client) -> Result<engine::AgentService::HeartbeatReply> {
    http::Headers headers{{"X-Lease-Token", job.lease_token}};
    SLIPWAY_ASSIGN_OR_RETURN(http::ClientResponse response,
                             client.Send("POST", AttemptPath(job, "heartbeat"), "", headers));
    if (response.status != 200) return ErrorOf(response, "heartbeat");
    json doc = json::parse(response.body, nullptr, false);
    return engine::AgentService::HeartbeatReply{.cancel =
                                                    doc.is_object() && doc.value("cancel", false)};
  });
}

Status HttpTransport::AppendLog(const engine::JobAssignment& job, int64_t offset,
                                std::string_view data) {
  return pool_->With([&](http::HttpClient& client) -> Status {
    http::Headers headers{{"X-Lease-Token", job.lease_token},
                          {"Content-Type", "text/plain; charset=utf-8"}};
    auto response =
        client.Send("POST", AttemptPath(job, "log") + "?offset=" + std::to_string(offset),
                    std::string(data), headers);
    if (!response.ok()) return response.status();
    if (response->status != 200) return ErrorOf(*response, "log");
    return Status::Ok();
  });
}

Status HttpTransport::Finish(const engine::JobAssignment& job,
                             const runner::AttemptReport& report) {
  return pool_->With([&](http::HttpClient& client) -> Status {
    http::Headers headers{{"X-Lease-Token", job.lease_token}, {"Content-Type", "application/json"}};
    auto response = client.Send("POST", AttemptPath(job, "finish"),
                                runner::AttemptReportToJson(report), headers);
    if (!response.ok()) return response.status();
    if (response->status != 200) return ErrorOf(*response, "finish");
    return Status::Ok();
  });
}

Status HttpTransport::PutArtifacts(const engine::JobAssignment& job,
                                   const std::filesystem::path& archive,
                                   const CancelToken& cancel) {
  const int fd = open(archive.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + archive.string(), errno);
  struct stat st;
  const tree_archive::ByteSource file = tree_archive::FdSource(fd);
  Status status = fstat(fd, &st) != 0 ? ErrnoStatus("stat " + archive.string(), errno) : Status();
  if (status.ok()) {
    status = pool_->With([&](http::HttpClient& client) -> Status {
      http::Headers headers{{"X-Lease-Token", job.lease_token},
                            {"Content-Type", "application/vnd.slipway.tree-archive"}};
      auto response = client.Upload(
          "PUT", AttemptPath(job, "artifacts"),
          [&](char* data, size_t size) -> Result<size_t> {
            if (cancel.cancelled()) return Cancelled("cancelled while uploading the artifacts");
            return file(data, size);
          },
          static_cast<uint64_t>(st.st_size), headers);
      if (!response.ok()) return response.status();
      if (response->status != 200) return ErrorOf(*response, "upload artifacts");
      return Status::Ok();
    });
  }
  close(fd);
  return status;
}

Status HttpTransport::GetArtifacts(const engine::JobAssignment& job, const engine::ArtifactRef& ref,
                                   const std::filesystem::path& to) {
  const int fd = open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("create " + to.string(), errno);
  Status written;
  Status status = pool_->With([&](http::HttpClient& client) -> Status {
    http::Headers headers{{"X-Lease-Token", job.lease_token}};
    auto response = client.Download(
        AttemptPath(job, "artifacts/" + std::to_string(ref.attempt_id)),
        [&](std::string_view chunk) {
          written = WriteAll(fd, chunk, "write " + to.string());
          return written.ok();
        },
        headers);
    if (!response.ok()) return response.status();
    if (response->status != 200) return ErrorOf(*response, "download artifacts");
    return written;
  });
  if (close(fd) != 0 && status.ok()) status = ErrnoStatus("write " + to.string(), errno);
  return status;
}

Result<Registration> RegisterAgent(const std::string& server_url,
                                   const std::string& registration_token, const std::string& name,
                                   const std::vector<std::string>& labels, int capacity) {
  SLIPWAY_ASSIGN_OR_RETURN(auto client, NewClient(server_url, registration_token, kConnect));
  json body = {{"name", name}, {"labels", labels}, {"capacity", capacity}};
  SLIPWAY_ASSIGN_OR_RETURN(std::string answer,
                           client->PostJson("/api/v1/agents/register", body.dump()));
  json doc = json::parse(answer, nullptr, false);
  if (!doc.is_object() || !doc.contains("agent_id") || !doc.contains("token")) {
    return Internal("the server's answer to register has no agent_id or token");
  }
  return Registration{doc["agent_id"].get<int64_t>(), doc["token"].get<std::string>()};
}

}  // namespace slipway::agent
