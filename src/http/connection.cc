// Connection: reading requests, routing them and running handlers on the pool.
#include "http/connection.h"

#include <strings.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <future>

#include "http/target.h"

namespace slipway::http::internal {
namespace {

constexpr size_t kFirstReadBytes = 4096;
constexpr size_t kStreamReadBytes = 64 * 1024;

bool IsParseError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream;
}

std::string Endpoint(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const std::string address = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(ep.port());
}

}  // namespace

// A streamed body that has no bytes (no Content-Length, or 0): handlers always get a reader.
class EmptyBodyReader : public BodyReader {
 public:
  Result<size_t> Read(char*, size_t) override { return size_t{0}; }
};

// The handler's view of a streamed body: each Read() posts one read to the connection's
// strand and waits for it. The pool thread blocks, the I/O threads do not.
class StreamBodyReader : public BodyReader {
 public:
  explicit StreamBodyReader(Connection& connection) : connection_(connection) {}

  Result<size_t> Read(char* data, size_t size) override {
    if (size == 0) return size_t{0};
    std::promise<Result<size_t>> promise;
    auto self = connection_.shared_from_this();
    net::post(connection_.stream_.get_executor(), [&promise, self, data, size] {
      self->ReadBodySome(data, size, [&promise](Result<size_t> r) { promise.set_value(r); });
    });
    return promise.get_future().get();
  }

 private:
  Connection& connection_;
};

Connection::Connection(ServerContext& ctx, tcp::socket socket)
    : ctx_(ctx),
      stream_(std::move(socket)),
      timer_(stream_.get_executor()),
      remote_(Endpoint(stream_.socket())) {
  // Responses go out in few, large writes; Nagle would hold each one's tail for an ACK.
  beast::error_code ignored;
  stream_.socket().set_option(tcp::no_delay(true), ignored);
}

Connection::~Connection() {
  // Users may hold the stream or pending state longer than the connection lives.
  if (stream_state_) stream_state_->MarkGone();
  if (pending_) pending_->state().Cancel();
  if (file_fd_ >= 0) ::close(file_fd_);
  SetBusy(false);
  ctx_.Unregister(this);
}

void Connection::Start() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
}

void Connection::ForceClose() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

void Connection::BeginStop() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    switch (self->state_) {
      case State::kIdle:
      case State::kReadingHead:
        self->Close();
        break;
      case State::kDeferred:
        if (self->pending_) self->pending_->state().TimeOut();
        break;
      case State::kStreaming:
        if (self->sse_keepalive_.count() > 0) self->EndStreamByServer();
        break;
      default:
        break;  // finishes with Connection: close (FinishResponse checks ctx_.stopping)
    }
  });
}

void Connection::SetBusy(bool busy) {
  if (busy_ == busy) return;
  busy_ = busy;
  ctx_.AddBusy(busy ? 1 : -1);
}

void Connection::ResetRequest() {
  head_parser_.reset();
  body_parser_.reset();
  stream_parser_.reset();
  request_.reset();
  body_reader_.reset();
  route_ = nullptr;
  body_done_ = true;
  expect_continue_ = false;
  is_head_ = false;
  status_ = 0;
  logged_ = true;
  head_.clear();
  body_.clear();
  if (file_fd_ >= 0) ::close(file_fd_);
  file_fd_ = -1;
  stream_state_.reset();
  head_written_ = false;
  fixed_length_.reset();
  stream_sent_ = 0;
  sse_keepalive_ = milliseconds(0);
  pending_.reset();
}

void Connection::ReadRequest() {
  ResetRequest();
  state_ = State::kIdle;
  SetBusy(false);
  if (closed_) return;
  if (ctx_.stopping) return Close();
  if (watching_) {  // the watch read is still pending: it resumes us when it completes
    resume_after_watch_ = true;
    return;
  }
  if (buffer_.size() > 0) return ReadHead();
  // Waiting for the first byte is the idle keep-alive time; the head timeout starts after.
  stream_.expires_after(ctx_.options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->buffer_.commit(n);
                            if (ec || n == 0) return self->Close();
                            self->ReadHead();
                          });
}

void Connection::ReadHead() {
  state_ = State::kReadingHead;
  head_parser_.emplace();
  head_parser_->header_limit(static_cast<uint32_t>(ctx_.options.max_header_bytes));
  head_parser_->body_limit(boost::none);  // route limits apply once the route is known
  stream_.expires_after(ctx_.options.header_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *head_parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHead(ec); });
}

