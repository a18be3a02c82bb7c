// HttpClient: one keep-alive connection driven synchronously. Each socket operation is an
// async Beast operation run to completion on a private io_context, so beast::tcp_stream's
// deadlines apply (plain sync Beast calls cannot time out).
#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <mutex>
#include <thread>

#include "http/client_internal.h"
#include "http/http.h"
#include "http/sse_parser.h"

namespace slipway::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kChunkBytes = 64 * 1024;

bool IsHttpError(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
}

// A transport failure as a Status naming the request, never its headers.
Status TransportError(const beast::error_code& ec, const std::string& what, milliseconds timeout,
                      uint64_t limit) {
  if (ec == beast::error::timeout) {
    return Unavailable(what + ": timed out after " + std::to_string(timeout.count()) + " ms");
  }
  if (ec == net::error::connection_refused) return Unavailable(what + ": connection refused");
  if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
      ec == bhttp::error::partial_message) {
    return Unavailable(what + ": connection closed by the server");
  }
  if (ec == net::error::connection_reset || ec == net::error::broken_pipe) {
    return Unavailable(what + ": connection reset");
  }
  if (ec == bhttp::error::body_limit) {
    return ResourceExhausted(what + ": response larger than " + std::to_string(limit) + " bytes");
  }
  if (IsHttpError(ec)) return Unavailable(what + ": malformed response: " + ec.message());
  return Unavailable(what + ": " + ec.message());
}

bool IsIdempotent(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}) {
    if (method == m) return true;
  }
  return false;
}

Headers ToHeaders(const bhttp::fields& fields) {
  Headers out;
  for (const auto& f : fields) out.Add(std::string(f.name_string()), std::string(f.value()));
  return out;
}

}  // namespace

class HttpClient::Impl {
 public:
  Impl(ClientOptions options, internal::BaseUrl base)
      : options_(std::move(options)), base_(std::move(base)), stream_(ioc_) {
    // Beast sizes each socket read by the buffer's free capacity (at least 512 bytes):
    // without room, a streamed body would arrive 512 bytes per system call.
    buffer_.reserve(kChunkBytes);
  }

  Result<ClientResponse> Send(std::string_view method, std::string_view path, std::string body,
                              const Headers& headers) {
    std::lock_guard lock(mu_);
    const std::string target = Target(path);
    const std::string what = What(method, target);
    for (int attempt = 0;; ++attempt) {
      const bool reused = PrepareConnection();
      if (!connected_) SLIPWAY_RETURN_IF_ERROR(Connect(what));
      bhttp::request<bhttp::string_body> req{bhttp::verb::unknown, target, 11};
      req.method_string(method);
      SetHeaders(req, headers);
      req.body() = body;
      req.prepare_payload();
      const auto deadline = Clock::now() + options_.request_timeout;
      stream_.expires_at(deadline);
      beast::error_code write_ec =
          Run([&](auto handler) { bhttp::async_write(stream_, req, std::move(handler)); });
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(options_.max_response_bytes);
      if (method == "HEAD") parser.skip(true);
      // Even after a failed write, the server may have answered (413 before the body).
      stream_.expires_at(deadline);
      beast::error_code ec = Run(
          [&](auto handler) { bhttp::async_read(stream_, buffer_, parser, std::move(handler)); });
      if (ec) {
        Disconnect();
        // A reused connection the server closed while idle: nothing was processed, retry.
        if (reused && attempt == 0 && !parser.got_some() && ec != beast::error::timeout &&
            IsIdempotent(method)) {
          continue;
        }
        return TransportError(write_ec ? write_ec : ec, what, options_.request_timeout,
                              options_.max_response_bytes);
      }
      return Finish(parser.release(), write_ec);
    }
  }

