// An in-process HTTP server that answers whatever the test sets (a garbage body, an HTTP
// error, a well-formed answer) and remembers the last request it got: a metric source
// misbehaving in ways a real one rarely does on cue.
#pragma once

#include <mutex>
#include <string>

#include "provider_test_util.h"

namespace slipway::verify::testing {

class FakeSource {
 public:
  // Serves GET and POST on every path in `paths`.
  explicit FakeSource(const std::vector<std::string>& paths) {
    http::Router router;
    for (const std::string& path : paths) {
      for (const char* method : {"GET", "POST"}) {
        router.Add(method, path, [this](http::Request& request) { return Handle(request); });
      }
    }
    server_ = StartServer(std::move(router));
  }

  void Answer(int status, std::string body, std::string content_type = "application/json") {
    std::lock_guard lock(mu_);
    answer_ = http::Response::Text(status, std::move(body), std::move(content_type));
    hang_ = false;
  }
  // Answers nothing for 5 s, then `late` (a client that waited that long did not time out).
  void Hang(http::Response late) {
    std::lock_guard lock(mu_);
    answer_ = std::move(late);
    hang_ = true;
  }
  http::Request last_request() const {
    std::lock_guard lock(mu_);
    return last_request_;
  }
  std::string base_url() const { return server_->base_url(); }
  std::string host_port() const { return "127.0.0.1:" + std::to_string(server_->port()); }

 private:
  http::Response Handle(http::Request& request) {
    std::lock_guard lock(mu_);
    last_request_ = request;
    if (!hang_) return answer_;
    return http::Response::Deferred(http::PendingResponse::Create(5000ms, answer_));
  }

  mutable std::mutex mu_;
  http::Response answer_ = http::Response::Text(500, "no answer set");
  bool hang_ = false;
  http::Request last_request_;
  std::unique_ptr<http::Server> server_;  // last: stopped first
};

}  // namespace slipway::verify::testing
