// The upstream half of a session: a pooled or new connection, the request, the answer.
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include "proxy/headers.h"
#include "proxy/session.h"
#include "proxy/wire.h"

namespace slipway::proxy::internal {
namespace {

bool Idempotent(bhttp::verb method) {
  switch (method) {
    case bhttp::verb::get:
    case bhttp::verb::head:
    case bhttp::verb::options:
    case bhttp::verb::put:
    case bhttp::verb::delete_:
    case bhttp::verb::trace:
      return true;
    default:
      return false;
  }
}

}  // namespace

void Session::Forward(const Endpoint& endpoint, bool allow_idle) {
  endpoint_ = &endpoint;
  upstream_timed_out_ = false;
  if (allow_idle) {
    // A request that can be sent again needs no liveness check of a recently used connection.
    upstream_ = worker_.upstreams.TakeIdle(endpoint.key, SteadyClock::now(),
                                           !replaced_stale_ && Idempotent(request_.method()));
  }
  if (upstream_) return WriteUpstream();
  upstream_ = std::make_unique<UpstreamConnection>(worker_.ioc, endpoint.key);
  upstream_deadline_ = SteadyClock::now() + std::chrono::seconds(options_.upstream_timeout_seconds);
  net::async_connect(upstream_->socket, endpoint.addresses,
                     [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                       self->OnConnect(ec);
                     });
}

void Session::OnConnect(beast::error_code ec) {
  if (ec) return UpstreamFailed(ec, true);
  beast::error_code ignored;
  upstream_->socket.set_option(tcp::no_delay(true), ignored);
  WriteUpstream();
}

void Session::WriteUpstream() {
  upstream_deadline_ = SteadyClock::now() + std::chrono::seconds(options_.upstream_timeout_seconds);
  RenderHead(request_, wire_head_);
  const std::array<net::const_buffer, 2> wire = {net::buffer(wire_head_),
                                                 net::buffer(request_.body())};
  net::async_write(
      upstream_->socket, wire,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnUpstreamWrite(ec); });
}

void Session::OnUpstreamWrite(beast::error_code ec) {
  if (ec) return UpstreamFailed(ec, false);
  ReadUpstream();
}

void Session::ReadUpstream() {
  response_parser_.emplace();
  response_parser_->body_limit(options_.max_body_bytes);
  response_parser_->header_limit(
      static_cast<uint32_t>(std::min<size_t>(options_.max_header_bytes * 4, 1 << 20)));
  if (head_) response_parser_->skip(true);  // an answer to HEAD has no body
  bhttp::async_read(
      upstream_->socket, upstream_->buffer, *response_parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnUpstreamRead(ec); });
}

void Session::OnUpstreamRead(beast::error_code ec) {
  if (ec) return UpstreamFailed(ec, false);
  const unsigned status = response_parser_->get().result_int();
  if (status >= 100 && status < 200) {
    // An interim answer (we never forward Expect, but an upstream may send one anyway).
    return ReadUpstream();
  }
  AnswerFromUpstream();
}

void Session::UpstreamFailed(beast::error_code ec, bool connect_failed) {
  const bool nothing_answered = !response_parser_ || !response_parser_->got_some();
  const bool was_reused = upstream_ && upstream_->reused;
  const bool timed_out = upstream_timed_out_;
  upstream_.reset();
  upstream_deadline_ = SteadyClock::time_point::max();
  upstream_timed_out_ = false;
  response_parser_.reset();
  if (timed_out) {
    upstream_failure_ = true;
    return Reply(504, "upstream timed out", false);
  }
  // A pooled connection the upstream closed just as it was reused (a keep-alive timeout
  // racing the request): a new one to the same endpoint, once. Only for idempotent methods:
  // the upstream may have read the request before closing.
  if (was_reused && nothing_answered && !replaced_stale_ && Idempotent(request_.method())) {
    replaced_stale_ = true;
    return Forward(*endpoint_, false);
  }
  // Nothing was sent: another endpoint of the same pool, once.
  if (connect_failed && !tried_other_endpoint_ && pool_->endpoints.size() > 1) {
    tried_other_endpoint_ = true;
    const Endpoint* next = &pool_->NextEndpoint();
    if (next == endpoint_) next = &pool_->NextEndpoint();
    if (next != endpoint_) return Forward(*next, true);
  }
  upstream_failure_ = true;
  Reply(502, "upstream failed: " + ec.message(), false);
}

void Session::AnswerFromUpstream() {
  const bool reusable = response_parser_->keep_alive();
  upstream_deadline_ = SteadyClock::time_point::max();
  response_ = response_parser_->release();
  response_parser_.reset();
  if (reusable) {
    worker_.upstreams.Release(std::move(upstream_), SteadyClock::now());
  } else {
    upstream_.reset();
  }
  const unsigned status = response_.result_int();
  StripHopByHop(response_);
  response_.version(client_version_);
  // The body was read whole: its length is known (a HEAD answer keeps the upstream's).
  if (!head_ && status != 204 && status != 304) {
    response_.content_length(response_.body().size());
  }
  Finish(static_cast<int>(status));
}

void Session::Finish(int status) {
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started_).count();
  pool_->stats->Record(seconds, status, upstream_failure_);
  if (set_cookie_) {
    response_.insert(bhttp::field::set_cookie,
                     options_.sticky_cookie + "=" + pool_->name + "; Path=/; HttpOnly");
  }
  Send();
}

}  // namespace slipway::proxy::internal
