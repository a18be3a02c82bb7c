// PendingState and the PendingResponse facade over it.
#include "http/pending_state.h"

namespace slipway::http {
namespace internal {

PendingState::PendingState(milliseconds timeout, Response on_timeout)
    : timeout_(timeout), on_timeout_(std::move(on_timeout)) {}

bool PendingState::Complete(Response response) {
  std::lock_guard lock(mu_);
  if (decided_) return false;
  decided_ = true;
  if (deliver_) {
    deliver_(std::move(response));
    deliver_ = nullptr;
  } else {
    decided_response_ = std::move(response);
  }
  return true;
}

bool PendingState::TimeOut() {
  Response response;
  {
    std::lock_guard lock(mu_);
    if (decided_ || !on_timeout_) return false;
    response = std::move(*on_timeout_);
    on_timeout_.reset();
  }
  return Complete(std::move(response));
}

void PendingState::Cancel() {
  std::lock_guard lock(mu_);
  decided_ = true;
  deliver_ = nullptr;
}

bool PendingState::done() const {
  std::lock_guard lock(mu_);
  return decided_;
}

void PendingState::Attach(std::function<void(Response)> deliver) {
  std::lock_guard lock(mu_);
  if (decided_response_) {
    deliver(std::move(*decided_response_));
    decided_response_.reset();
  } else if (!decided_) {
    deliver_ = std::move(deliver);
  }
}

}  // namespace internal

std::shared_ptr<PendingResponse> PendingResponse::Create(milliseconds timeout,
                                                         Response on_timeout) {
  return std::make_shared<PendingResponse>(
      std::make_shared<internal::PendingState>(timeout, std::move(on_timeout)));
}

PendingResponse::PendingResponse(std::shared_ptr<internal::PendingState> state)
    : state_(std::move(state)) {}

bool PendingResponse::Complete(Response response) { return state_->Complete(std::move(response)); }
bool PendingResponse::done() const { return state_->done(); }

}  // namespace slipway::http
