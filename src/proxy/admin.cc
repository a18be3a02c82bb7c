// The admin listener: plain keep-alive HTTP/1.1 sessions on one thread.
#include "proxy/admin.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <thread>

#include "proxy/asio.h"

namespace slipway::proxy::internal {
namespace {

constexpr size_t kMaxAdminBody = 1 << 20;  // a routing table is a few hundred bytes
constexpr auto kAdminIdle = std::chrono::seconds(60);

class AdminSession : public std::enable_shared_from_this<AdminSession> {
 public:
  AdminSession(tcp::socket socket, const std::string& token, const AdminHandlers& handlers)
      : stream_(std::move(socket)), token_(token), handlers_(handlers) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxAdminBody);
    stream_.expires_after(kAdminIdle);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return Write(413, "application/json", "{\"error\":\"request body over 1 MiB\"}\n", false);
    }
    if (ec) return Close();
    const Request& request = parser_->get();
    auto auth = request.find(bhttp::field::authorization);
    const std::string_view authorization =
        auth == request.end() ? std::string_view()
                              : std::string_view(auth->value().data(), auth->value().size());
    AdminAnswer answer = HandleAdminRequest(handlers_, token_, request.method_string(),
                                            request.target(), authorization, request.body());
    Write(answer.status, answer.content_type, std::move(answer.body), request.keep_alive());
  }

  void Write(int status, std::string_view content_type, std::string body, bool keep_alive) {
    response_ = Response(static_cast<bhttp::status>(status), 11);
    response_.set(bhttp::field::content_type, content_type);
    response_.set(bhttp::field::cache_control, "no-store");
    response_.body() = std::move(body);
    response_.prepare_payload();
    response_.keep_alive(keep_alive);
    bhttp::async_write(stream_, response_,
                       [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                         if (ec || !keep_alive) return self->Close();
                         self->Read();
                       });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Response response_;
  const std::string& token_;
  const AdminHandlers& handlers_;
};

}  // namespace

struct AdminServer::Impl {
  Impl(std::string token, AdminHandlers handlers)
      : token(std::move(token)), handlers(std::move(handlers)) {}

  void Accept() {
    acceptor.async_accept(ioc, [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) std::make_shared<AdminSession>(std::move(socket), token, handlers)->Read();
      Accept();
    });
  }

  const std::string token;
  const AdminHandlers handlers;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  uint16_t port = 0;
  std::thread thread;
};

Result<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& host, uint16_t port,
                                                        std::string token, AdminHandlers handlers) {
  auto impl = std::make_unique<Impl>(std::move(token), std::move(handlers));
  const std::string where = host + ":" + std::to_string(port);
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return InvalidArgument("bad admin address '" + host + "' (an IP address is needed)");
  const tcp::endpoint endpoint(address, port);
  auto fail = [&](const char* what) {
    return Unavailable("cannot listen on " + where + " (admin): " + what + ": " + ec.message());
  };
  if (impl->acceptor.open(endpoint.protocol(), ec)) return fail("socket");
  if (impl->acceptor.set_option(net::socket_base::reuse_address(true), ec))
    return fail("setsockopt");
  if (impl->acceptor.bind(endpoint, ec)) return fail("bind");
  if (impl->acceptor.listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
  impl->port = impl->acceptor.local_endpoint(ec).port();
  impl->Accept();
  impl->thread = std::thread([raw = impl.get()] { raw->ioc.run(); });
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() {
  net::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

uint16_t AdminServer::port() const { return impl_->port; }

}  // namespace slipway::proxy::internal
