// HaproxyRouter: the Router that drives haproxy through its Runtime API (deploy.h,
// MakeHaproxyRouter; planning in haproxy_plan.h, the protocol in haproxy_runtime.h).
#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <system_error>

#include "deploy/deploy.h"
#include "deploy/haproxy_plan.h"
#include "deploy/haproxy_runtime.h"
#include "util/fs.h"

namespace slipway::deploy {
namespace {

using nlohmann::json;

// haproxy reads one command line into a buffer of tune.bufsize (16 KiB by default).
constexpr size_t kMaxLine = 15000;

class HaproxyRouter final : public Router {
 public:
  explicit HaproxyRouter(HaproxyRouterOptions options)
      : options_(std::move(options)), socket_(ParseSocketAddress(options_.socket)) {}

  // Reads the mapping of an earlier router from the state file, if there is one.
  Status Load() {
    if (options_.state_file.empty()) return Status::Ok();
    std::error_code error;
    if (!std::filesystem::exists(options_.state_file, error)) return Status::Ok();
    SLIPWAY_ASSIGN_OR_RETURN(std::string text, ReadFile(options_.state_file, 4 << 20));
    try {
      const json j = json::parse(text);
      for (const json& b : j.at("applied")) {
        Backend backend{b.at("revision").get<std::string>(), {}, b.at("weight").get<int>()};
        for (const json& e : b.at("endpoints")) {
          SLIPWAY_ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(e.get<std::string>()));
          backend.endpoints.push_back(endpoint);
        }
        applied_.push_back(std::move(backend));
      }
      for (const auto& [slot, owner] : j.at("slots").items()) {
        SLIPWAY_ASSIGN_OR_RETURN(Endpoint endpoint,
                                 ParseEndpoint(owner.at("endpoint").get<std::string>()));
        slots_[slot] = SlotOwner{owner.at("revision").get<std::string>(), endpoint};
      }
    } catch (const json::exception& e) {
      return InvalidArgument(options_.state_file.string() +
                             ": not a valid haproxy router state: " + e.what());
    }
    return Status::Ok();
  }

  Status Apply(const std::vector<Backend>& backends) override {
    SLIPWAY_RETURN_IF_ERROR(CheckBackends(backends, options_.servers));
    std::lock_guard lock(mutex_);
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<HaproxyServer> current, ReadSlots());
    const RoutingPlan plan = PlanRouting(options_.backend, current, slots_, backends);
    if (!plan.commands.empty()) {
      std::string line;
      for (const std::string& command : plan.commands) {
        line += (line.empty() ? "" : ";") + command;
      }
      if (line.size() > kMaxLine) {
        return ResourceExhausted("the haproxy update needs " + std::to_string(line.size()) +
                                 " bytes in one command line; haproxy reads at most about 16 KiB");
      }
      SLIPWAY_ASSIGN_OR_RETURN(std::string answer,
                               RuntimeExchange(socket_, line, options_.timeout));
      SLIPWAY_RETURN_IF_ERROR(CheckReplies(plan.commands, SplitReplies(answer)));
    }
    // The mapping changes only once haproxy took every command.
    slots_ = plan.slots;
    applied_ = backends;
    return Save();
  }

  Result<std::vector<Backend>> Observe() override {
    std::lock_guard lock(mutex_);
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<HaproxyServer> current, ReadSlots());
    return ObserveRouting(current, slots_, applied_);
  }

 private:
  // The backend's slots <prefix>1 … <prefix>N, in that order, as haproxy reports them now.
  Result<std::vector<HaproxyServer>> ReadSlots() {
    SLIPWAY_ASSIGN_OR_RETURN(
        std::string answer,
        RuntimeExchange(socket_, "show servers state " + options_.backend, options_.timeout));
    SLIPWAY_ASSIGN_OR_RETURN(std::vector<HaproxyServer> servers,
                             ParseServersState(answer, options_.backend));
    std::vector<HaproxyServer> slots;
    for (int i = 1; i <= options_.servers; ++i) {
      const std::string name = options_.server_prefix + std::to_string(i);
      const auto it = std::find_if(servers.begin(), servers.end(),
                                   [&](const HaproxyServer& s) { return s.name == name; });
      if (it == servers.end()) {
        return FailedPrecondition("haproxy backend " + options_.backend + " has no server " + name +
                                  ": haproxy.cfg must declare `server-template " +
                                  options_.server_prefix + " " + std::to_string(options_.servers) +
                                  " 127.0.0.1:1 disabled` in it");
      }
      slots.push_back(*it);
    }
    return slots;
  }

  // `set server … addr` answers with what changed; weight and state answer nothing on success.
  static Status CheckReplies(const std::vector<std::string>& commands,
                             const std::vector<std::string>& replies) {
    for (size_t i = 0; i < commands.size(); ++i) {
      if (i >= replies.size()) {
        return Unavailable("haproxy answered " + std::to_string(replies.size()) + " of " +
                           std::to_string(commands.size()) + " commands; the rest may not apply");
      }
      const bool addr = commands[i].find(" addr ") != std::string::npos;
      const bool ok = addr ? replies[i].find("changed") != std::string::npos ||
                                 replies[i].starts_with("no need to change")
                           : replies[i].empty();
      if (!ok) {
        return Unavailable("haproxy refused `" + commands[i] + "`: " + replies[i] +
                           (i > 0 ? " (the commands before it were applied)" : ""));
      }
    }
    return Status::Ok();
  }

  Status Save() {
    if (options_.state_file.empty()) return Status::Ok();
    json applied = json::array();
    for (const Backend& backend : applied_) {
      json endpoints = json::array();
      for (const Endpoint& e : backend.endpoints) endpoints.push_back(e.ToString());
      applied.push_back(
          {{"revision", backend.revision}, {"weight", backend.weight}, {"endpoints", endpoints}});
    }
    json slots = json::object();
    for (const auto& [slot, owner] : slots_) {
      slots[slot] = {{"revision", owner.revision}, {"endpoint", owner.endpoint.ToString()}};
    }
    const json j = {
        {"version", 1}, {"backend", options_.backend}, {"applied", applied}, {"slots", slots}};
    Status written = WriteFileAtomic(options_.state_file, j.dump(2) + "\n");
    if (written.ok()) return written;
    return Status(written.code(),
                  "haproxy was updated but its slot mapping was not saved: " + written.message());
  }

  const HaproxyRouterOptions options_;
  const SocketAddress socket_;
  std::mutex mutex_;
  SlotMap slots_;                 // of the last Apply
  std::vector<Backend> applied_;  // the last Apply's backends (orders Observe)
};

}  // namespace

Result<std::unique_ptr<Router>> MakeHaproxyRouter(HaproxyRouterOptions options) {
  if (options.socket.empty()) return InvalidArgument("haproxy router: socket is required");
  if (options.backend.empty()) return InvalidArgument("haproxy router: backend is required");
  if (options.server_prefix.empty() || options.servers < 1) {
    return InvalidArgument("haproxy router: server_prefix and servers >= 1 are required");
  }
  auto router = std::make_unique<HaproxyRouter>(std::move(options));
  SLIPWAY_RETURN_IF_ERROR(router->Load());
  return std::unique_ptr<Router>(std::move(router));
}

}  // namespace slipway::deploy
