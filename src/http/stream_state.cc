// StreamState and the StreamWriter facade over it.
#include "http/stream_state.h"

#include "http/http.h"

namespace slipway::http {
namespace internal {

StreamState::StreamState(size_t high_water, std::function<void()> wake)
    : high_water_(high_water), wake_(std::move(wake)) {}

bool StreamState::Write(std::string_view data) {
  std::unique_lock lock(mu_);
  drained_.wait(lock, [&] { return gone_ || closed_ || unsent_ <= high_water_; });
  if (gone_ || closed_) return false;
  if (data.empty()) return true;
  queue_.emplace_back(data);
  unsent_ += data.size();
  if (!flush_scheduled_) {
    flush_scheduled_ = true;
    wake_();
  }
  return true;
}

void StreamState::Close() {
  std::lock_guard lock(mu_);
  if (closed_) return;
  closed_ = true;
  drained_.notify_all();
  if (!flush_scheduled_ && !gone_) {
    flush_scheduled_ = true;
    wake_();
  }
}

bool StreamState::gone() const {
  std::lock_guard lock(mu_);
  return gone_;
}

void StreamState::OnGone(std::function<void()> callback) {
  {
    std::lock_guard lock(mu_);
    if (!gone_) {
      on_gone_.push_back(std::move(callback));
      return;
    }
  }
  callback();
}

bool StreamState::Enqueue(std::string data) {
  std::lock_guard lock(mu_);
  if (gone_ || closed_) return false;
  unsent_ += data.size();
  queue_.push_back(std::move(data));
  if (flush_scheduled_) return false;
  flush_scheduled_ = true;
  return true;
}

StreamState::Batch StreamState::Take() {
  std::function<void()> released;  // destroyed after the unlock
  std::lock_guard lock(mu_);
  Batch batch;
  while (!queue_.empty()) {
    batch.data += queue_.front();
    queue_.pop_front();
  }
  batch.bytes = batch.data.size();
  if (closed_ && !last_taken_ && !aborted_) batch.last = last_taken_ = true;
  if (batch.empty()) flush_scheduled_ = false;
  if (batch.last) released.swap(wake_);  // no wake after the end: drop its connection ref
  return batch;
}

void StreamState::Sent(size_t bytes) {
  std::lock_guard lock(mu_);
  unsent_ -= bytes;
  drained_.notify_all();
}

void StreamState::MarkGone() {
  std::vector<std::function<void()>> callbacks;
  std::function<void()> released;  // destroyed unlocked: it may hold the last connection ref
  {
    std::lock_guard lock(mu_);
    if (gone_) return;
    gone_ = true;
    callbacks.swap(on_gone_);
    released.swap(wake_);
    drained_.notify_all();
  }
  for (auto& callback : callbacks) callback();
}

void StreamState::Abort() {
  {
    std::lock_guard lock(mu_);
    aborted_ = true;
  }
  MarkGone();
}

}  // namespace internal

StreamWriter::StreamWriter(std::shared_ptr<internal::StreamState> state)
    : state_(std::move(state)) {}
StreamWriter::~StreamWriter() { Close(); }
bool StreamWriter::Write(std::string_view data) { return state_->Write(data); }
void StreamWriter::Close() { state_->Close(); }
bool StreamWriter::client_gone() const { return state_->gone(); }
void StreamWriter::OnClientGone(std::function<void()> callback) {
  state_->OnGone(std::move(callback));
}

}  // namespace slipway::http