  Result<ClientResponse> Download(std::string_view path, const BodySink& sink,
                                  const Headers& headers) {
    std::lock_guard lock(mu_);
    const std::string target = Target(path);
    const std::string what = What("GET", target);
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(boost::none);  // streamed: size is the sink's business
    SLIPWAY_RETURN_IF_ERROR(StartGet(target, what, headers, parser));
    ClientResponse response{
        static_cast<int>(parser.get().result_int()), ToHeaders(parser.get().base()), {}};
    const bool ok = response.status >= 200 && response.status < 300;
    std::string buffer(kChunkBytes, '\0');
    while (!parser.is_done()) {
      SLIPWAY_ASSIGN_OR_RETURN(size_t n, ReadSome(parser, buffer, what, options_.request_timeout));
      if (n == 0) continue;
      if (!ok) {  // an error answer: keep (a bounded part of) it for the caller
        if (response.body.size() < options_.max_response_bytes) response.body.append(buffer, 0, n);
        continue;
      }
      if (!sink(std::string_view(buffer.data(), n))) {
        Disconnect();  // the rest of the body is still coming: this connection is spent
        return response;
      }
    }
    if (!parser.get().keep_alive()) Disconnect();
    return response;
  }

  Result<ClientResponse> Upload(std::string_view method, std::string_view path,
                                const BodySource& source, std::optional<uint64_t> length,
                                const Headers& headers) {
    std::lock_guard lock(mu_);
    const std::string target = Target(path);
    const std::string what = What(method, target);
    PrepareConnection();
    if (!connected_) SLIPWAY_RETURN_IF_ERROR(Connect(what));
    bhttp::request<bhttp::empty_body> req{bhttp::verb::unknown, target, 11};
    req.method_string(method);
    SetHeaders(req, headers);
    if (length) {
      req.content_length(*length);
    } else {
      req.chunked(true);
    }
    bhttp::request_serializer<bhttp::empty_body> serializer{req};
    stream_.expires_after(options_.request_timeout);
    beast::error_code ec = Run(
        [&](auto handler) { bhttp::async_write_header(stream_, serializer, std::move(handler)); });
    Status body_status = ec ? Status::Ok() : WriteBody(source, length, what, ec);
    if (!body_status.ok()) {
      Disconnect();
      return body_status;
    }
    // After a failed write (the server refused the body), its answer may still be readable.
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    stream_.expires_after(options_.request_timeout);
    beast::error_code read_ec =
        Run([&](auto handler) { bhttp::async_read(stream_, buffer_, parser, std::move(handler)); });
    if (read_ec) {
      Disconnect();
      return TransportError(ec ? ec : read_ec, what, options_.request_timeout,
                            options_.max_response_bytes);
    }
    return Finish(parser.release(), ec);
  }

  Status StreamEvents(std::string_view path, const SseOptions& options,
                      const std::function<bool(const SseEvent&)>& on_event) {
    std::string last_id = options.last_event_id;
    int reconnects = 0;  // made since the last connection that delivered an event
    while (true) {
      StreamOutcome outcome = StreamOnce(path, last_id, on_event);
      if (outcome.stop) return outcome.status;
      if (outcome.delivered) reconnects = 0;
      if (reconnects >= options.max_reconnects) return outcome.status;
      ++reconnects;
      std::this_thread::sleep_for(options.reconnect_delay);
    }
  }

 private:
  struct StreamOutcome {
    Status status;           // OK for a clean end of the stream
    bool stop = false;       // reconnecting makes no sense: the callback said stop, or an error
                             // answer, or 204 (the SSE way of saying "do not reconnect")
    bool delivered = false;  // at least one event reached the callback
  };

  // One SSE connection, resuming after `last_id`, which it advances as events are dispatched.
  StreamOutcome StreamOnce(std::string_view path, std::string& last_id,
                           const std::function<bool(const SseEvent&)>& on_event) {
    std::lock_guard lock(mu_);
    const std::string target = Target(path);
    const std::string what = What("GET", target);
    Headers headers{{"Accept", "text/event-stream"}, {"Cache-Control", "no-cache"}};
    if (!last_id.empty()) headers.Set("Last-Event-ID", last_id);
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(boost::none);
    StreamOutcome outcome;
    outcome.status = StartGet(target, what, headers, parser);
    if (!outcome.status.ok()) return outcome;  // unreachable, refused, reset: try again
    const int status = static_cast<int>(parser.get().result_int());
    std::string buffer(kChunkBytes, '\0');
    if (status != 200) {
      outcome.stop = true;
      std::string body;
      while (!parser.is_done() && body.size() < 64 * 1024) {
        auto n = ReadSome(parser, buffer, what, options_.request_timeout);
        if (!n.ok()) break;  // the status line says enough
        body.append(buffer, 0, *n);
      }
      Disconnect();
      if (status != 204) outcome.status = internal::ErrorFromResponse(what, status, body);
      return outcome;
    }
    internal::SseParser sse(last_id);
    while (!parser.is_done()) {
      auto n = ReadSome(parser, buffer, what, options_.stream_idle_timeout);
      if (!n.ok()) {
        outcome.status = n.status();  // broken: the caller may reconnect
        return outcome;
      }
      for (const SseEvent& event : sse.Feed(std::string_view(buffer.data(), *n))) {
        outcome.delivered = true;
        if (!on_event(event)) {
          outcome.stop = true;
          Disconnect();
          return outcome;
        }
      }
      // After the events, not before: an event is delivered before it counts as received.
      // A block with an id but no data moves the resume point too.
      last_id = sse.last_event_id();
    }
    Disconnect();  // a clean end: the caller may reconnect, resuming after last_id
    return outcome;
  }

