// Traffic for deploy tests: GET / to a base URL from a thread, one request every `pause`,
// counting answers by "status body" ("error …" when a request fails), until destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "http/http.h"

namespace slipway::e2e {

class RequestLoad {
 public:
  RequestLoad(std::string base_url, std::chrono::milliseconds pause)
      : thread_([this, base_url = std::move(base_url), pause] {
          http::ClientOptions options;
          options.base_url = base_url;
          options.request_timeout = std::chrono::seconds(5);
          auto client = http::HttpClient::Create(options);
          if (!client.ok()) return;
          while (!stop_.load()) {
            auto answer = (*client)->Send("GET", "/");
            {
              std::lock_guard lock(mutex_);
              ++counts_[answer.ok() ? std::to_string(answer->status) + " " + answer->body
                                    : "error " + answer.status().message()];
            }
            std::this_thread::sleep_for(pause);
          }
        }) {}
  ~RequestLoad() {
    stop_ = true;
    thread_.join();
  }
  RequestLoad(const RequestLoad&) = delete;
  RequestLoad& operator=(const RequestLoad&) = delete;

  // The answers counted since the last call.
  std::map<std::string, int> TakeCounts() {
    std::lock_guard lock(mutex_);
    return std::exchange(counts_, {});
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::map<std::string, int> counts_;
  std::thread thread_;  // last: starts once the members it uses exist
};

}  // namespace slipway::e2e
