// The HTTP layer of `slipway server` and its clients: a Beast-based HTTP/1.1 server with a
// router, auth hook, limits, streaming bodies, Server-Sent Events and long-poll, and a
// synchronous HttpClient. No Boost header leaks out of this file: callers compile fast.
//
// Threads (server). A few I/O threads run every socket operation; they never run user code
// and never block, except for 64 KiB pread()s of local files served with Response::File (what
// nginx does by default). Authorizers, handlers and stream producers run on a separate pool of
// `handler_threads`, so a slow handler (a database call) delays only its own request.
//
// Long-poll: a handler never sleeps on a pool thread waiting for work. It returns
// Response::Deferred(pending) and keeps the PendingResponse; whoever produces the work calls
// pending->Complete(response) from any thread, or the server sends the timeout response.
// A waiting request costs a socket and a timer, no thread: thousands can wait at once.
//
// Streaming: a route with RouteOptions::streaming_body gets its body through
// Request::body_reader, read incrementally by the handler (a 1 GiB blob upload never sits in
// memory). A response body comes from a string, a file range, or a producer writing to a
// StreamWriter with backpressure (bounded memory whatever the client's speed). SSE is a
// producer plus keep-alive comments and client-gone detection.
//
// Errors never cross this API as exceptions: a handler that throws gets a 500 response.
#pragma once

#include <any>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace slipway::http {

using std::chrono::milliseconds;

// Header fields in arrival order; names compare case-insensitively. Values are kept as sent.
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string, std::string>> fields);

  // The first value of `name`, or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // Replaces every field named `name` with one.
  void Set(std::string name, std::string value);
  // Appends a field (repeated names are allowed, e.g. Set-Cookie).
  void Add(std::string name, std::string value);
  void Remove(std::string_view name);

  using Field = std::pair<std::string, std::string>;
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  size_t size() const { return fields_.size(); }

 private:
  std::vector<Field> fields_;
};

// Incremental access to a request body (RouteOptions::streaming_body). Valid only during the
// handler call, on the handler's thread.
class BodyReader {
 public:
  virtual ~BodyReader() = default;
  // Reads up to `size` bytes into `data`; returns how many, 0 once the body is complete.
  // Errors: kResourceExhausted (over the route's max_body), kDeadlineExceeded (the client
  // sent nothing for ServerOptions::body_timeout), kUnavailable (connection gone, malformed
  // chunked encoding, server stopping).
  virtual Result<size_t> Read(char* data, size_t size) = 0;
};

// One request as a handler sees it.
struct Request {
  std::string method;  // as sent, e.g. "GET"
  // The raw request-target ("/a%20b?x=1"). Never log it: use RedactTarget().
  std::string target;
  std::string path;  // the target's path, still percent-encoded
  // Decoded query parameters in order ('+' is a space). Repeated names repeat.
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  // Route captures, percent-decoded. `{name}` values never contain '/', none contains NUL.
  std::map<std::string, std::string, std::less<>> params;
  std::string body;                   // whole body, except on streaming_body routes
  BodyReader* body_reader = nullptr;  // streaming_body routes only (also without a body)
  std::string remote_address;         // "127.0.0.1:53412"
  std::any principal;                 // set by an authorizer, read by handlers

  // The capture `name`, or "" when the route has none by that name.
  std::string_view Param(std::string_view name) const;
  // The first query value of `name`.
  std::optional<std::string_view> Query(std::string_view name) const;
  std::optional<std::string_view> Header(std::string_view name) const { return headers.Get(name); }
  // The SSE resume point a reconnecting client sent (Last-Event-ID), if any.
  std::optional<std::string_view> LastEventId() const { return headers.Get("Last-Event-ID"); }
};

// One Server-Sent Events frame. `data` may span lines; `id` and `event` must not contain
// newlines (they are dropped if they do). An empty field is omitted. SSE has no way to carry a
// CR in `data`: CR and CRLF become line breaks, which the client receives as LF.
// A client receives in `id` the stream's last event ID (the id of this event or, when it had
// none, of the latest event before it that had one).
struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
};
// The wire form: "id: …\nevent: …\ndata: …\n\n".
std::string FormatSseEvent(const SseEvent& event);

namespace internal {
class StreamState;
class PendingState;
}  // namespace internal

// Where a streaming response's producer writes. Thread-safe; any thread may write, as long
// as it holds the shared_ptr. The response ends when Close() is called or the last reference
// is dropped, whichever comes first.
class StreamWriter {
 public:
  explicit StreamWriter(std::shared_ptr<internal::StreamState> state);
  ~StreamWriter();  // Close()
  StreamWriter(const StreamWriter&) = delete;
  StreamWriter& operator=(const StreamWriter&) = delete;

