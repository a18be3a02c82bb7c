#include "deploy/net_io.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace slipway::deploy {
namespace {

using Clock = std::chrono::steady_clock;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Waits until `fd` has `events` or the deadline passes; false on timeout.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;  // let the following call report the error
  }
}

Status ConnectError(const SocketAddress& address, const std::string& why) {
  return Unavailable("cannot connect to " + address.ToString() + ": " + why);
}

// A connected non-blocking socket, or why there is none.
Result<std::unique_ptr<Socket>> Connect(const SocketAddress& address, Clock::time_point deadline) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_UNIX;
  if (!address.unix_path.empty()) {
    auto* un = reinterpret_cast<sockaddr_un*>(&storage);
    if (address.unix_path.size() >= sizeof(un->sun_path)) {
      return InvalidArgument("unix socket path too long: " + address.unix_path);
    }
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, address.unix_path.c_str(), address.unix_path.size() + 1);
    length = sizeof(sockaddr_un);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    std::string host = address.tcp.host;  // "[::1]" as ParseEndpoint leaves it → "::1"
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    if (inet_pton(AF_INET, host.c_str(), &in4->sin_addr) == 1) {
      family = in4->sin_family = AF_INET;
      in4->sin_port = htons(address.tcp.port);
      length = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
      family = in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(address.tcp.port);
      length = sizeof(sockaddr_in6);
    } else {
      return InvalidArgument("'" + address.tcp.host + "' is not an IP address");
    }
  }
  auto socket =
      std::make_unique<Socket>(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (socket->get() < 0) return ErrnoStatus("socket", errno);
  if (connect(socket->get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) return ConnectError(address, std::strerror(errno));
    if (!WaitFor(socket->get(), POLLOUT, deadline)) return ConnectError(address, "timed out");
    int error = 0;
    socklen_t error_length = sizeof(error);
    getsockopt(socket->get(), SOL_SOCKET, SO_ERROR, &error, &error_length);
    if (error != 0) return ConnectError(address, std::strerror(error));
  }
  return socket;
}

Status SendAll(const Socket& socket, std::string_view bytes, const SocketAddress& address,
               Clock::time_point deadline) {
  while (!bytes.empty()) {
    const ssize_t n = send(socket.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (!WaitFor(socket.get(), POLLOUT, deadline)) {
        return Status(StatusCode::kDeadlineExceeded,
                      "sending to " + address.ToString() + " timed out");
      }
      continue;
    }
    return Unavailable("sending to " + address.ToString() + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace

std::string SocketAddress::ToString() const {
  return unix_path.empty() ? tcp.ToString() : unix_path;
}

SocketAddress ParseSocketAddress(std::string_view text) {
  SocketAddress address;
  if (text.find('/') == std::string_view::npos) {
    Result<Endpoint> endpoint = ParseEndpoint(text);
    if (endpoint.ok()) {
      address.tcp = *endpoint;
      return address;
    }
  }
  address.unix_path = std::string(text);
  return address;
}

Status ProbeConnect(const SocketAddress& address, std::chrono::milliseconds timeout) {
  Result<std::unique_ptr<Socket>> socket = Connect(address, Clock::now() + timeout);
  return socket.status();
}

Result<std::string> Exchange(const SocketAddress& address, std::string_view request,
                             std::chrono::milliseconds timeout, size_t max_bytes) {
  const Clock::time_point deadline = Clock::now() + timeout;
  SLIPWAY_ASSIGN_OR_RETURN(std::unique_ptr<Socket> socket, Connect(address, deadline));
  SLIPWAY_RETURN_IF_ERROR(SendAll(*socket, request, address, deadline));
  std::string answer;
  char buffer[16384];
  while (true) {
    const ssize_t n = recv(socket->get(), buffer, sizeof(buffer), 0);
    if (n > 0) {
      answer.append(buffer, static_cast<size_t>(n));
      if (answer.size() > max_bytes) {
        return ResourceExhausted("answer from " + address.ToString() + " exceeds " +
                                 std::to_string(max_bytes) + " bytes");
      }
      continue;
    }
    if (n == 0) return answer;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      if (!WaitFor(socket->get(), POLLIN, deadline)) {
        return Status(StatusCode::kDeadlineExceeded, "no complete answer from " +
                                                         address.ToString() + " within " +
                                                         std::to_string(timeout.count()) + " ms");
      }
      continue;
    }
    return Unavailable("reading from " + address.ToString() + ": " + std::strerror(errno));
  }
}

Result<HttpAnswer> HttpGet(const Endpoint& endpoint, std::string_view path,
                           std::chrono::milliseconds timeout) {
  SocketAddress address;
  address.tcp = endpoint;
  const std::string request = "GET " + std::string(path) +
                              " HTTP/1.0\r\nHost: " + endpoint.ToString() +
                              "\r\nConnection: close\r\n\r\n";
  SLIPWAY_ASSIGN_OR_RETURN(std::string answer, Exchange(address, request, timeout));
  // "HTTP/1.x NNN reason"
  const size_t space = answer.find(' ');
  if (!answer.starts_with("HTTP/") || space == std::string::npos || answer.size() < space + 4) {
    return Unavailable("GET http://" + endpoint.ToString() + std::string(path) +
                       ": not an HTTP answer");
  }
  HttpAnswer result;
  for (size_t i = space + 1; i < space + 4; ++i) {
    if (answer[i] < '0' || answer[i] > '9') {
      return Unavailable("GET http://" + endpoint.ToString() + std::string(path) +
                         ": malformed status line");
    }
    result.status = result.status * 10 + (answer[i] - '0');
  }
  const size_t body = answer.find("\r\n\r\n");
  if (body != std::string::npos) result.body = answer.substr(body + 4);
  return result;
}

}  // namespace slipway::deploy
