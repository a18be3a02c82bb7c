// Response factories.
#include <nlohmann/json.hpp>

#include "http/http.h"

namespace slipway::http {

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.headers.Set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

Response Response::Json(int status, std::string json) {
  return Text(status, std::move(json), "application/json");
}

Response Response::JsonError(int status, std::string_view code, std::string_view message) {
  const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  // Messages may quote user input: invalid UTF-8 is replaced rather than thrown on.
  return Json(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response Response::FromStatus(const Status& status) {
  if (status.ok()) return NoContent();
  return JsonError(StatusToHttp(status.code()), StatusCodeToErrorCode(status.code()),
                   status.message());
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  return r;
}

Response Response::Stream(std::string content_type, Producer producer) {
  Response r;
  r.headers.Set("Content-Type", std::move(content_type));
  r.producer = std::move(producer);
  return r;
}

Response Response::Sse(Producer producer, milliseconds keepalive) {
  Response r = Stream("text/event-stream", std::move(producer));
  r.headers.Set("Cache-Control", "no-cache");
  // Reverse proxies (nginx) would otherwise buffer the stream.
  r.headers.Set("X-Accel-Buffering", "no");
  r.sse_keepalive = keepalive;
  return r;
}

Response Response::Deferred(std::shared_ptr<PendingResponse> pending) {
  Response r;
  r.pending = std::move(pending);
  return r;
}

}  // namespace slipway::http
