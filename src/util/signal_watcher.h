// Turns SIGINT and SIGTERM into a CancelToken, without a signal handler.
//
// The constructor blocks both signals in the calling thread (threads started afterwards
// inherit the mask) and watches them through a signalfd on a thread of its own; the first one
// cancels the token and is remembered for the exit status. Child processes are unaffected:
// RunProcess resets the signal mask in every child. Construct it in main() before starting
// any other thread; the destructor stops the watcher and restores the previous mask.
#pragma once

#include <atomic>
#include <csignal>
#include <thread>

#include "util/cancel.h"

namespace slipway {

class SignalWatcher {
 public:
  explicit SignalWatcher(CancelToken* token);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // The first signal received (SIGINT or SIGTERM), 0 when none.
  int signal() const { return signal_.load(); }

  // The conventional exit status for it: 130 for SIGINT, 143 for SIGTERM.
  int ExitStatus() const { return 128 + signal(); }

 private:
  void Watch();

  CancelToken* token_;
  sigset_t previous_mask_;
  int signal_fd_ = -1;
  CancelToken stop_;
  std::atomic<int> signal_{0};
  std::thread thread_;
};

}  // namespace slipway
