// Turns SIGINT and SIGTERM into CancelTokens, without a signal handler.
//
// The constructor blocks both signals in the calling thread (threads started afterwards
// inherit the mask) and watches them through a signalfd on a thread of its own. The first
// signal cancels `first` and is remembered for the exit status; a second one cancels `second`
// (a user pressing Ctrl-C again means "stop now, skip the clean-up"). Child processes are
// unaffected: RunProcess resets the signal mask in every child. Construct it in main() before
// starting any other thread; the destructor stops the watcher and restores the previous mask.
#pragma once

#include <atomic>
#include <csignal>
#include <thread>

#include "util/cancel.h"

namespace slipway {

class SignalWatcher {
 public:
  // `second` may be null.
  SignalWatcher(CancelToken* first, CancelToken* second);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // The first signal received (SIGINT or SIGTERM), 0 when none.
  int signal() const { return signal_.load(); }

  // The conventional exit status for it: 130 for SIGINT, 143 for SIGTERM.
  int ExitStatus() const { return 128 + signal(); }

 private:
  void Watch();

  CancelToken* first_;
  CancelToken* second_;
  sigset_t previous_mask_;
  int signal_fd_ = -1;
  CancelToken stop_;
  std::atomic<int> signal_{0};
  std::thread thread_;
};

}  // namespace slipway
