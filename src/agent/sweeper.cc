#include "agent/sweeper.h"

#include "util/fs.h"

namespace slipway::agent {

Sweeper::Sweeper() : thread_([this] { Loop(); }) {}

Sweeper::~Sweeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Sweeper::Remove(std::filesystem::path path) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(path));
  }
  wake_.notify_one();
}

void Sweeper::Drain() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void Sweeper::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to remove
    const std::filesystem::path path = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    (void)RemoveTree(path);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) drained_.notify_all();
  }
}

}  // namespace slipway::agent
