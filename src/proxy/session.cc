#include "proxy/session.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include "proxy/headers.h"
#include "proxy/wire.h"

namespace slipway::proxy::internal {
namespace {

std::string AddressOf(const Socket& socket) {
  beast::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  return ec ? std::string() : remote.address().to_string();
}

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

std::chrono::seconds Seconds(int n) { return std::chrono::seconds(std::max(1, n)); }

}  // namespace

Session::Session(Worker& worker, Socket socket)
    : worker_(worker),
      options_(worker.context.options),
      client_(std::move(socket)),
      client_address_(AddressOf(client_)) {
  beast::error_code ignored;
  client_.set_option(tcp::no_delay(true), ignored);
}

void Session::Start() {
  net::dispatch(client_.get_executor(), [self = shared_from_this()] {
    self->worker_.sweep.Watch(self);
    self->ReadHead();
  });
}

void Session::SetClientDeadline(std::chrono::seconds timeout) {
  client_deadline_ = SteadyClock::now() + timeout;
}

void Session::CheckDeadlines(SteadyClock::time_point now) {
  beast::error_code ignored;
  if (now >= client_deadline_) {
    // Ends the pending read or write (operation_aborted): the session closes.
    client_deadline_ = SteadyClock::time_point::max();
    client_.close(ignored);
  }
  if (now >= upstream_deadline_ && upstream_) {
    // Ends the pending connect, write or read: UpstreamFailed answers 504.
    upstream_deadline_ = SteadyClock::time_point::max();
    upstream_timed_out_ = true;
    upstream_->socket.close(ignored);
  }
}

void Session::ReadHead() {
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(
      std::min<size_t>(options_.max_header_bytes, std::numeric_limits<uint32_t>::max())));
  parser_->body_limit(options_.max_body_bytes);
  // Waiting for a request is the idle keep-alive time; it also bounds a slow head and body.
  SetClientDeadline(Seconds(options_.client_idle_timeout_seconds));
  bhttp::async_read_header(
      client_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHead(ec); });
}

void Session::OnHead(beast::error_code ec) {
  if (ec) return OnClientError(ec);
  started_ = SteadyClock::now();
  if (parser_->is_done()) return Route();
  if (!ExpectsContinue(parser_->get())) return ReadBody();
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  net::async_write(client_, net::buffer(kContinue.data(), kContinue.size()),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) return self->Close();
                     self->ReadBody();
                   });
}

void Session::ReadBody() {
  bhttp::async_read(
      client_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (ec) return OnClientError(ec);
  Route();
}

void Session::OnClientError(beast::error_code ec) {
  if (ec == bhttp::error::header_limit) {
    return Reply(431, "request header fields too large", true);
  }
  if (ec == bhttp::error::body_limit) return Reply(413, "request body too large", true);
  if (IsHttpParseError(ec) && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return Reply(400, "malformed request: " + ec.message(), true);
  }
  Close();  // the client went away, or was idle too long
}

void Session::Route() {
  client_deadline_ = SteadyClock::time_point::max();  // the upstream's deadline applies now
  request_ = parser_->release();
  parser_.reset();
  client_version_ = request_.version();
  keep_alive_ = request_.keep_alive();
  head_ = request_.method() == bhttp::verb::head;
  upstream_failure_ = tried_other_endpoint_ = replaced_stale_ = false;

  table_ = worker_.CurrentTable();
  RouteHints hints;
  auto header = [&](std::string_view name) {
    auto it = request_.find(name);
    return it == request_.end() ? std::string_view()
                                : std::string_view(it->value().data(), it->value().size());
  };
  hints.canary = header("X-Slipway-Canary");
  hints.pool = header("X-Slipway-Pool");
  if (!options_.sticky_cookie.empty()) hints.cookie = CookieValue(request_, options_.sticky_cookie);
  const RouteChoice choice = ChoosePool(*table_, hints, worker_.Random());
  pool_ = choice.pool;
  if (pool_ == nullptr) {
    worker_.context.telemetry.CountUnrouted();
    table_.reset();
    return Reply(503, "no upstream pool can take this request", false);
  }
  set_cookie_ = choice.drawn && !options_.sticky_cookie.empty();

  // The request as it goes upstream: HTTP/1.1 keep-alive, no hop-by-hop fields, the body's
  // exact length (a chunked body was read whole), the client's address appended.
  const bool had_body =
      !request_.body().empty() || request_.has_content_length() || request_.chunked();
  StripHopByHop(request_);
  request_.erase(bhttp::field::expect);
  if (had_body) request_.content_length(request_.body().size());
  request_.version(11);
  AddForwardedFor(request_, client_address_);
  Forward(pool_->NextEndpoint(), true);
}

void Session::Reply(int status, std::string_view message, bool close) {
  if (close) keep_alive_ = false;
  response_ = Response(static_cast<bhttp::status>(status), client_version_);
  response_.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  response_.set(bhttp::field::server, "slipway-proxy");
  response_.body().assign(message.data(), message.size());
  response_.body() += '\n';
  response_.prepare_payload();
  if (head_) response_.body().clear();  // Content-Length stays: what a GET would have had
  if (pool_ != nullptr) return Finish(status);
  Send();
}

void Session::Send() {
  RenderHead(response_, keep_alive_, wire_head_);
  SetClientDeadline(Seconds(options_.client_idle_timeout_seconds));
  const std::array<net::const_buffer, 2> wire = {net::buffer(wire_head_),
                                                 net::buffer(response_.body())};
  net::async_write(client_, wire,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnSent(ec); });
}

void Session::OnSent(beast::error_code ec) {
  client_deadline_ = SteadyClock::time_point::max();
  table_.reset();
  pool_ = nullptr;
  endpoint_ = nullptr;
  if (ec) return Close();
  if (!keep_alive_) return Linger();
  ReadHead();
}

// After an answer with `Connection: close`, the client may still be sending (an oversized
// body): closing at once would reset the connection and could destroy the answer in flight.
// Half-close, then drain what comes for a moment before closing.
void Session::Linger() {
  beast::error_code ignored;
  client_.shutdown(tcp::socket::shutdown_send, ignored);
  SetClientDeadline(std::chrono::seconds(2));
  Drain();
}

void Session::Drain() {
  buffer_.consume(buffer_.size());
  client_.async_read_some(buffer_.prepare(16 * 1024),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->Close();
                            self->Drain();
                          });
}

void Session::Close() {
  beast::error_code ignored;
  client_.shutdown(tcp::socket::shutdown_both, ignored);
  client_.close(ignored);
  client_deadline_ = upstream_deadline_ = SteadyClock::time_point::max();
  upstream_.reset();
}

}  // namespace slipway::proxy::internal