  // Queues `data` (one chunk). Blocks while ServerOptions::stream_buffer_bytes are queued
  // and unsent, so a slow client slows the producer instead of growing memory. Returns false
  // once the client is gone, the response was closed, or the server is stopping (SSE at
  // once, other streams at the Stop deadline): stop producing then.
  bool Write(std::string_view data);
  // Write(FormatSseEvent(event)).
  bool Send(const SseEvent& event) { return Write(FormatSseEvent(event)); }
  // Ends the response. Idempotent.
  void Close();
  // The client disconnected, a write failed, or the server is stopping.
  bool client_gone() const;
  // Runs `callback` once when client_gone() becomes true (at once if it is). It runs on a
  // server I/O thread and must not block: signal a condition variable, unsubscribe.
  void OnClientGone(std::function<void()> callback);

 private:
  std::shared_ptr<internal::StreamState> state_;
};

// Called on a handler thread once the response head is on its way. It may write everything
// and return (a download; it holds a handler thread meanwhile), or keep the writer and write
// later from other threads (an SSE subscription that holds no thread while idle). If it
// throws, the connection is dropped so the client cannot mistake the body for complete.
using Producer = std::function<void(std::shared_ptr<StreamWriter> writer)>;

class PendingResponse;

// A part of a file sent as the body; the server reads it with pread() as the socket drains.
struct FileRange {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  // What is sent, in this order of precedence: the pending response's eventual response
  // (which replaces this one whole), else this status and headers with the producer's
  // output as body (chunked unless the headers carry Content-Length), or the file range,
  // or `body`. Content-Length, Transfer-Encoding and Connection are the server's to set;
  // fields with CR, LF or NUL are dropped.
  std::string body;
  std::optional<FileRange> file;
  Producer producer;
  std::shared_ptr<PendingResponse> pending;
  // For a producer: when > 0, the server writes an SSE comment (": keep-alive") after this
  // long without output, which also detects half-open connections; and Server::Stop ends
  // the stream at once instead of waiting for it (clients reconnect with Last-Event-ID).
  milliseconds sse_keepalive{0};

  static Response Text(int status, std::string body, std::string content_type = "text/plain");
  // `json` must be serialized JSON; Content-Type application/json.
  static Response Json(int status, std::string json);
  // {"error": {"code": code, "message": message}}.
  static Response JsonError(int status, std::string_view code, std::string_view message);
  // A JSON error for a non-OK Status: HTTP status from StatusToHttp, code from
  // StatusCodeToErrorCode, message from the status.
  static Response FromStatus(const Status& status);
  static Response NoContent();  // 204
  static Response Stream(std::string content_type, Producer producer);
  // text/event-stream, no caching, keep-alive comments every `keepalive`.
  static Response Sse(Producer producer, milliseconds keepalive = milliseconds(15000));
  // The file at `path` honouring the request's single-range `Range: bytes=` header:
  // 200 (whole), 206 (Content-Range), 416 (unsatisfiable), 404 JSON when missing. Adds
  // Accept-Ranges: bytes. Multi-range requests get the whole file.
  static Response File(const Request& request, const std::string& path,
                       std::string content_type = "application/octet-stream");
  static Response Deferred(std::shared_ptr<PendingResponse> pending);
};

// A response decided later (long-poll). Create one, keep it where the work will appear, and
// return Response::Deferred(it) from the handler; then exactly one of these sends it:
// Complete() from any thread, the timeout, or Server::Stop (both send `on_timeout`). When
// the client disconnects first, nothing is sent. Thread-safe.
class PendingResponse {
 public:
  static std::shared_ptr<PendingResponse> Create(milliseconds timeout, Response on_timeout);
  explicit PendingResponse(std::shared_ptr<internal::PendingState> state);

  // Hands `response` to the connection. True when this call decided the outcome; false when
  // it was already decided (timed out, completed, client gone): the caller still owns the
  // work (e.g. must not consider a job leased). True does not prove delivery.
  bool Complete(Response response);
  // Whether the outcome is decided; waiters lists use it to drop stale entries.
  bool done() const;

  // For the server.
  internal::PendingState& state() { return *state_; }

 private:
  std::shared_ptr<internal::PendingState> state_;
};

// HTTP status for a Status code (kInvalidArgument 400, kPermissionDenied 403, kNotFound 404,
// kAlreadyExists 409, kFailedPrecondition 412, kResourceExhausted 413, kCancelled 499,
// kUnavailable 503, kDeadlineExceeded 504, others 500) and the JSON error code for it
// ("invalid_argument", "not_found", …). The client maps back with ErrorCodeToStatusCode.
int StatusToHttp(StatusCode code);
std::string_view StatusCodeToErrorCode(StatusCode code);
std::optional<StatusCode> ErrorCodeToStatusCode(std::string_view error_code);

