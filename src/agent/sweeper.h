// Removes finished jobs' directories on a thread of its own. Private to the agent.
//
// Removing a job's directory took 9 ms on average on a loaded machine (the file system frees
// the blocks of what the job wrote), and it sat between a job's end and the worker's next
// lease. Handed to the sweeper, it no longer delays the result or the next job.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

namespace slipway::agent {

class Sweeper {
 public:
  Sweeper();
  // Removes what is still queued, then stops the thread.
  ~Sweeper();
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  // Queues `path` (a file or a directory tree) for removal; errors are ignored, as a leftover
  // directory harms nothing but disk space.
  void Remove(std::filesystem::path path);

  // Waits until everything queued so far is removed (for tests).
  void Drain();

 private:
  void Loop();

  std::mutex mutex_;
  std::condition_variable wake_, drained_;
  std::deque<std::filesystem::path> queue_;
  bool busy_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace slipway::agent
