// Connection: producer streams (chunked or fixed length), SSE keep-alives, deferred
// (long-poll) responses and the watch that notices a client going away while we wait.
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <charconv>

#include "http/connection.h"

namespace slipway::http::internal {
namespace {

std::optional<uint64_t> ParseLength(std::optional<std::string_view> header) {
  if (!header) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), v);
  if (ec != std::errc() || end != header->data() + header->size()) return std::nullopt;
  return v;
}

std::string Hex(size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, 16);
  return std::string(buf, end);
}

}  // namespace

void Connection::StartStream(Response& response) {
  state_ = State::kStreaming;
  sse_keepalive_ = response.sse_keepalive;
  fixed_length_ = ParseLength(response.headers.Get("Content-Length"));
  chunked_ = !fixed_length_ && version_ >= 11 && !is_head_;
  // Without a length or chunking, only closing the connection can end the body; after an
  // SSE stream the connection is not reused either (it ends on stop or client request).
  if (!fixed_length_ && !chunked_) keep_alive_ = false;
  if (sse_keepalive_.count() > 0) keep_alive_ = false;

  head_ = FormatHead(response.headers, fixed_length_, chunked_);
  stream_.expires_after(ctx_.options.write_timeout);
  if (is_head_) {  // HEAD: the head only; the producer never runs
    net::async_write(
        stream_, net::buffer(head_),
        [self = shared_from_this()](beast::error_code ec, size_t) { self->FinishResponse(ec); });
    return;
  }

  std::weak_ptr<Connection> weak = shared_from_this();
  auto strand = stream_.get_executor();
  stream_state_ = std::make_shared<StreamState>(
      ctx_.options.stream_buffer_bytes,
      [self = shared_from_this(), strand] { net::post(strand, [self] { self->FlushStream(); }); });
  writing_ = true;
  net::async_write(stream_, net::buffer(head_),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->writing_ = false;
                     if (ec) return self->Close();
                     self->head_written_ = true;
                     self->last_write_ = Clock::now();
                     self->FlushStream();
                   });
  if (sse_keepalive_.count() > 0) {
    last_write_ = Clock::now();
    WatchClient();
    ArmKeepalive();
    if (ctx_.stopping) EndStreamByServer();
  }
  net::post(ctx_.handlers,
            [producer = std::move(response.producer), state = stream_state_, weak, strand] {
              // This copy keeps the writer open until the producer returns or throws.
              auto writer = std::make_shared<StreamWriter>(state);
              try {
                producer(writer);
              } catch (...) {
                // A half-written body must not look complete: drop the connection.
                state->Abort();
                net::post(strand, [weak] {
                  if (auto self = weak.lock()) self->Close();
                });
              }
            });
}

void Connection::FlushStream() {
  if (closed_ || writing_ || !head_written_ || !stream_state_) return;
  StreamState::Batch batch = stream_state_->Take();
  if (batch.empty()) return;
  stream_sent_ += batch.bytes;
  if (fixed_length_ &&
      (stream_sent_ > *fixed_length_ || (batch.last && stream_sent_ != *fixed_length_))) {
    // The producer broke its own Content-Length: the client must see a broken response.
    stream_state_->MarkGone();
    return Close();
  }
  body_ = std::move(batch.data);
  chunk_prefix_.clear();
  chunk_suffix_.clear();
  if (chunked_) {
    if (batch.bytes > 0) {
      chunk_prefix_ = Hex(batch.bytes) + "\r\n";
      chunk_suffix_ = "\r\n";
    }
    if (batch.last) chunk_suffix_ += "0\r\n\r\n";
  }
  const std::array<net::const_buffer, 3> buffers = {net::buffer(chunk_prefix_), net::buffer(body_),
                                                    net::buffer(chunk_suffix_)};
  writing_ = true;
  last_write_ = Clock::now();
  stream_.expires_after(ctx_.options.write_timeout);
  net::async_write(stream_, buffers,
                   [self = shared_from_this(), bytes = batch.bytes, last = batch.last](
                       beast::error_code ec, size_t) {
                     self->writing_ = false;
                     if (ec) {
                       if (self->stream_state_) self->stream_state_->MarkGone();
                       return self->Close();
                     }
                     self->stream_state_->Sent(bytes);
                     if (last) {
                       self->timer_.cancel();
                       return self->FinishResponse({});
                     }
                     self->FlushStream();
                   });
}

