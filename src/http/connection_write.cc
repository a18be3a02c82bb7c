// Connection: writing buffered and file responses, finishing a request, closing.
#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/status.hpp>
#include <ctime>

#include "http/connection.h"

namespace slipway::http::internal {
namespace {

constexpr size_t kFileChunkBytes = 64 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= 32 || c >= 127 ||
        std::string_view("()<>@,;:\\\"/[]?={}").find(static_cast<char>(c)) !=
            std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// Framing headers belong to the server; fields that could split the head are dropped.
bool IsSendable(std::string_view name, std::string_view value) {
  if (!IsToken(name) || value.find_first_of("\r\n", 0) != std::string_view::npos ||
      value.find('\0') != std::string_view::npos) {
    return false;
  }
  for (std::string_view own : {"content-length", "transfer-encoding", "connection"}) {
    if (name.size() == own.size() && strncasecmp(name.data(), own.data(), own.size()) == 0) {
      return false;
    }
  }
  return true;
}

std::string HttpDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char out[40];
  const size_t n = std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(out, n);
}

bool HasNoBody(int status) { return status < 200 || status == 204 || status == 304; }

}  // namespace

std::string Connection::FormatHead(const Headers& headers, std::optional<uint64_t> content_length,
                                   bool chunked) const {
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status_));
  std::string head = "HTTP/1.1 " + std::to_string(status_) + " " + std::string(reason) + "\r\n";
  for (const auto& [name, value] : headers) {
    if (IsSendable(name, value)) head.append(name).append(": ").append(value).append("\r\n");
  }
  if (!headers.Has("Date")) head += "Date: " + HttpDate() + "\r\n";
  if (content_length) head += "Content-Length: " + std::to_string(*content_length) + "\r\n";
  if (chunked) head += "Transfer-Encoding: chunked\r\n";
  if (!keep_alive_) {
    head += "Connection: close\r\n";
  } else if (version_ < 11) {
    head += "Connection: keep-alive\r\n";
  }
  head += "\r\n";
  return head;
}

void Connection::OnResponse(Response response) {
  if (closed_) return;
  if (response.pending) return StartDeferred(std::move(response.pending));
  if (!body_done_) keep_alive_ = false;  // the rest of the body would be read as a request
  if (ctx_.stopping) keep_alive_ = false;
  if (response.status < 200 || response.status > 999) {
    response = Response::JsonError(500, "internal", "the handler returned an invalid status");
  }
  status_ = response.status;
  if (response.producer) return StartStream(response);
  if (response.file) return StartFile(response);
  WriteSimple(response);
}

void Connection::SendError(int status, std::string_view code, std::string_view message,
                           Headers extra) {
  if (!body_done_ || !request_) keep_alive_ = false;
  Response response = Response::JsonError(status, code, message);
  for (auto& [name, value] : extra) response.headers.Set(name, value);
  status_ = status;
  WriteSimple(response);
}

void Connection::WriteSimple(Response& response) {
  state_ = State::kWriting;
  const bool no_body = HasNoBody(status_);
  head_ = FormatHead(response.headers,
                     no_body ? std::nullopt : std::optional<uint64_t>(response.body.size()), false);
  body_ = (no_body || is_head_) ? std::string() : std::move(response.body);
  const std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::buffer(body_)};
  stream_.expires_after(ctx_.options.write_timeout);
  net::async_write(stream_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->FinishResponse(ec);
  });
}

void Connection::StartFile(Response& response) {
  const FileRange& range = *response.file;
  file_fd_ = ::open(range.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file_fd_ < 0) {
    status_ = 404;
    Response missing = Response::JsonError(404, "not_found", "no such file");
    return WriteSimple(missing);
  }
  state_ = State::kWriting;
  file_offset_ = range.offset;
  file_left_ = is_head_ ? 0 : range.length;
  head_ = FormatHead(response.headers, range.length, false);
  stream_.expires_after(ctx_.options.write_timeout);
  net::async_write(stream_, net::buffer(head_),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) return self->FinishResponse(ec);
                     self->WriteFileChunk();
                   });
}

// Reads the next piece with pread() on the I/O thread: local files, 64 KiB at a time.
void Connection::WriteFileChunk() {
  if (file_left_ == 0) return FinishResponse({});
  scratch_.resize(kFileChunkBytes);
  const size_t want = static_cast<size_t>(std::min<uint64_t>(file_left_, scratch_.size()));
  const ssize_t got = ::pread(file_fd_, scratch_.data(), want, static_cast<off_t>(file_offset_));
  if (got <= 0) {
    // The file shrank under us: the promised length cannot be met, so the connection must end.
    return FinishResponse(net::error::make_error_code(net::error::eof));
  }
  file_offset_ += static_cast<uint64_t>(got);
  file_left_ -= static_cast<uint64_t>(got);
  stream_.expires_after(ctx_.options.write_timeout);
  net::async_write(stream_, net::buffer(scratch_.data(), static_cast<size_t>(got)),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     if (ec) return self->FinishResponse(ec);
                     self->WriteFileChunk();
                   });
}

void Connection::FinishResponse(beast::error_code ec) {
  if (closed_) return;
  Log();
  if (ec) return Close();
  if (!keep_alive_ || ctx_.stopping) return LingerClose();
  ReadRequest();
}

// After our last byte, the client may still be sending (an unread body): closing at once
// would reset the connection and could destroy our response in the client's buffers. So
// half-close, then read and discard until the client closes or kLingerTime passes.
void Connection::LingerClose() {
  state_ = State::kClosing;
  SetBusy(false);
  beast::error_code ignored;
  if (watching_) stream_.socket().cancel(ignored);  // Drain() takes over reading
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  Drain();
}

void Connection::Drain() {
  scratch_.resize(kFileChunkBytes);
  stream_.async_read_some(net::buffer(scratch_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) return self->Close();
                            self->Drain();
                          });
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  state_ = State::kClosed;
  if (!logged_) {
    if (pending_) status_ = 499;  // nginx's "client closed request"
    Log();
  }
  if (stream_state_) stream_state_->MarkGone();
  if (pending_) pending_->state().Cancel();
  timer_.cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  SetBusy(false);
}

void Connection::Log() {
  if (logged_) return;
  logged_ = true;
  if (!ctx_.options.access_log) return;
  AccessLogEntry entry;
  if (request_) {
    entry.method = request_->method;
    entry.target = RedactTarget(request_->target);
  }
  entry.status = status_;
  entry.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - started_);
  entry.remote_address = remote_;
  try {
    ctx_.options.access_log(entry);
  } catch (...) {
    // A failing log hook must not take the connection down.
  }
}

}  // namespace slipway::http::internal