// Decides whether a request may proceed: nullopt to accept (after setting
// request.principal), or a response to send instead (401/403).
using Authorizer = std::function<std::optional<Response>(Request& request)>;
using Handler = std::function<Response(Request& request)>;

struct RouteOptions {
  // Skips authorization (health checks, webhooks that verify their own signatures).
  bool is_public = false;
  // Largest accepted body; default ServerOptions::max_body_bytes. Over it: a 413 JSON error
  // before the handler runs (declared Content-Length, or a buffered chunked body); on
  // streaming_body routes a chunked body over it fails BodyReader::Read with
  // kResourceExhausted.
  std::optional<uint64_t> max_body;
  // The body is not buffered; the handler reads it from Request::body_reader.
  bool streaming_body = false;
  // Replaces the router's authorizer for this route.
  Authorizer authorize;
};

// Maps (method, path) to handlers. Patterns are '/'-separated: literal segments, `{name}`
// (one non-empty segment) and at most one `{name...}` (one or more segments, slashes kept),
// anywhere: "/v2/{name...}/manifests/{reference}". A trailing '/' is a literal empty
// segment. When several patterns match, the one with more literal segments wins, then the
// one added first. A path no pattern matches is 404; one that matches only for other methods
// is 405 with Allow. A GET route also answers HEAD (headers only) unless HEAD has its own.
// Not thread-safe: build it, then hand it to Server::Start.
class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Invalid patterns and duplicate (method, pattern) pairs are reported by status() and by
  // Server::Start, so route tables need no error handling line by line.
  void Add(std::string method, std::string_view pattern, Handler handler,
           RouteOptions options = {});
  // Runs before every handler of a non-public route without its own authorizer.
  void SetAuthorizer(Authorizer authorizer);
  Status status() const;

  // For the server and tests.
  struct Route;
  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
    const Route* route = nullptr;
    std::map<std::string, std::string, std::less<>> params;
    std::vector<std::string> allowed;  // for kMethodNotAllowed, sorted
  };
  Match Find(std::string_view method, std::string_view encoded_path) const;
  // Runs the authorizer (unless public) and the handler of a found route.
  Response Invoke(const Route& route, Request& request) const;
  const RouteOptions& options(const Route& route) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What the access log hook receives: never headers or bodies (they carry tokens), and the
// target with secret-looking query values redacted (see RedactTarget).
struct AccessLogEntry {
  std::string method;
  std::string target;        // redacted
  int status = 0;            // 0: the connection failed before a response started
  milliseconds duration{0};  // from the request head to the last byte of the response
  std::string remote_address;
};

// The target with the value of every query parameter whose decoded name contains "token",
// "secret", "password" or "signature" (any case) replaced by REDACTED.
std::string RedactTarget(std::string_view target);

struct ServerOptions {
  std::string address = "127.0.0.1";      // IPv4 or IPv6 literal to bind
  uint16_t port = 0;                      // 0: any free port (see Server::port())
  int io_threads = 1;                     // socket work only; 1-2 is plenty
  int handler_threads = 8;                // authorizers, handlers and producers
  size_t max_header_bytes = 16 * 1024;    // request line + fields; over it: 431
  uint64_t max_body_bytes = 1024 * 1024;  // default RouteOptions::max_body
  // Slow-loris limits: the whole request head must arrive within header_timeout of its first
  // byte; a buffered body within body_timeout; a streamed body must progress every
  // body_timeout. An idle keep-alive connection is closed after idle_timeout.
  milliseconds header_timeout{10000};
  milliseconds body_timeout{30000};
  milliseconds idle_timeout{60000};
  // Each write must complete within this (a client that stops reading is dropped).
  milliseconds write_timeout{30000};
  // Unsent bytes a StreamWriter queues before Write() blocks.
  size_t stream_buffer_bytes = 256 * 1024;
  // Called after each response (or failed request), on an I/O thread, possibly on several
  // at once: must be thread-safe and must not block.
  std::function<void(const AccessLogEntry&)> access_log;
};