void Connection::OnHead(beast::error_code ec) {
  started_ = Clock::now();
  if (ec) {
    keep_alive_ = false;
    if (ec == bhttp::error::header_limit) {
      logged_ = false;
      SetBusy(true);
      return SendError(
          431, "header_too_large",
          "request head exceeds " + std::to_string(ctx_.options.max_header_bytes) + " bytes");
    }
    if (IsParseError(ec) && ec != bhttp::error::partial_message) {
      logged_ = false;
      SetBusy(true);
      return SendError(400, "bad_request", "malformed request: " + ec.message());
    }
    return Close();  // closed, reset, timed out (slow head) or stopping
  }
  SetBusy(true);
  logged_ = false;
  auto& head = head_parser_->get();
  request_ = std::make_unique<Request>();
  request_->method = std::string(head.method_string());
  request_->target = std::string(head.target());
  request_->remote_address = remote_;
  for (const auto& field : head) {
    request_->headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  version_ = head.version();
  keep_alive_ = head.keep_alive();
  is_head_ = request_->method == "HEAD";
  body_done_ = !head_parser_->chunked() && head_parser_->content_length().value_or(0) == 0;
  const auto expect = request_->headers.Get("Expect");
  expect_continue_ =
      !body_done_ && expect && strcasecmp(std::string(*expect).c_str(), "100-continue") == 0;
  RouteRequest();
}

void Connection::RouteRequest() {
  auto target = ParseTarget(request_->target);
  if (!target.ok()) return SendError(400, "bad_request", target.status().message());
  request_->path = std::move(target->path);
  request_->query = std::move(target->query);

  Router::Match match = ctx_.router.Find(request_->method, request_->path);
  if (match.kind == Router::Match::Kind::kNotFound) {
    return SendError(404, "not_found", "no route for " + request_->path);
  }
  if (match.kind == Router::Match::Kind::kMethodNotAllowed) {
    std::string allow;
    for (const std::string& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    return SendError(405, "method_not_allowed",
                     request_->method + " is not allowed on " + request_->path,
                     Headers{{"Allow", allow}});
  }
  route_ = match.route;
  request_->params = std::move(match.params);
  const RouteOptions& options = ctx_.router.options(*route_);
  body_limit_ = options.max_body.value_or(ctx_.options.max_body_bytes);
  const auto length = head_parser_->content_length();
  if (length && *length > body_limit_) {
    return SendError(413, "payload_too_large",
                     "request body of " + std::to_string(*length) + " bytes exceeds the limit of " +
                         std::to_string(body_limit_) + " bytes");
  }
  if (body_done_) {
    if (options.streaming_body) {
      static EmptyBodyReader empty;
      request_->body_reader = &empty;
    }
    return Dispatch();
  }
  if (options.streaming_body) {
    stream_parser_.emplace(std::move(*head_parser_));
    stream_parser_->body_limit(body_limit_);
    body_reader_ = std::make_unique<StreamBodyReader>(*this);
    request_->body_reader = body_reader_.get();
    return Dispatch();
  }
  ReadBufferedBody(body_limit_);
}

void Connection::ReadBufferedBody(uint64_t limit) {
  state_ = State::kReadingBody;
  body_parser_.emplace(std::move(*head_parser_));
  body_parser_->body_limit(limit);
  auto read = [self = shared_from_this()] {
    self->stream_.expires_after(self->ctx_.options.body_timeout);
    bhttp::async_read(
        self->stream_, self->buffer_, *self->body_parser_, [self](beast::error_code ec, size_t) {
          if (ec == bhttp::error::body_limit) {
            return self->SendError(413, "payload_too_large",
                                   "request body exceeds the limit of " +
                                       std::to_string(self->body_limit_) + " bytes");
          }
          if (ec && IsParseError(ec) && ec != bhttp::error::partial_message) {
            return self->SendError(400, "bad_request", "malformed request body: " + ec.message());
          }
          if (ec) return self->Close();
          self->body_done_ = true;
          self->request_->body = std::move(self->body_parser_->get().body());
          self->Dispatch();
        });
  };
  if (expect_continue_) return WriteContinue(std::move(read));
  read();
}

void Connection::WriteContinue(std::function<void()> next) {
  static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  expect_continue_ = false;
  stream_.expires_after(ctx_.options.write_timeout);
  net::async_write(
      stream_, net::buffer(kContinue),
      [self = shared_from_this(), next = std::move(next)](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        next();
      });
}

void Connection::Dispatch() {
  state_ = State::kHandling;
  net::post(ctx_.handlers, [self = shared_from_this()] {
    Response response = self->ctx_.router.Invoke(*self->route_, *self->request_);
    net::post(self->stream_.get_executor(),
              [self, r = std::move(response)]() mutable { self->OnResponse(std::move(r)); });
  });
}

void Connection::ReadBodySome(char* data, size_t size, std::function<void(Result<size_t>)> done) {
  if (closed_) return done(Unavailable("connection closed"));
  if (stream_parser_->is_done()) {
    body_done_ = true;
    return done(size_t{0});
  }
  if (expect_continue_) {
    return WriteContinue([this, data, size, done] { ReadBodySome(data, size, done); });
  }
  // Beast sizes socket reads by the buffer's free capacity: give a streamed body room.
  if (buffer_.capacity() < kStreamReadBytes) buffer_.reserve(kStreamReadBytes);
  auto& body = stream_parser_->get().body();
  body.data = data;
  body.size = size;
  body.more = true;
  stream_.expires_after(ctx_.options.body_timeout);
  bhttp::async_read_some(
      stream_, buffer_, *stream_parser_,
      [self = shared_from_this(), data, size, done](beast::error_code ec, size_t) {
        if (ec == bhttp::error::need_buffer) ec = {};
        const size_t got = size - self->stream_parser_->get().body().size;
        if (ec == bhttp::error::body_limit) {
          return done(Status(
              StatusCode::kResourceExhausted,
              "request body exceeds the limit of " + std::to_string(self->body_limit_) + " bytes"));
        }
        if (ec == beast::error::timeout) {
          return done(Status(StatusCode::kDeadlineExceeded, "request body stalled"));
        }
        if (ec) return done(Unavailable("reading the request body: " + ec.message()));
        if (self->stream_parser_->is_done()) self->body_done_ = true;
        if (got == 0 && !self->body_done_) return self->ReadBodySome(data, size, done);
        done(got);
      });
}

}  // namespace slipway::http::internal