  // Writes a GET and reads the response head into `parser`. Like Send, retries once on a new
  // connection when a reused one turns out closed before any answer (GET is idempotent).
  template <class Parser>
  Status StartGet(const std::string& target, const std::string& what, const Headers& headers,
                  Parser& parser) {
    for (int attempt = 0;; ++attempt) {
      const bool reused = PrepareConnection();
      if (!connected_) SLIPWAY_RETURN_IF_ERROR(Connect(what));
      bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
      SetHeaders(req, headers);
      stream_.expires_after(options_.request_timeout);
      beast::error_code ec =
          Run([&](auto handler) { bhttp::async_write(stream_, req, std::move(handler)); });
      if (!ec) {
        stream_.expires_after(options_.request_timeout);
        ec = Run([&](auto handler) {
          bhttp::async_read_header(stream_, buffer_, parser, std::move(handler));
        });
      }
      if (!ec) return Status::Ok();
      Disconnect();
      if (reused && attempt == 0 && !parser.got_some() && ec != beast::error::timeout) continue;
      return TransportError(ec, what, options_.request_timeout, options_.max_response_bytes);
    }
  }

  // Reads the next piece of a buffer_body response into `buffer`; 0 bytes is possible
  // (chunk framing only).
  Result<size_t> ReadSome(bhttp::response_parser<bhttp::buffer_body>& parser, std::string& buffer,
                          const std::string& what, milliseconds timeout) {
    auto& body = parser.get().body();
    body.data = buffer.data();
    body.size = buffer.size();
    stream_.expires_after(timeout);
    beast::error_code ec = Run([&](auto handler) {
      bhttp::async_read_some(stream_, buffer_, parser, std::move(handler));
    });
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      Disconnect();
      return TransportError(ec, what, timeout, 0);
    }
    return buffer.size() - body.size;
  }

  Status WriteBody(const BodySource& source, std::optional<uint64_t> length,
                   const std::string& what, beast::error_code& ec) {
    std::string buffer(kChunkBytes, '\0');
    uint64_t sent = 0;
    while (true) {
      SLIPWAY_ASSIGN_OR_RETURN(size_t n, source(buffer.data(), buffer.size()));
      if (n > buffer.size()) return InvalidArgument(what + ": body source overran its buffer");
      if (length && sent + n > *length) {
        return InvalidArgument(what + ": body longer than its declared length");
      }
      if (n == 0 && length && sent != *length) {
        return InvalidArgument(what + ": body shorter than its declared length");
      }
      sent += n;
      std::string prefix, suffix;
      if (!length) {
        if (n > 0) {
          char hex[24];
          auto [end, e] = std::to_chars(hex, hex + sizeof hex, n, 16);
          prefix.assign(hex, end) += "\r\n";
          suffix = "\r\n";
        }
        if (n == 0) suffix = "0\r\n\r\n";
      }
      const std::array<net::const_buffer, 3> buffers = {
          net::buffer(prefix), net::buffer(buffer.data(), n), net::buffer(suffix)};
      stream_.expires_after(options_.request_timeout);
      ec = Run([&](auto handler) { net::async_write(stream_, buffers, std::move(handler)); });
      if (ec || n == 0) return Status::Ok();
    }
  }

  Result<ClientResponse> Finish(bhttp::response<bhttp::string_body> message,
                                beast::error_code write_ec) {
    if (write_ec || !message.keep_alive()) Disconnect();
    return ClientResponse{static_cast<int>(message.result_int()), ToHeaders(message.base()),
                          std::move(message.body())};
  }

  template <class Request>
  void SetHeaders(Request& req, const Headers& headers) {
    req.set(bhttp::field::host, base_.host_header);
    req.set(bhttp::field::user_agent, "slipway/" SLIPWAY_VERSION);
    for (const auto& [name, value] : options_.default_headers) {
      if (!headers.Has(name)) req.insert(name, value);
    }
    for (const auto& [name, value] : headers) req.insert(name, value);
    req.keep_alive(true);
  }

  // Runs one async operation to completion; the stream's deadline bounds it.
  template <class Initiate>
  beast::error_code Run(Initiate&& initiate) {
    beast::error_code result = net::error::would_block;
    initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  // Drops a kept-alive connection the server has closed meanwhile (it is readable: EOF or
  // stray bytes). Returns whether a connection is being reused.
  bool PrepareConnection() {
    if (!connected_) return false;
    pollfd pfd{stream_.socket().native_handle(), POLLIN, 0};
    if (buffer_.size() > 0 || ::poll(&pfd, 1, 0) != 0) Disconnect();
    return connected_;
  }

  Status Connect(const std::string& what) {
    Disconnect();
    tcp::resolver resolver(ioc_);
    beast::error_code ec;
    // Numeric hosts (the usual case) resolve without a lookup; names use getaddrinfo,
    // which connect_timeout does not bound.
    const auto endpoints = resolver.resolve(base_.host, std::to_string(base_.port), ec);
    if (ec) return Unavailable(what + ": cannot resolve " + base_.host + ": " + ec.message());
    stream_.expires_after(options_.connect_timeout);
    ec = Run([&](auto handler) { stream_.async_connect(endpoints, std::move(handler)); });
    if (ec) return TransportError(ec, what, options_.connect_timeout, 0);
    stream_.socket().set_option(tcp::no_delay(true), ec);
    connected_ = true;
    return Status::Ok();
  }

  void Disconnect() {
    if (!connected_ && !stream_.socket().is_open()) return;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    connected_ = false;
  }

  std::string Target(std::string_view path) const {
    std::string target = base_.prefix;
    if (path.empty() || path.front() != '/') target += '/';
    target += path;
    return target;
  }

  std::string What(std::string_view method, const std::string& target) const {
    return std::string(method) + " " + base_.origin + RedactTarget(target);
  }

 public:
  const internal::BaseUrl& base() const { return base_; }

 private:
  std::mutex mu_;
  const ClientOptions options_;
  const internal::BaseUrl base_;
  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

Result<std::unique_ptr<HttpClient>> HttpClient::Create(ClientOptions options) {
  SLIPWAY_ASSIGN_OR_RETURN(internal::BaseUrl base, internal::ParseBaseUrl(options.base_url));
  return std::make_unique<HttpClient>(std::make_unique<Impl>(std::move(options), std::move(base)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

Result<ClientResponse> HttpClient::Send(std::string_view method, std::string_view path,
                                        std::string body, const Headers& headers) {
  return impl_->Send(method, path, std::move(body), headers);
}

Result<std::string> HttpClient::CallJson(std::string_view method, std::string_view path,
                                         std::string_view json) {
  Headers headers{{"Accept", "application/json"}};
  if (!json.empty()) headers.Set("Content-Type", "application/json");
  SLIPWAY_ASSIGN_OR_RETURN(ClientResponse r, Send(method, path, std::string(json), headers));
  if (r.status >= 200 && r.status < 300) return std::move(r.body);
  std::string target = impl_->base().prefix;
  if (path.empty() || path.front() != '/') target += '/';
  target += path;
  return internal::ErrorFromResponse(
      std::string(method) + " " + impl_->base().origin + RedactTarget(target), r.status, r.body);
}

Result<ClientResponse> HttpClient::Download(std::string_view path, const BodySink& sink,
                                            const Headers& headers) {
  return impl_->Download(path, sink, headers);
}

Result<ClientResponse> HttpClient::Upload(std::string_view method, std::string_view path,
                                          const BodySource& source, std::optional<uint64_t> length,
                                          const Headers& headers) {
  return impl_->Upload(method, path, source, length, headers);
}

Status HttpClient::StreamEvents(std::string_view path, const SseOptions& options,
                                const std::function<bool(const SseEvent&)>& on_event) {
  return impl_->StreamEvents(path, options, on_event);
}

}  // namespace slipway::http
