#include "util/cancel.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace slipway {

CancelToken::CancelToken() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0) {
    std::fprintf(stderr, "slipway: cannot create an eventfd for cancellation: %s\n",
                 std::strerror(errno));
    std::abort();
  }
}

CancelToken::~CancelToken() { close(fd_); }

void CancelToken::Cancel() {
  if (cancelled_.exchange(true, std::memory_order_acq_rel)) return;
  // The counter is never read, so one write keeps the fd readable forever. EAGAIN (counter
  // full) cannot happen for a single increment from zero; EINTR is retried.
  const uint64_t one = 1;
  while (write(fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

bool CancelToken::WaitFor(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fd{fd_, POLLIN, 0};
  while (!cancelled()) {
    // Rounded up: poll counts whole milliseconds, and the wait must not end early.
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const int rc = poll(&fd, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (rc == 0) break;  // the time is up
  }
  return cancelled();
}

void CancelToken::Wait() const {
  pollfd fd{fd_, POLLIN, 0};
  while (!cancelled()) (void)poll(&fd, 1, -1);
}

}  // namespace slipway
