// Test helpers for the proxy tests, over real loopback sockets:
//  - Backend: an HTTP/1.1 keep-alive server answering with its own name (thread per
//    connection, blocking Beast), which can be told to be slow, to answer a status, or to drop
//    connections without answering; it counts connections and remembers the last request.
//  - Client: a blocking keep-alive HTTP client.
#pragma once

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace slipway::proxy::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

class Backend {
 public:
  explicit Backend(std::string name) : name_(std::move(name)) {
    net::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    port_ = acceptor.local_endpoint().port();
    listen_fd_ = acceptor.release();
    stop_fd_ = eventfd(0, EFD_CLOEXEC);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~Backend() { Stop(); }
  Backend(const Backend&) = delete;
  Backend& operator=(const Backend&) = delete;

  // Closes the listener and every connection; later connects are refused.
  void Stop() {
    if (stopped_.exchange(true)) return;
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    accept_thread_.join();
    ::close(listen_fd_);
    {
      std::lock_guard lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : connection_threads_) t.join();
    ::close(stop_fd_);
  }

  uint16_t port() const { return port_; }
  const std::string& name() const { return name_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  std::atomic<int> delay_ms{0};                 // before each answer
  std::atomic<int> status{200};                 // of each answer
  std::atomic<bool> drop{false};                // close the connection instead of answering
  std::atomic<bool> close_after_answer{false};  // answer keep-alive, then close anyway

  int connections_accepted() const { return accepted_.load(); }
  int connections_open() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(open_fds_.size());
  }
  int requests() const { return requests_.load(); }
  // Waits until `predicate()` holds (true) or `timeout` passes (false).
  template <typename Predicate>
  bool WaitFor(Predicate predicate, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] {
      lock.unlock();
      const bool ok = predicate();
      lock.lock();
      return ok;
    });
  }
  // The last request's header fields (names lower-cased), target and body.
  std::map<std::string, std::string> last_headers() const {
    std::lock_guard lock(mu_);
    return last_headers_;
  }
  std::string last_target() const {
    std::lock_guard lock(mu_);
    return last_target_;
  }
  std::string last_body() const {
    std::lock_guard lock(mu_);
    return last_body_;
  }

 private:
  void AcceptLoop() {
    while (true) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents != 0) return;
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      std::lock_guard lock(mu_);
      open_fds_.push_back(fd);
      changed_.notify_all();
      connection_threads_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.assign(tcp::v4(), fd);
    beast::flat_buffer buffer;
    while (true) {
      bhttp::request<bhttp::string_body> request;
      beast::error_code ec;
      bhttp::read(socket, buffer, request, ec);
      if (ec) break;
      ++requests_;
      {
        std::lock_guard lock(mu_);
        last_headers_.clear();
        for (const auto& field : request) {
          std::string key(field.name_string());
          for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          last_headers_[key] = std::string(field.value());
        }
        last_target_ = std::string(request.target());
        last_body_ = request.body();
        changed_.notify_all();
      }
      if (drop.load()) break;
      if (int ms = delay_ms.load(); ms > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      }
      bhttp::response<bhttp::string_body> response(static_cast<bhttp::status>(status.load()), 11);
      response.set("X-Backend", name_);
      response.body() = name_;
      response.prepare_payload();
      response.keep_alive(request.keep_alive());
      bhttp::write(socket, response, ec);
      if (ec || !request.keep_alive() || close_after_answer.load()) break;
    }
    std::lock_guard lock(mu_);
    std::erase(open_fds_, fd);
    ::shutdown(fd, SHUT_RDWR);
    // The socket object closes fd when it goes out of scope (after the lock is released).
    changed_.notify_all();
  }

  const std::string name_;
  uint16_t port_ = 0;
  int listen_fd_ = -1, stop_fd_ = -1;
  std::atomic<bool> stopped_{false};
  std::atomic<int> accepted_{0}, requests_{0};
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::vector<int> open_fds_;
  std::map<std::string, std::string> last_headers_;
  std::string last_target_, last_body_;
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;
};

struct Reply {
  bool ok = false;  // false: connection or protocol error (see error)
  std::string error;
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class Client {
 public:
  explicit Client(uint16_t port) : port_(port), socket_(ioc_) {}

  // One request on the keep-alive connection (connecting first when there is none).
  Reply Send(const std::string& method, const std::string& target,
             const std::map<std::string, std::string>& headers = {}, const std::string& body = "") {
    Reply reply;
    beast::error_code ec;
    if (!socket_.is_open()) {
      socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
      if (ec) return Fail(reply, "connect: " + ec.message());
      ++connects_;
    }
    bhttp::request<bhttp::string_body> request(bhttp::string_to_verb(method), target, 11);
    request.set(bhttp::field::host, "proxy.test");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT") request.prepare_payload();
    bhttp::write(socket_, request, ec);
    if (ec) return Fail(reply, "write: " + ec.message());
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    if (method == "HEAD") parser.skip(true);
    bhttp::read(socket_, buffer_, parser, ec);
    if (ec) return Fail(reply, "read: " + ec.message());
    auto response = parser.release();
    reply.ok = true;
    reply.status = static_cast<int>(response.result_int());
    reply.body = response.body();
    for (const auto& field : response) {
      std::string key(field.name_string());
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[key] = std::string(field.value());
    }
    if (!response.keep_alive()) Close();
    return reply;
  }
  Reply Get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
    return Send("GET", target, headers);
  }
  void Close() {
    beast::error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
  }
  int connects() const { return connects_; }

 private:
  Reply& Fail(Reply& reply, std::string error) {
    reply.error = std::move(error);
    Close();
    return reply;
  }

  uint16_t port_;
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  int connects_ = 0;
};

// Sends `raw` bytes on a new connection and returns everything read until the server closes
// it (or 5 s pass).
inline std::string RawExchange(uint16_t port, const std::string& raw) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  timeval timeout{5, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  beast::error_code ec;
  net::write(socket, net::buffer(raw), ec);
  std::string out;
  char chunk[4096];
  while (true) {
    const size_t n = socket.read_some(net::buffer(chunk), ec);
    if (ec) break;
    out.append(chunk, n);
  }
  return out;
}

}  // namespace slipway::proxy::testing
