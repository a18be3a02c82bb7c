// One server connection: a strand-serialized state machine that reads a request, hands it
// to the handler pool, and writes the response (buffered, file, stream or deferred). Only
// src/http/*.cc include this: it pulls in Asio and Beast.
//
// States: kIdle (waiting for a request) → kReadingHead → [kReadingBody] → kHandling (pool)
// → kWriting | kStreaming | kDeferred → kIdle (keep-alive) or kClosing (lingering close) →
// kClosed. Every member is touched only on the connection's strand, except what the
// StreamState and PendingState synchronize themselves.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/http.h"
#include "http/pending_state.h"
#include "http/stream_state.h"

namespace slipway::http::internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

class Connection;

// What every connection of one server shares; owned by Server::Impl and outliving them.
class ServerContext {
 public:
  ServerContext(ServerOptions options, Router router, net::thread_pool::executor_type handlers)
      : options(std::move(options)), router(std::move(router)), handlers(handlers) {}

  const ServerOptions options;
  const Router router;
  const net::thread_pool::executor_type handlers;
  std::atomic<bool> stopping{false};

  void Register(const std::shared_ptr<Connection>& connection);
  void Unregister(const Connection* connection);
  std::vector<std::shared_ptr<Connection>> LiveConnections();
  // A connection is busy from a request's head to the end of its response.
  void AddBusy(int delta);
  // Wait until nothing is busy / no connection is left, or until `deadline`.
  void WaitIdle(Clock::time_point deadline);
  void WaitNoConnections(Clock::time_point deadline);

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int busy_ = 0;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> live_;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerContext& ctx, tcp::socket socket);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Thread-safe entry points (they post to the strand).
  void Start();
  void BeginStop();  // graceful: see Server::Stop
  void ForceClose();

 private:
  friend class StreamBodyReader;
  enum class State {
    kIdle,
    kReadingHead,
    kReadingBody,
    kHandling,
    kWriting,
    kStreaming,
    kDeferred,
    kClosing,
    kClosed,
  };

  // connection.cc: reading and dispatching requests.
  void ReadRequest();
  void ReadHead();
  void OnHead(beast::error_code ec);
  void RouteRequest();
  void ReadBufferedBody(uint64_t limit);
  void Dispatch();
  void WriteContinue(std::function<void()> next);
  void ReadBodySome(char* data, size_t size, std::function<void(Result<size_t>)> done);
  void ResetRequest();
  void SetBusy(bool busy);

  // connection_write.cc: buffered and file responses, finishing, closing, logging.
  void OnResponse(Response response);
  void SendError(int status, std::string_view code, std::string_view message, Headers extra = {});
  void WriteSimple(Response& response);
  void StartFile(Response& response);
  void WriteFileChunk();
  void FinishResponse(beast::error_code ec);
  void LingerClose();
  void Drain();
  void Close();
  void Log();
  std::string FormatHead(const Headers& headers, std::optional<uint64_t> content_length,
                         bool chunked) const;

  // connection_stream.cc: producer streams, SSE, deferred responses, client-gone watch.
  void StartStream(Response& response);
  void FlushStream();
  void EndStreamByServer();
  void ArmKeepalive();
  void StartDeferred(std::shared_ptr<PendingResponse> pending);
  void OnDeferredDone(Response response);
  void WatchClient();
  void OnWatch(beast::error_code ec, size_t n);

  ServerContext& ctx_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  net::steady_timer timer_;  // SSE keep-alive or deferred timeout
  std::string remote_;
  State state_ = State::kIdle;
  bool busy_ = false;
  bool closed_ = false;

  // The request in progress.
  std::optional<bhttp::request_parser<bhttp::empty_body>> head_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> stream_parser_;
  std::unique_ptr<Request> request_;
  std::unique_ptr<BodyReader> body_reader_;
  const Router::Route* route_ = nullptr;
  uint64_t body_limit_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool is_head_ = false;
  bool body_done_ = true;  // the request body was read completely (or there was none)
  bool expect_continue_ = false;
  Clock::time_point started_;
  bool logged_ = true;
  int status_ = 0;

  // The response in progress.
  std::string head_;
  std::string body_;
  std::string chunk_prefix_;
  std::string chunk_suffix_;
  int file_fd_ = -1;
  uint64_t file_offset_ = 0;
  uint64_t file_left_ = 0;
  std::vector<char> scratch_;  // file chunks; lingering-close drain
  std::shared_ptr<StreamState> stream_state_;
  bool chunked_ = false;
  bool writing_ = false;
  bool head_written_ = false;
  std::optional<uint64_t> fixed_length_;
  uint64_t stream_sent_ = 0;
  milliseconds sse_keepalive_{0};
  Clock::time_point last_write_;
  std::shared_ptr<PendingResponse> pending_;

  // The client-gone watch: a raw socket read pending while the server waits (SSE, deferred).
  bool watching_ = false;
  bool resume_after_watch_ = false;  // a request read waits for the watch to complete
  std::array<char, 1024> watch_buf_{};
};

}  // namespace slipway::http::internal
