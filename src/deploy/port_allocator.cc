#include "deploy/port_allocator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace slipway::deploy {
namespace {

Result<uint16_t> KernelPort(const std::string& host) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, host.c_str(), &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    family = in6->sin6_family = AF_INET6;
    length = sizeof(sockaddr_in6);
  } else {
    return InvalidArgument("instance host '" + host + "' is not an IP address");
  }
  const int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus("socket", errno);
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) == 0) {
    port = ntohs(family == AF_INET ? in4->sin_port : in6->sin6_port);
  }
  const int error = errno;
  close(fd);
  if (port == 0) return ErrnoStatus("choosing a free port on " + host, error);
  return port;
}

}  // namespace

Result<uint16_t> AllocatePort(const std::string& host, const std::set<uint16_t>& taken) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    SLIPWAY_ASSIGN_OR_RETURN(uint16_t port, KernelPort(host));
    if (!taken.contains(port)) return port;
  }
  return ResourceExhausted("no free port on " + host + " after 20 attempts");
}

}  // namespace slipway::deploy
