// Bad input and limits: oversized bodies and heads, malformed requests, slow clients.
#include <nlohmann/json.hpp>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

std::string ErrorCode(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("error")) return "<not a JSON error: " + body + ">";
  return j["error"]["code"].get<std::string>();
}

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Router r;
    r.Add("POST", "/echo", [this](Request& req) {
      ++handled_;
      return Response::Text(200, req.body);
    });
    RouteOptions tiny;
    tiny.max_body = 10;
    r.Add(
        "POST", "/tiny",
        [this](Request& req) {
          ++handled_;
          return Response::Text(200, req.body);
        },
        tiny);
    RouteOptions streaming;
    streaming.streaming_body = true;
    streaming.max_body = 100;
    r.Add(
        "POST", "/stream",
        [](Request& req) {
          std::string all;
          char buf[7];
          while (true) {
            auto n = req.body_reader->Read(buf, sizeof buf);
            if (!n.ok()) return Response::FromStatus(n.status());
            if (*n == 0) break;
            all.append(buf, *n);
          }
          return Response::Text(200, all);
        },
        streaming);
    r.Add("GET", "/inject", [](Request&) {
      Response res = Response::Text(200, "ok");
      res.headers.Set("X-Evil", "a\r\nSet-Cookie: pwned=1");
      res.headers.Set("X-Fine", "yes");
      return res;
    });
    ServerOptions options;
    options.max_header_bytes = 2048;
    options.header_timeout = 300ms;
    options.idle_timeout = 300ms;
    options.body_timeout = 300ms;
    server_ = StartServer(std::move(r), options);
    ASSERT_TRUE(server_);
  }

  uint16_t port() const { return server_->port(); }

  std::atomic<int> handled_{0};
  std::unique_ptr<Server> server_;
};

TEST_F(LimitsTest, DeclaredBodyOverTheLimitIs413BeforeAnyBodyIsSent) {
  RawSocket s(port());
  ASSERT_TRUE(s.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n"));
  RawResponse r = s.ReadResponse();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(ErrorCode(r.body), "payload_too_large");
  EXPECT_NE(r.body.find("1048576"), std::string::npos) << r.body;
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(s.WaitClosed());
  EXPECT_EQ(handled_, 0);
}

TEST_F(LimitsTest, ClientSeesResourceExhaustedFor413EvenWhileStillSendingTheBody) {
  auto client = ClientFor(*server_);
  auto r = client->PostJson("/echo", std::string(3 * 1024 * 1024, ' '));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("HTTP 413"), std::string::npos) << r.status().message();
  // The client recovers: a new connection serves the next call.
  auto ok = client->Send("POST", "/echo", "small");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->body, "small");
}

TEST_F(LimitsTest, PerRouteLimitAppliesToChunkedBodies) {
  auto ok = RawRoundTrip(port(),
                         "POST /tiny HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "hello");
  auto big = RawRoundTrip(port(),
                          "POST /tiny HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "a\r\n0123456789\r\n5\r\nmore!\r\n0\r\n\r\n");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(ErrorCode(big.body), "payload_too_large");
  EXPECT_EQ(handled_, 1);
}

TEST_F(LimitsTest, StreamingBodyReaderReportsTheLimit) {
  auto client = ClientFor(*server_);
  auto ok = client->Send("POST", "/stream", std::string(100, 'x'));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, std::string(100, 'x'));

  std::string sent;
  int calls = 0;
  auto big = client->Upload(
      "POST", "/stream",
      [&](char* data, size_t) -> Result<size_t> {
        if (calls++ == 30) return size_t{0};
        std::memcpy(data, "0123456789", 10);
        return size_t{10};
      },
      std::nullopt);  // chunked: the limit is found while reading
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(ErrorCode(big->body), "resource_exhausted");
}

TEST_F(LimitsTest, OversizedHeadIs431) {
  RawSocket s(port());
  ASSERT_TRUE(
      s.Send("GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n"));
  RawResponse r = s.ReadResponse();
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(ErrorCode(r.body), "header_too_large");
  EXPECT_TRUE(s.WaitClosed());
}

TEST_F(LimitsTest, MalformedRequestsGet400AndTheConnectionCloses) {
  const std::vector<std::string> requests = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
      "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
      "GET /echo HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n",
      "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /a/../echo HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET /a/%2e%2e/echo HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET http://example.com/echo HTTP/1.1\r\nHost: x\r\n\r\n",
      "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
      std::string("GET /echo HTTP/1.1\r\nHost: x\0y\r\n\r\n", 34),
  };
  for (const std::string& request : requests) {
    RawSocket s(port());
    ASSERT_TRUE(s.Send(request));
    RawResponse r = s.ReadResponse();
    EXPECT_EQ(r.status, 400) << request;
    EXPECT_EQ(ErrorCode(r.body), "bad_request") << request;
    EXPECT_TRUE(s.WaitClosed()) << request;
  }
  EXPECT_EQ(handled_, 0);
  // The server is still fine.
  EXPECT_EQ(
      RawRoundTrip(port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok").body,
      "ok");
}

TEST_F(LimitsTest, SlowLorisHeadIsCutOff) {
  RawSocket s(port());
  ASSERT_TRUE(s.Send("GET /echo HTTP/1.1\r\nHo"));
  // Trickle a byte now and then: progress does not extend the head deadline.
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(50ms);
    s.Send("s");
  }
  EXPECT_TRUE(s.WaitClosed());
  EXPECT_EQ(s.buffered(), "");  // closed without an answer
}

TEST_F(LimitsTest, IdleConnectionsAndStalledBodiesAreClosed) {
  RawSocket idle(port());
  EXPECT_TRUE(idle.WaitClosed());

  RawSocket stalled(port());
  ASSERT_TRUE(stalled.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_TRUE(stalled.WaitClosed());
  EXPECT_EQ(handled_, 0);
}

TEST_F(LimitsTest, ResponseHeadersCannotInjectFields) {
  RawResponse r = RawRoundTrip(port(), "GET /inject HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Set-Cookie"), "");
  EXPECT_EQ(r.Header("X-Evil"), "");
  EXPECT_EQ(r.Header("X-Fine"), "yes");
}

TEST_F(LimitsTest, ExpectContinueGets100BeforeTheBody) {
  RawSocket s(port());
  ASSERT_TRUE(
      s.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
             "Expect: 100-continue\r\n\r\n"));
  RawResponse interim = s.ReadResponse();
  EXPECT_EQ(interim.status, 100);
  ASSERT_TRUE(s.Send("body"));
  RawResponse r = s.ReadResponse();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "body");
}

}  // namespace
}  // namespace slipway::http::testing
