// Asio/Beast names shared by the proxy's .cc files. Private to src/proxy: the public header
// (proxy.h) stays free of Boost.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>

namespace slipway::proxy::internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
// A TCP socket on the concrete executor of an io_context: no type-erased executor
// (any_io_executor) on the per-request path. Its timeouts are the worker's sweep (sweep.h).
using Socket = net::basic_stream_socket<tcp, net::io_context::executor_type>;
using SteadyClock = std::chrono::steady_clock;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

}  // namespace slipway::proxy::internal
