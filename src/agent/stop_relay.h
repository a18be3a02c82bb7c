// Cancels an agent's running jobs when the agent stops, from one thread for the whole agent
// rather than a watcher thread per job. Private to the agent.
#pragma once

#include <mutex>
#include <set>
#include <thread>

#include "util/cancel.h"

namespace slipway::agent {

class StopRelay {
 public:
  // `stop` must outlive this object.
  explicit StopRelay(const CancelToken& stop);
  ~StopRelay();
  StopRelay(const StopRelay&) = delete;
  StopRelay& operator=(const StopRelay&) = delete;

  // While it exists, `job` is cancelled when the agent stops (at once when it already has).
  class Watch {
   public:
    Watch(StopRelay* relay, CancelToken* job);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

   private:
    StopRelay* const relay_;
    CancelToken* const job_;
  };

 private:
  void Loop();

  const CancelToken& stop_;
  CancelToken done_;  // ends the thread
  std::mutex mutex_;  // guards watched_
  std::set<CancelToken*> watched_;
  std::thread thread_;
};

}  // namespace slipway::agent
