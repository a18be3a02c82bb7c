// One client connection: reads a request, routes it, forwards it over a pooled upstream
// connection, writes the answer, and starts over (keep-alive). Runs on its Worker's thread
// only; every step is a completion handler holding the session alive (shared_from_this).
//
// Per request: ReadHead → [Continue] → [ReadBody] → Route → Forward (TakeIdle or Connect →
// WriteUpstream → ReadUpstream) → Answer → ReadHead … A connect failure moves to another
// endpoint of the pool once; a reused connection the upstream had closed is replaced by a
// fresh one once; anything else is the client's 502 (504 on timeout).
//
// Timeouts are deadlines the worker's sweep checks (sweep.h): the client's while a request is
// awaited or an answer written, the upstream's while connecting and while the request and its
// answer are in flight. An expired deadline closes that socket, which ends the pending
// operation.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <memory>
#include <optional>
#include <string>

#include "proxy/asio.h"
#include "proxy/worker.h"

namespace slipway::proxy::internal {

class Session : public std::enable_shared_from_this<Session>, public Expiring {
 public:
  Session(Worker& worker, Socket socket);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start();  // call from any thread: the session moves to its socket's executor
  void CheckDeadlines(SteadyClock::time_point now) override;

 private:
  // session.cc: the client side.
  void ReadHead();
  void OnHead(beast::error_code ec);
  void ReadBody();
  void OnBody(beast::error_code ec);
  void OnClientError(beast::error_code ec);
  void Route();
  void Reply(int status, std::string_view message, bool close);
  void Send();
  void SetClientDeadline(std::chrono::seconds timeout);
  void OnSent(beast::error_code ec);
  void Linger();
  void Drain();
  void Close();

  // session_upstream.cc: the upstream exchange.
  void Forward(const Endpoint& endpoint, bool allow_idle);
  void OnConnect(beast::error_code ec);
  void WriteUpstream();
  void OnUpstreamWrite(beast::error_code ec);
  void ReadUpstream();
  void OnUpstreamRead(beast::error_code ec);
  void UpstreamFailed(beast::error_code ec, bool connect_failed);
  void AnswerFromUpstream();
  void Finish(int status);  // telemetry for the routed request, then Send()

  Worker& worker_;
  const ProxyOptions& options_;
  Socket client_;
  beast::flat_buffer buffer_;
  std::string wire_head_;  // the head being written (upstream, then client); reused
  SteadyClock::time_point client_deadline_ = SteadyClock::time_point::max();
  SteadyClock::time_point upstream_deadline_ = SteadyClock::time_point::max();
  bool upstream_timed_out_ = false;
  std::string client_address_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response_parser<bhttp::string_body>> response_parser_;
  Request request_;
  Response response_;

  // The request in flight.
  SteadyClock::time_point started_;
  unsigned client_version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  std::shared_ptr<const RouteTable> table_;  // keeps pool_ and endpoint_ alive
  const RoutedPool* pool_ = nullptr;
  const Endpoint* endpoint_ = nullptr;
  bool set_cookie_ = false;
  std::unique_ptr<UpstreamConnection> upstream_;
  bool tried_other_endpoint_ = false;
  bool replaced_stale_ = false;
  bool upstream_failure_ = false;
};

}  // namespace slipway::proxy::internal
