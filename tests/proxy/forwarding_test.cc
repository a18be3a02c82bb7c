// What reaches the upstream and what comes back: headers, bodies, keep-alive, failures, limits.
#include "proxy_fixture.h"

namespace slipway::proxy::testing {
namespace {

TEST(ProxyForwarding, PreservesTheRequestAndAddsForwardedFor) {
  Backend backend("b");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  Reply reply = client.Send(
      "POST", "/orders?id=7",
      {{"X-Custom", "kept"}, {"X-Forwarded-For", "10.1.2.3"}, {"Content-Type", "application/json"}},
      "{\"qty\":2}");
  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("x-backend"), "b");
  EXPECT_EQ(backend.last_target(), "/orders?id=7");
  EXPECT_EQ(backend.last_body(), "{\"qty\":2}");
  auto headers = backend.last_headers();
  EXPECT_EQ(headers["x-custom"], "kept");
  EXPECT_EQ(headers["content-type"], "application/json");
  EXPECT_EQ(headers["host"], "proxy.test");
  EXPECT_EQ(headers["x-forwarded-for"], "10.1.2.3, 127.0.0.1");
}

TEST(ProxyForwarding, ChunkedBodyAndHopByHopHeaders) {
  Backend backend("b");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  const std::string answer = RawExchange(
      proxy->port(),
      "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_EQ(backend.last_body(), "hello world");
  auto headers = backend.last_headers();
  EXPECT_EQ(headers["content-length"], "11");
  EXPECT_EQ(headers.count("transfer-encoding"), 0u);
  EXPECT_EQ(headers.count("x-secret-hop"), 0u);
  EXPECT_EQ(headers.count("keep-alive"), 0u);
  EXPECT_EQ(headers.count("connection"), 0u);
}

TEST(ProxyForwarding, ExpectContinueIsAnsweredByTheProxy) {
  Backend backend("b");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  const std::string answer =
      RawExchange(proxy->port(),
                  "PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n"
                  "Connection: close\r\n\r\nabc");
  EXPECT_EQ(answer.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200", 0), 0u) << answer;
  EXPECT_EQ(backend.last_body(), "abc");
  EXPECT_EQ(backend.last_headers().count("expect"), 0u);
}

TEST(ProxyForwarding, HeadKeepsTheUpstreamsLength) {
  Backend backend("twelve-bytes");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  Reply head = client.Send("HEAD", "/");
  ASSERT_TRUE(head.ok) << head.error;
  EXPECT_EQ(head.header("content-length"), "12");
  EXPECT_EQ(head.body, "");
  // The connection is still in sync: the next answer is whole.
  EXPECT_EQ(client.Get("/").body, "twelve-bytes");
}

TEST(ProxyForwarding, KeepAliveReusesUpstreamConnections) {
  Backend backend("b");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  for (int i = 0; i < 100; ++i) ASSERT_EQ(client.Get("/").status, 200);
  EXPECT_EQ(client.connects(), 1);
  EXPECT_EQ(backend.requests(), 100);
  EXPECT_EQ(backend.connections_accepted(), 1);
  // A new client connection also finds the idle upstream connection.
  Client other(proxy->port());
  EXPECT_EQ(other.Get("/").status, 200);
  EXPECT_EQ(backend.connections_accepted(), 1);
}

TEST(ProxyForwarding, UpstreamClosingIdleConnectionsIsNotAFailure) {
  Backend backend("b");
  backend.close_after_answer = true;  // like a short keep-alive timeout upstream
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  for (int i = 0; i < 50; ++i) {
    Reply reply = client.Get("/");
    ASSERT_TRUE(reply.ok) << reply.error;
    ASSERT_EQ(reply.status, 200) << "request " << i;
  }
  EXPECT_EQ(backend.requests(), 50);
}

TEST(ProxyForwarding, ARequestTheUpstreamDroppedGives502) {
  Backend backend("b");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  ASSERT_EQ(client.Send("POST", "/", {}, "x").status, 200);
  backend.drop = true;  // reads the request, closes without answering
  Reply dropped = client.Send("POST", "/", {}, "x");
  ASSERT_TRUE(dropped.ok) << dropped.error;
  EXPECT_EQ(dropped.status, 502);
  EXPECT_EQ(backend.requests(), 2);  // a POST that reached the upstream is never sent again
  backend.drop = false;
  EXPECT_EQ(client.Get("/").status, 200);
}

TEST(ProxyForwarding, ConnectFailureRetriesAnotherEndpoint) {
  Backend up("up");
  auto down = std::make_unique<Backend>("down");
  const uint16_t down_port = down->port();
  down.reset();  // refused from now on
  Routes routes;
  routes.pools.push_back({"stable", {{"127.0.0.1", down_port}, {"127.0.0.1", up.port()}}, 100});
  auto proxy = StartProxy(routes);
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  for (int i = 0; i < 10; ++i) {
    Reply reply = client.Get("/");
    ASSERT_TRUE(reply.ok) << reply.error;
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, "up");
  }
  const auto stable = Find(proxy->Telemetry(), "stable");
  ASSERT_TRUE(stable);
  EXPECT_EQ(stable->errors, 0u);
}

TEST(ProxyForwarding, AllEndpointsDownGives502) {
  auto down = std::make_unique<Backend>("down");
  const uint16_t port = down->port();
  down.reset();
  Routes routes;
  routes.pools.push_back({"stable", {{"127.0.0.1", port}}, 100});
  auto proxy = StartProxy(routes);
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  Reply reply = client.Get("/");
  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.status, 502);
  EXPECT_EQ(client.Get("/").status, 502);  // the client connection survives
  const auto stable = Find(proxy->Telemetry(), "stable");
  ASSERT_TRUE(stable);
  EXPECT_EQ(stable->requests, 2u);
  EXPECT_EQ(stable->errors, 2u);
  EXPECT_EQ(stable->upstream_failures, 2u);
}

TEST(ProxyForwarding, SlowUpstreamGives504) {
  Backend slow("slow");
  slow.delay_ms = 2500;
  ProxyOptions options;
  options.upstream_timeout_seconds = 1;
  auto proxy = StartProxy({{PoolOf("stable", 100, {&slow})}}, options);
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  Reply reply = client.Get("/");
  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.status, 504);
  const auto stable = Find(proxy->Telemetry(), "stable");
  ASSERT_TRUE(stable);
  EXPECT_EQ(stable->errors, 1u);
  EXPECT_EQ(stable->upstream_failures, 1u);
}

