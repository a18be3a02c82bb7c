// A paced HTTP load for the rollout traffic tests and the rollback benchmark: several threads,
// each with one keep-alive connection to a router's frontend, together sending about
// `per_second` GET / requests a second. Every request is recorded: when it was sent, when it
// was answered, and which revision answered (the first word of a 200 body, as the test server
// of deploy_test_util.h writes it). A connection error, a timeout or any answer but 200 is a
// failure, kept with what went wrong.
#pragma once

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "deploy/deploy.h"

namespace slipway::deploy::testing {

using LoadClock = std::chrono::steady_clock;

struct LoadAnswer {
  LoadClock::time_point sent, answered;
  std::string revision;  // "" when the request failed
  std::string error;     // what went wrong, when it failed
  bool failed() const { return revision.empty(); }
};

class TrafficLoad {
 public:
  struct Options {
    Endpoint frontend;
    int threads = 8;
    int per_second = 500;                      // all threads together
    std::chrono::milliseconds timeout{10000};  // per request (connect, send, answer)
  };

  explicit TrafficLoad(Options options) : options_(std::move(options)), started_(LoadClock::now()) {
    for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this, i] { Drive(i); });
  }
  ~TrafficLoad() { Stop(); }
  TrafficLoad(const TrafficLoad&) = delete;
  TrafficLoad& operator=(const TrafficLoad&) = delete;

  // Stops sending; returns once every thread has its last request answered (or timed out).
  void Stop() {
    stop_.store(true);
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

  LoadClock::time_point started() const { return started_; }

  // Every request answered (or failed) so far, in the order they finished.
  std::vector<LoadAnswer> Answers() const {
    std::lock_guard lock(mutex_);
    return answers_;
  }
  // Those sent at or after `since`.
  std::vector<LoadAnswer> AnswersSentSince(LoadClock::time_point since) const {
    std::lock_guard lock(mutex_);
    std::vector<LoadAnswer> out;
    std::copy_if(answers_.begin(), answers_.end(), std::back_inserter(out),
                 [&](const LoadAnswer& a) { return a.sent >= since; });
    return out;
  }
  size_t CountSentSince(LoadClock::time_point since) const {
    std::lock_guard lock(mutex_);
    return static_cast<size_t>(std::count_if(answers_.begin(), answers_.end(),
                                             [&](const LoadAnswer& a) { return a.sent >= since; }));
  }
  size_t total() const {
    std::lock_guard lock(mutex_);
    return answers_.size();
  }
  size_t failures() const {
    std::lock_guard lock(mutex_);
    return static_cast<size_t>(std::count_if(answers_.begin(), answers_.end(),
                                             [](const LoadAnswer& a) { return a.failed(); }));
  }
  // The first `n` failures, one a line: "+12.345 s: connect: Connection refused".
  std::string DescribeFailures(size_t n = 10) const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const LoadAnswer& a : answers_) {
      if (!a.failed()) continue;
      if (n-- == 0) break;
      char when[32];
      std::snprintf(when, sizeof when,
                    "+%.3f s: ", std::chrono::duration<double>(a.sent - started_).count());
      out += when + a.error + "\n";
    }
    return out;
  }

 private:
  // One keep-alive connection, driven with Beast's timed asynchronous operations on a private
  // io_context (blocking socket calls would have no deadline).
  class Connection {
   public:
    Connection(const Endpoint& frontend, std::chrono::milliseconds timeout)
        : endpoint_(boost::asio::ip::make_address(frontend.host), frontend.port),
          timeout_(timeout),
          stream_(ioc_) {}

    // GET / on the connection (connecting first when there is none). The revision that
    // answered, or the error.
    LoadAnswer Get() {
      namespace http = boost::beast::http;
      LoadAnswer answer;
      answer.sent = LoadClock::now();
      boost::beast::error_code ec;
      if (!open_) {
        stream_.expires_after(timeout_);
        stream_.async_connect(endpoint_, [&](boost::beast::error_code e) { ec = e; });
        Run();
        if (ec) return Fail(answer, "connect: " + ec.message());
        open_ = true;
      }
      http::request<http::empty_body> request(http::verb::get, "/", 11);
      request.set(http::field::host, "slipway.test");
      stream_.expires_after(timeout_);
      http::async_write(stream_, request, [&](boost::beast::error_code e, size_t) { ec = e; });
      Run();
      if (ec) return Fail(answer, "send: " + ec.message());
      http::response<http::string_body> response;
      http::async_read(stream_, buffer_, response,
                       [&](boost::beast::error_code e, size_t) { ec = e; });
      Run();
      if (ec) return Fail(answer, "read: " + ec.message());
      if (!response.keep_alive()) Close();
      answer.answered = LoadClock::now();
      if (response.result_int() != 200) {
        answer.error = "HTTP " + std::to_string(response.result_int()) + ": " + response.body();
        return answer;
      }
      const std::string& body = response.body();
      answer.revision = body.substr(0, body.find(' '));
      if (answer.revision.empty()) answer.error = "HTTP 200 with an empty body";
      return answer;
    }

   private:
    void Run() {
      ioc_.restart();
      ioc_.run();
    }
    void Close() {
      boost::beast::error_code ignored;
      stream_.socket().close(ignored);
      buffer_.clear();
      open_ = false;
    }
    LoadAnswer& Fail(LoadAnswer& answer, std::string error) {
      Close();
      answer.answered = LoadClock::now();
      answer.error = std::move(error);
      return answer;
    }

    const boost::asio::ip::tcp::endpoint endpoint_;
    const std::chrono::milliseconds timeout_;
    boost::asio::io_context ioc_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    bool open_ = false;
  };

  // One thread's share: a request every threads/per_second seconds, the threads staggered.
  // A thread that fell behind (a slow answer) does not burst to catch up.
  void Drive(int index) {
    const auto interval =
        std::chrono::duration_cast<LoadClock::duration>(std::chrono::duration<double>(
            static_cast<double>(options_.threads) / std::max(1, options_.per_second)));
    Connection connection(options_.frontend, options_.timeout);
    auto next = started_ + interval * index / options_.threads;
    while (!stop_.load()) {
      std::this_thread::sleep_until(next);
      if (stop_.load()) break;
      LoadAnswer answer = connection.Get();
      {
        std::lock_guard lock(mutex_);
        answers_.push_back(std::move(answer));
      }
      next += interval;
      if (const auto now = LoadClock::now(); next < now) next = now;
    }
  }

  const Options options_;
  const LoadClock::time_point started_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<LoadAnswer> answers_;
  std::vector<std::thread> threads_;  // last: they use everything above
};

}  // namespace slipway::deploy::testing
