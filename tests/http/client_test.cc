// HttpClient: base URLs, JSON helpers and their errors, timeouts, reconnects.
#include <nlohmann/json.hpp>
#include <thread>

#include "http_fixture.h"

namespace slipway::http::testing {
namespace {

TEST(ClientTest, BaseUrlValidation) {
  for (const char* bad : {"", "not a url", "ftp://host/", "http://", "http://h:0", "http://h/?q=1",
                          "http://user:pw@h/"}) {
    ClientOptions o;
    o.base_url = bad;
    auto c = HttpClient::Create(o);
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  ClientOptions tls;
  tls.base_url = "https://example.com";
  auto c = HttpClient::Create(tls);
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("https is not supported"), std::string::npos);
}

TEST(ClientTest, PathPrefixAndJsonRoundTrip) {
  Router r;
  r.Add("POST", "/api/v1/projects", [](Request& req) {
    auto in = nlohmann::json::parse(req.body, nullptr, false);
    if (!in.is_object() || !in.contains("name")) {
      return Response::FromStatus(InvalidArgument("field \"name\" is required"));
    }
    if (req.Header("Content-Type").value_or("") != "application/json") {
      return Response::JsonError(415, "invalid_argument", "want JSON");
    }
    return Response::Json(201, nlohmann::json{{"created", in["name"]}}.dump());
  });
  r.Add("GET", "/api/v1/projects/{name}", [](Request& req) {
    return Response::FromStatus(NotFound("project \"" + std::string(req.Param("name")) + "\""));
  });
  r.Add("GET", "/api/v1/text-error", [](Request&) { return Response::Text(502, "upstream down"); });
  auto server = StartServer(std::move(r));
  ClientOptions options;
  options.base_url = server->base_url() + "/api/v1/";
  auto created = HttpClient::Create(options);
  ASSERT_TRUE(created.ok());
  auto& client = **created;

  auto ok = client.PostJson("/projects", R"({"name":"web"})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(nlohmann::json::parse(*ok)["created"], "web");

  auto invalid = client.PostJson("projects", R"({"nope":1})");
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(invalid.status().message().find("field \"name\" is required"), std::string::npos);

  auto missing = client.GetJson("/projects/zzz");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("GET " + server->base_url() + "/api/v1/projects/zzz"),
            std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("HTTP 404: project \"zzz\""), std::string::npos)
      << missing.status().message();

  auto plain = client.GetJson("/text-error");
  EXPECT_EQ(plain.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(plain.status().message().find("upstream down"), std::string::npos);
}

TEST(ClientTest, RequestTimeoutIsUnavailableAndTheClientRecovers) {
  std::atomic<bool> release{false};
  Router r;
  r.Add("GET", "/slow", [&](Request&) {
    while (!release) std::this_thread::sleep_for(5ms);
    return Response::Text(200, "late");
  });
  r.Add("GET", "/fast", [](Request&) { return Response::Text(200, "fast"); });
  auto server = StartServer(std::move(r));
  ClientOptions options;
  options.request_timeout = 100ms;
  auto client = ClientFor(*server, options);
  auto slow = client->Send("GET", "/slow");
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(slow.status().message().find("timed out after 100 ms"), std::string::npos)
      << slow.status().message();
  release = true;
  auto fast = client->Send("GET", "/fast");
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_EQ(fast->body, "fast");
}

TEST(ClientTest, ReconnectsWhenTheServerClosedAnIdleConnection) {
  Router r;
  r.Add("GET", "/remote", [](Request& req) { return Response::Text(200, req.remote_address); });
  ServerOptions server_options;
  server_options.idle_timeout = 50ms;
  auto server = StartServer(std::move(r), server_options);
  auto client = ClientFor(*server);
  auto first = client->Send("GET", "/remote");
  ASSERT_TRUE(first.ok());
  std::this_thread::sleep_for(300ms);  // the server drops the idle connection
  auto second = client->Send("GET", "/remote");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(first->body, second->body);  // a new connection, transparently
}

TEST(ClientTest, ConnectionDroppedMidResponseIsUnavailable) {
  // A fake server that answers with half a response and hangs up.
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  ASSERT_EQ(listen(listener, 4), 0);
  std::thread fake([&] {
    int c = accept(listener, nullptr, nullptr);
    char buf[4096];
    (void)!recv(c, buf, sizeof buf, 0);
    const std::string half = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a bit";
    (void)!send(c, half.data(), half.size(), MSG_NOSIGNAL);
    close(c);
  });
  ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  auto client = HttpClient::Create(options);
  ASSERT_TRUE(client.ok());
  auto r = (*client)->Send("GET", "/x");
  fake.join();
  close(listener);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("closed by the server"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace slipway::http::testing