TEST(ProxyForwarding, Http10ClientGetsAnHttp10AnswerAndTheConnectionCloses) {
  Backend backend("b");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  const std::string answer = RawExchange(proxy->port(), "GET / HTTP/1.0\r\nHost: x\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("\r\nContent-Length: 1\r\n"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("Connection:"), std::string::npos) << answer;
  EXPECT_EQ(answer.substr(answer.size() - 5), "\r\n\r\nb") << answer;
}

TEST(ProxyForwarding, IdleClientConnectionIsClosed) {
  Backend backend("b");
  ProxyOptions options;
  options.client_idle_timeout_seconds = 1;
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}}, options);
  ASSERT_TRUE(proxy);
  const auto start = std::chrono::steady_clock::now();
  // An unfinished head: the proxy waits for the rest until the idle timeout.
  const std::string answer = RawExchange(proxy->port(), "GET / HTTP/1.1\r\nHost: x\r\n");
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(answer, "");
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  EXPECT_LT(waited, std::chrono::milliseconds(4000));  // closed, not RawExchange's 5 s limit
  EXPECT_EQ(backend.requests(), 0);
}

TEST(ProxyForwarding, UpstreamStatusesPassThrough) {
  Backend backend("b");
  backend.status = 500;
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  Client client(proxy->port());
  EXPECT_EQ(client.Get("/").status, 500);
  backend.status = 404;
  EXPECT_EQ(client.Get("/").status, 404);
  const auto stable = Find(proxy->Telemetry(), "stable");
  ASSERT_TRUE(stable);
  EXPECT_EQ(stable->requests, 2u);
  EXPECT_EQ(stable->errors, 1u);
  EXPECT_EQ(stable->upstream_failures, 0u);
}

TEST(ProxyLimits, OversizedHeaderGives431) {
  Backend backend("b");
  ProxyOptions options;
  options.max_header_bytes = 4096;
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}}, options);
  ASSERT_TRUE(proxy);
  const std::string answer = RawExchange(
      proxy->port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer.substr(0, 200);
  EXPECT_EQ(backend.requests(), 0);
}

TEST(ProxyLimits, OversizedBodyGives413) {
  Backend backend("b");
  ProxyOptions options;
  options.max_body_bytes = 1000;
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}}, options);
  ASSERT_TRUE(proxy);
  const std::string answer =
      RawExchange(proxy->port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                                     std::string(5000, 'x'));
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer.substr(0, 200);
  // A chunked body that grows past the limit too.
  const std::string chunked = RawExchange(
      proxy->port(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                         std::string(0x800, 'x') + "\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 413", 0), 0u) << chunked.substr(0, 200);
  EXPECT_EQ(backend.requests(), 0);
}

TEST(ProxyLimits, MalformedRequestGives400) {
  Backend backend("b");
  auto proxy = StartProxy({{PoolOf("stable", 100, {&backend})}});
  ASSERT_TRUE(proxy);
  for (const std::string raw :
       {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n"}) {
    const std::string answer = RawExchange(proxy->port(), raw);
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << raw << " → " << answer;
  }
  EXPECT_EQ(backend.requests(), 0);
}

}  // namespace
}  // namespace slipway::proxy::testing
