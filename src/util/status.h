// Status and Result<T>: how every module reports failure across its public API.
//
// Contract: functions at a module boundary never throw; they return Status (no value) or
// Result<T> (a value or a Status). Exceptions from third-party libraries are caught at the
// boundary that calls them and turned into a Status with a message a user can act on.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace slipway {

// What kind of failure, so callers can branch without parsing messages.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (bad YAML, unknown flag, ...)
  kNotFound,         // a named thing does not exist
  kAlreadyExists,    // creating something that is there already
  kFailedPrecondition,
  kPermissionDenied,
  kResourceExhausted,  // a size or count limit was hit
  kDeadlineExceeded,
  kCancelled,
  kUnavailable,  // a dependency (process, disk, network) failed; retrying may help
  kInternal,     // a bug in slipway
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid argument: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Status from errno: "<what>: <strerror(err)>", code kUnavailable (or kNotFound for ENOENT).
Status ErrnoStatus(const std::string& what, int err);

// A value or the Status saying why there is none. Never holds an OK status without a value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace slipway

// Evaluates `expr` (a Status); returns it from the enclosing function when it is not OK.
#define SLIPWAY_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::slipway::Status slipway_status_ = (expr);        \
    if (!slipway_status_.ok()) return slipway_status_; \
  } while (0)

#define SLIPWAY_CONCAT_INNER(a, b) a##b
#define SLIPWAY_CONCAT(a, b) SLIPWAY_CONCAT_INNER(a, b)

// `SLIPWAY_ASSIGN_OR_RETURN(auto x, F());` declares x from a Result or returns its Status.
#define SLIPWAY_ASSIGN_OR_RETURN(decl, expr) \
  SLIPWAY_ASSIGN_OR_RETURN_IMPL(SLIPWAY_CONCAT(slipway_result_, __LINE__), decl, expr)
#define SLIPWAY_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  decl = std::move(tmp).value()
