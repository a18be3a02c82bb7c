// The admin API's listener (see proxy.h): a thread and io_context of its own, so a slow admin
// client or a table rebuild (name resolution) never stalls the proxied traffic.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "proxy/proxy.h"

namespace slipway::proxy::internal {

// What the admin API may do to the proxy.
struct AdminHandlers {
  std::function<Routes()> get_routes;
  std::function<Status(const Routes&)> set_routes;
  std::function<std::string()> metrics;    // Prometheus text
  std::function<std::string()> telemetry;  // TelemetryJson
};

// An admin request, already read: the answer's status, content type and body.
struct AdminAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};
AdminAnswer HandleAdminRequest(const AdminHandlers& handlers, const std::string& token,
                               std::string_view method, std::string_view target,
                               std::string_view authorization, const std::string& body);

class AdminServer {
 public:
  // Binds host:port; Unavailable when it cannot.
  static Result<std::unique_ptr<AdminServer>> Start(const std::string& host, uint16_t port,
                                                    std::string token, AdminHandlers handlers);
  ~AdminServer();  // closes every connection and joins the thread
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  uint16_t port() const;

  struct Impl;

 private:
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace slipway::proxy::internal
