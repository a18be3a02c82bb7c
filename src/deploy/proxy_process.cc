// EnsureProxyProcess: one long-lived `slipway proxy` per environment, adopted across server
// restarts so traffic never notices them.
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "deploy/deploy.h"
#include "deploy/instance_process.h"
#include "deploy/port_allocator.h"
#include "deploy/proxy_admin_call.h"
#include "util/fs.h"
#include "util/token.h"

namespace slipway::deploy {

namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// proxy.json: {"pid":…, "start_time":…, "listen":"…", "sticky_cookie":"…", "admin":"…",
// "token":"…"} (0600: the token controls the environment's traffic).
struct ProxyRecord {
  ProcessIdentity process;
  std::string listen, sticky_cookie;
  ProxyAdmin admin;
};

std::optional<ProxyRecord> ReadRecord(const fs::path& file) {
  Result<std::string> text = ReadFile(file, 1 << 16);
  if (!text.ok()) return std::nullopt;
  const Json json = Json::parse(text.value(), nullptr, false);
  if (!json.is_object()) return std::nullopt;
  Result<Endpoint> admin = ParseEndpoint(json.value("admin", ""));
  if (!admin.ok()) return std::nullopt;
  ProxyRecord record;
  record.process.pid = json.value("pid", 0);
  record.process.start_time = json.value("start_time", uint64_t{0});
  record.listen = json.value("listen", "");
  record.sticky_cookie = json.value("sticky_cookie", "");
  record.admin.admin = admin.value();
  record.admin.token = json.value("token", "");
  return record;
}

Status WriteRecord(const fs::path& file, const ProxyRecord& record) {
  const Json json = {{"pid", record.process.pid},
                     {"start_time", record.process.start_time},
                     {"listen", record.listen},
                     {"sticky_cookie", record.sticky_cookie},
                     {"admin", record.admin.admin.ToString()},
                     {"token", record.admin.token}};
  return WriteFileAtomic(file, json.dump() + "\n", 0600);
}

bool Answers(const ProxyAdmin& admin) {
  Result<HttpAnswer> answer = CallProxyAdmin(admin, "GET", "/healthz", "");
  return answer.ok() && answer.value().status == 200;
}

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

Result<ProxyAdmin> EnsureProxyProcess(const ProxyProcessOptions& options) {
  std::error_code ec;
  fs::create_directories(options.state_dir, ec);
  if (ec) return Unavailable("cannot create " + options.state_dir.string() + ": " + ec.message());
  const fs::path record_file = options.state_dir / "proxy.json";
  std::optional<ProxyAdmin> reuse;
  if (std::optional<ProxyRecord> recorded = ReadRecord(record_file)) {
    const bool alive = CheckProcess(recorded->process).running;
    const bool same =
        recorded->listen == options.listen && recorded->sticky_cookie == options.sticky_cookie;
    if (alive && same && Answers(recorded->admin)) return recorded->admin;  // adopted
    if (alive) (void)StopProcessGroups({recorded->process}, std::chrono::seconds(5));
    // A proxy that died comes back on the same admin address and token, so routers that
    // already drive it keep working.
    if (same) reuse = recorded->admin;
  }

  ProxyRecord record;
  record.listen = options.listen;
  record.sticky_cookie = options.sticky_cookie;
  if (reuse) {
    record.admin = *reuse;
  } else {
    Result<uint16_t> admin_port = AllocatePort("127.0.0.1", {});
    if (!admin_port.ok()) return admin_port.status();
    record.admin.admin = {"127.0.0.1", admin_port.value()};
    record.admin.token = NewTokenSecret();
  }
  std::string command = "exec " + ShellQuote(options.binary.string()) + " proxy --listen " +
                        ShellQuote(options.listen) + " --admin " + record.admin.admin.ToString();
  if (!options.sticky_cookie.empty()) {
    command += " --sticky-cookie " + ShellQuote(options.sticky_cookie);
  }
  LaunchSpec launch{.command = command,
                    .cwd = options.state_dir,
                    .env = {"PATH=/usr/local/bin:/usr/bin:/bin",
                            "SLIPWAY_PROXY_ADMIN_TOKEN=" + record.admin.token},
                    .log_file = options.state_dir / "proxy.log"};
  Result<ProcessIdentity> started = LaunchDetached(launch);
  if (!started.ok()) return started.status();
  record.process = started.value();

  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (!Answers(record.admin)) {
    const ProcessCheck check = CheckProcess(record.process);
    if (!check.running || std::chrono::steady_clock::now() >= deadline) {
      if (check.running) (void)StopProcessGroups({record.process}, std::chrono::seconds(1));
      Result<std::string> log = ReadFile(options.state_dir / "proxy.log", 1 << 16);
      return Unavailable("the proxy for " + options.listen + " did not start" +
                         (check.running ? "" : " (" + check.exit_description + ")") + ": " +
                         (log.ok() ? log.value() : std::string("no log")));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (Status written = WriteRecord(record_file, record); !written.ok()) return written;
  return record.admin;
}

Status StopProxyProcess(const fs::path& state_dir) {
  std::optional<ProxyRecord> recorded = ReadRecord(state_dir / "proxy.json");
  if (!recorded || !CheckProcess(recorded->process).running) return Status::Ok();
  return StopProcessGroups({recorded->process}, std::chrono::seconds(5));
}

}  // namespace slipway::deploy
