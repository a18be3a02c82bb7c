#include "util/cancel.h"

#include <sys/eventfd.h>
#include <unistd.h>

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

}  // namespace slipway
