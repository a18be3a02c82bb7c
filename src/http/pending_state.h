// The shared state of a PendingResponse: decided exactly once, by the first of Complete()
// (user thread), TimeOut() (server: timer or Stop) or Cancel() (server: client gone).
#pragma once

#include <functional>
#include <mutex>
#include <optional>

#include "http/http.h"

namespace slipway::http::internal {

class PendingState {
 public:
  PendingState(milliseconds timeout, Response on_timeout);

  bool Complete(Response response);
  bool TimeOut();
  void Cancel();
  bool done() const;
  milliseconds timeout() const { return timeout_; }

  // Server: from now on the deciding response goes to `deliver` (which must only post to the
  // connection's strand); if it was decided already, `deliver` gets it now.
  void Attach(std::function<void(Response)> deliver);

 private:
  mutable std::mutex mu_;
  const milliseconds timeout_;
  std::optional<Response> on_timeout_;
  bool decided_ = false;
  std::optional<Response> decided_response_;  // decided before Attach
  std::function<void(Response)> deliver_;
};

}  // namespace slipway::http::internal
