#include "agent/log_shipper.h"

namespace slipway::agent {
namespace {

// A chunk the server will take in one request (its limit is 1 MiB).
constexpr size_t kMaxChunk = 512 << 10;

}  // namespace

LogShipper::LogShipper(Transport* transport, std::chrono::milliseconds flush,
                       std::chrono::milliseconds retry_delay)
    : transport_(transport), flush_(flush), retry_delay_(retry_delay) {
  thread_ = std::thread([this] { Loop(); });
}

LogShipper::~LogShipper() {
  Close();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LogShipper::Begin(const engine::JobAssignment* job) {
  {
    std::lock_guard lock(mutex_);
    job_ = job;
    pending_.clear();
    sent_ = 0;
    closing_ = lease_lost_ = false;
  }
  wake_.notify_all();
}

void LogShipper::Line(std::string_view line) {
  std::lock_guard lock(mutex_);
  pending_.append(line);
  pending_ += '\n';
  if (pending_.size() >= kMaxChunk) wake_.notify_all();
}

bool LogShipper::SendPending(std::unique_lock<std::mutex>& lock) {
  while (!pending_.empty() && !lease_lost_) {
    const std::string chunk = pending_.substr(0, kMaxChunk);
    const int64_t offset = sent_;
    lock.unlock();
    Status status = transport_->AppendLog(*job_, offset, chunk);
    lock.lock();
    if (status.ok()) {
      pending_.erase(0, chunk.size());
      sent_ += static_cast<int64_t>(chunk.size());
    } else if (status.code() == StatusCode::kFailedPrecondition) {
      lease_lost_ = true;
    } else {
      return false;  // the server is unreachable: keep the bytes, try again later
    }
  }
  return !lease_lost_;
}

void LogShipper::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    // Between jobs, and once Close took over the final delivery, the thread only waits.
    wake_.wait(lock, [this] { return stopping_ || (job_ != nullptr && !closing_); });
    if (stopping_) return;
    wake_.wait_for(lock, flush_,
                   [this] { return stopping_ || closing_ || pending_.size() >= kMaxChunk; });
    if (stopping_ || closing_) continue;
    shipping_ = true;
    const bool sent = SendPending(lock);
    shipping_ = false;
    idle_.notify_all();
    if (!sent && !lease_lost_) {
      wake_.wait_for(lock, retry_delay_, [this] { return stopping_ || closing_; });
    }
  }
}

bool LogShipper::Close() {
  std::unique_lock lock(mutex_);
  if (job_ == nullptr) return true;
  closing_ = true;
  wake_.notify_all();
  idle_.wait(lock, [this] { return !shipping_; });  // a send in flight finishes first
  // Final delivery: keep trying while the server is away; stop when the lease is gone.
  for (int tries = 0; tries < 600 && !SendPending(lock) && !lease_lost_; ++tries) {
    lock.unlock();
    std::this_thread::sleep_for(retry_delay_);
    lock.lock();
  }
  const bool delivered = pending_.empty() && !lease_lost_;
  job_ = nullptr;
  return delivered;
}

}  // namespace slipway::agent
