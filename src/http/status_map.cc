// Status <-> HTTP status and JSON error codes, shared by server responses and the client.
#include "http/http.h"

namespace slipway::http {

int StatusToHttp(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 412;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kCancelled:
      return 499;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

std::string_view StatusCodeToErrorCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kAlreadyExists:
      return "already_exists";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::optional<StatusCode> ErrorCodeToStatusCode(std::string_view error_code) {
  static constexpr std::pair<std::string_view, StatusCode> kCodes[] = {
      {"invalid_argument", StatusCode::kInvalidArgument},
      {"bad_request", StatusCode::kInvalidArgument},
      {"method_not_allowed", StatusCode::kInvalidArgument},
      {"not_found", StatusCode::kNotFound},
      {"already_exists", StatusCode::kAlreadyExists},
      {"conflict", StatusCode::kAlreadyExists},
      {"failed_precondition", StatusCode::kFailedPrecondition},
      {"permission_denied", StatusCode::kPermissionDenied},
      {"unauthenticated", StatusCode::kPermissionDenied},
      {"unauthorized", StatusCode::kPermissionDenied},
      {"forbidden", StatusCode::kPermissionDenied},
      {"resource_exhausted", StatusCode::kResourceExhausted},
      {"payload_too_large", StatusCode::kResourceExhausted},
      {"header_too_large", StatusCode::kResourceExhausted},
      {"deadline_exceeded", StatusCode::kDeadlineExceeded},
      {"cancelled", StatusCode::kCancelled},
      {"unavailable", StatusCode::kUnavailable},
      {"internal", StatusCode::kInternal},
  };
  for (const auto& [name, code] : kCodes) {
    if (name == error_code) return code;
  }
  return std::nullopt;
}

}  // namespace slipway::http