// Stop: producers learn at once (Write() returns false), queued output and the final chunk
// still go out, then the connection closes.
void Connection::EndStreamByServer() {
  if (!stream_state_) return;
  keep_alive_ = false;
  stream_state_->MarkGone();
  stream_state_->Close();
  FlushStream();
}

void Connection::ArmKeepalive() {
  timer_.expires_at(last_write_ + sse_keepalive_);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed_ || self->state_ != State::kStreaming) return;
    if (Clock::now() >= self->last_write_ + self->sse_keepalive_) {
      self->last_write_ = Clock::now();
      // A comment also probes the connection: a half-open one fails the write.
      if (self->stream_state_->Enqueue(": keep-alive\n\n")) self->FlushStream();
    }
    self->ArmKeepalive();
  });
}

void Connection::StartDeferred(std::shared_ptr<PendingResponse> pending) {
  state_ = State::kDeferred;
  pending_ = std::move(pending);
  timer_.expires_after(pending_->state().timeout());
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && self->pending_) self->pending_->state().TimeOut();
  });
  WatchClient();
  // The callback may be run (and destroyed) on another thread after the server stopped, so it
  // holds nothing of the I/O context: only a weak reference. A live connection means a live
  // context to post to.
  std::weak_ptr<Connection> weak = shared_from_this();
  pending_->state().Attach([weak](Response response) {
    auto self = weak.lock();
    if (!self) return;
    net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
      self->OnDeferredDone(std::move(response));
    });
  });
  if (ctx_.stopping) pending_->state().TimeOut();
}

void Connection::OnDeferredDone(Response response) {
  if (closed_ || state_ != State::kDeferred) return;
  timer_.cancel();
  pending_.reset();
  if (watching_) {  // its completion (operation_aborted) resumes reading if we get there first
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
  }
  if (response.pending) {
    response = Response::JsonError(500, "internal", "a deferred response completed with another");
  }
  OnResponse(std::move(response));
}

// A read on the raw socket while we wait to send: EOF or an error means the client left.
// (beast::tcp_stream's timer would apply to it, so it bypasses the stream.)
void Connection::WatchClient() {
  if (watching_ || closed_) return;
  watching_ = true;
  stream_.socket().async_read_some(
      net::buffer(watch_buf_),
      net::bind_executor(
          stream_.get_executor(),
          [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnWatch(ec, n); }));
}

void Connection::OnWatch(beast::error_code ec, size_t n) {
  watching_ = false;
  if (closed_) return;
  const bool sse = state_ == State::kStreaming && sse_keepalive_.count() > 0;
  if (ec && ec != net::error::operation_aborted) return Close();  // the client went away
  if (!ec && !sse) {
    // A pipelined request behind the long-poll: keep it for the next head read.
    if (buffer_.size() + n <= ctx_.options.max_header_bytes) {
      net::buffer_copy(buffer_.prepare(n), net::buffer(watch_buf_.data(), n));
      buffer_.commit(n);
    } else {
      keep_alive_ = false;
    }
  }
  if (resume_after_watch_) {
    resume_after_watch_ = false;
    return ReadRequest();
  }
  // SSE keeps watching (bytes from an SSE client are ignored); a deferred response that
  // already received request bytes stops: they belong to the next request.
  if (sse || (state_ == State::kDeferred && ec)) WatchClient();
}

}  // namespace slipway::http::internal
