#include "util/signal_watcher.h"

#include <poll.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>

namespace slipway {

SignalWatcher::SignalWatcher(CancelToken* first, CancelToken* second)
    : first_(first), second_(second) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &mask, &previous_mask_);
  signal_fd_ = signalfd(-1, &mask, SFD_CLOEXEC);
  if (signal_fd_ >= 0) thread_ = std::thread([this] { Watch(); });
}

SignalWatcher::~SignalWatcher() {
  stop_.Cancel();
  if (thread_.joinable()) thread_.join();
  if (signal_fd_ >= 0) close(signal_fd_);
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void SignalWatcher::Watch() {
  while (true) {
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {stop_.wait_fd(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    signalfd_siginfo info;
    if (read(signal_fd_, &info, sizeof info) == sizeof info) {
      int expected = 0;
      if (signal_.compare_exchange_strong(expected, static_cast<int>(info.ssi_signo))) {
        first_->Cancel();
      } else if (second_ != nullptr) {
        second_->Cancel();
      }
    }
  }
}

}  // namespace slipway