// A running server. Start binds, listens and serves until Stop or destruction.
class Server {
 public:
  // Errors: kInvalidArgument (bad router or options), kUnavailable (cannot bind, naming the
  // address).
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Router router);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;         // the bound port
  std::string base_url() const;  // "http://127.0.0.1:port"

  // Graceful stop: stops accepting, closes idle connections, ends SSE streams, sends pending
  // long-polls their timeout response; requests in flight (handlers, bodies, downloads) get
  // until `deadline` to finish (with Connection: close), then every connection is closed
  // (producers see Write() == false). Returns when all server threads have joined, which
  // includes waiting for handler calls that do not return. Idempotent; never call it from a
  // handler.
  void Stop(milliseconds deadline = milliseconds(10000));

  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);  // use Start()

 private:
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------
// Client

struct ClientOptions {
  // "http://host:port" with an optional path prefix ("/api"). https is not supported yet
  // (kInvalidArgument); the transport is one class in client_connection.cc to swap for TLS.
  std::string base_url;
  Headers default_headers;  // sent with every request, e.g. Authorization: Bearer …
  milliseconds connect_timeout{5000};
  // Limit for a whole buffered request (send + receive). Streamed transfers (Download,
  // Upload) apply it to each read or write instead; SSE reads must see data every
  // `stream_idle_timeout` (keep-alive comments arrive every 15 s).
  milliseconds request_timeout{30000};
  milliseconds stream_idle_timeout{60000};
  uint64_t max_response_bytes = 64 * 1024 * 1024;  // buffered responses only
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;  // empty for streamed downloads
};

// Supplies a streamed request body: fills `data` with up to `size` bytes and returns how
// many, 0 at the end.
using BodySource = std::function<Result<size_t>(char* data, size_t size)>;
// Receives a streamed response body chunk by chunk; return false to stop early.
using BodySink = std::function<bool(std::string_view chunk)>;

struct SseOptions {
  std::string last_event_id;  // resume after this event (sent as Last-Event-ID)
  // Reconnections in a row after the stream ends, cleanly (a server stopping for a restart
  // ends its streams cleanly) or broken, without an event in between; each resumes after the
  // last event ID received, `reconnect_delay` after the end. A connection that delivers an
  // event resets the count. 0: never reconnect.
  int max_reconnects = 0;
  milliseconds reconnect_delay{1000};
};

// A synchronous HTTP/1.1 client that keeps one connection alive across calls and reconnects
// when the server closed it. Calls are serialized (one connection); use one client per
// thread for parallel requests.
//
// Errors name the method and URL (secret query values redacted), never header values:
// kUnavailable for every transport failure (refused, reset, closed, timed out: retrying may
// help), kInvalidArgument for bad URLs. HTTP error statuses are not errors for
// Send/Download/Upload (check status); the *Json helpers turn non-2xx answers into a Status
// from the JSON error body.
//
// A kept-alive connection the server has closed is noticed before reuse and replaced; if a
// request still fails on a reused connection before any answer, it is retried once on a
// new one, for idempotent methods only (GET, HEAD, PUT, DELETE, OPTIONS).
class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create(ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `path` is appended to the base URL and may carry a query ("/runs?limit=5").
  Result<ClientResponse> Send(std::string_view method, std::string_view path, std::string body = {},
                              const Headers& headers = {});
  // Sends `json` (may be empty) with Content-Type/Accept application/json; returns the body
  // of a 2xx answer, else the error the server described (code from the error's "code",
  // message "METHOD URL: status: message").
  Result<std::string> CallJson(std::string_view method, std::string_view path,
                               std::string_view json = {});
  Result<std::string> GetJson(std::string_view path) { return CallJson("GET", path); }
  Result<std::string> PostJson(std::string_view path, std::string_view json) {
    return CallJson("POST", path, json);
  }

  // Streams the response body of a GET into `sink`; the result has status and headers. A
  // non-2xx answer's body goes to ClientResponse::body instead of the sink.
  Result<ClientResponse> Download(std::string_view path, const BodySink& sink,
                                  const Headers& headers = {});
  // Streams a request body from `source` (Content-Length when `length` is known, chunked
  // otherwise) and returns the buffered answer.
  Result<ClientResponse> Upload(std::string_view method, std::string_view path,
                                const BodySource& source, std::optional<uint64_t> length,
                                const Headers& headers = {});

  // Follows a Server-Sent Events stream (parsed as the WHATWG spec says), calling `on_event`
  // per event, and reconnecting as SseOptions says. Returns OK when `on_event` returned false,
  // when the server answered 204 (the SSE way to say "do not reconnect"), or when the stream
  // ended cleanly with no reconnection left; the last error when it broke with none left. A
  // non-200 answer is an error from its JSON body, without reconnecting.
  Status StreamEvents(std::string_view path, const SseOptions& options,
                      const std::function<bool(const SseEvent&)>& on_event);

  class Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);  // use Create()

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace slipway::http
