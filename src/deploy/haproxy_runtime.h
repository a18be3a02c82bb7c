// The parts of haproxy's Runtime API (management guide, "Unix Socket commands") the router
// speaks: `show servers state <backend>` and batches of commands separated by ';'. Internal
// to deploy.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "deploy/net_io.h"
#include "util/status.h"

namespace slipway::deploy {

// One server of a backend as `show servers state` reports it.
struct HaproxyServer {
  std::string name;
  std::string addr;
  uint16_t port = 0;
  int op_state = 0;     // 0 stopped, 1 starting, 2 running, 3 stopping
  int admin_state = 0;  // SRV_ADMF_* bits
  int weight = 0;       // srv_uweight: the current weight, 0–256

  // haproxy's SRV_ADMF_MAINT (forced, inherited or resolution maintenance); the config bit
  // (CMAINT, from `disabled`) stays set after `state ready` and does not count.
  bool maint() const { return (admin_state & 0x23) != 0; }
  bool drain() const { return (admin_state & 0x18) != 0; }
};

// Parses the answer to `show servers state <backend>` (format version 1, columns found by the
// header's names). Unavailable with haproxy's own words when the answer is an error.
Result<std::vector<HaproxyServer>> ParseServersState(std::string_view answer,
                                                     std::string_view backend);

// Splits the answer to a ';'-separated batch into one reply per command: haproxy ends each
// reply with an empty line. Replies have their trailing newline removed ("" for a silent
// success).
std::vector<std::string> SplitReplies(std::string_view answer);

// Sends one line (commands separated by ';') and returns haproxy's whole answer.
Result<std::string> RuntimeExchange(const SocketAddress& socket, std::string_view line,
                                    std::chrono::milliseconds timeout);

}  // namespace slipway::deploy
