// CancelToken: a one-way "stop now" flag that threads can check and poll() loops can wait on.
//
// Contract: Cancel() may be called from any thread, any number of times; the first call wins
// and later calls do nothing. cancelled() becomes true and stays true. wait_fd() is an eventfd
// that becomes readable when the token is cancelled and stays readable (nobody ever reads it),
// so any number of threads may include it in their poll() sets at once and each of them wakes.
// The fd is O_CLOEXEC and belongs to the token: callers must not read, write or close it.
// Cancel() is async-signal-safe, so a SIGINT handler (or a signalfd loop) may call it.
#pragma once

#include <atomic>
#include <chrono>

namespace slipway {

class CancelToken {
 public:
  // Creating the eventfd fails only when the process is out of file descriptors; that is
  // treated like running out of memory: the process aborts with a message.
  CancelToken();
  ~CancelToken();
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  void Cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  // Waits until the token is cancelled or `timeout` has passed; true when it is cancelled.
  // Signals interrupting the wait do not end it early.
  bool WaitFor(std::chrono::milliseconds timeout) const;
  // Waits until the token is cancelled.
  void Wait() const;

  // Readable (POLLIN) once cancelled; never readable before.
  int wait_fd() const { return fd_; }

 private:
  std::atomic<bool> cancelled_{false};
  int fd_ = -1;
};

}  // namespace slipway
