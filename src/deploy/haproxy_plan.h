// What the haproxy router decides, apart from talking to haproxy: which slot (server-template
// server) carries which revision's endpoint, the commands that get haproxy there, and how
// haproxy's state reads back as revisions and percentages. Internal to deploy. Pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "deploy/deploy.h"
#include "deploy/haproxy_runtime.h"
#include "util/status.h"

namespace slipway::deploy {

// Which revision's endpoint a slot was given by the last Apply.
struct SlotOwner {
  std::string revision;
  Endpoint endpoint;
  friend bool operator==(const SlotOwner&, const SlotOwner&) = default;
};
using SlotMap = std::map<std::string, SlotOwner>;  // slot (server) name → owner

// CheckWeights (traffic_weights.h), and endpoints must be IP literals; ResourceExhausted when
// the endpoints outnumber `slots`.
Status CheckBackends(const std::vector<Backend>& backends, int slots);

struct RoutingPlan {
  std::vector<std::string> commands;  // Runtime API commands, in the order to send them
  SlotMap slots;                      // the mapping once they are applied
};

// Plans the move from haproxy's `current` slots (in slot order) and the `previous` mapping to
// `backends`. A slot that already carries an endpoint wanted for the same revision keeps it;
// other endpoints go to slots in maintenance first, then to slots being given up. Commands come
// in an order that never leaves no server ready: new servers come up (addr, weight, ready)
// before weights of kept ones change and before slots no longer used go to maintenance.
// Weights: a revision's percent split evenly among its endpoints (see ServerWeights).
RoutingPlan PlanRouting(const std::string& backend, const std::vector<HaproxyServer>& current,
                        const SlotMap& previous, const std::vector<Backend>& backends);

// Reads haproxy's slots back as backends: per revision (by `mapping`), the endpoints haproxy
// really has on its slots and the percent of new requests their weights give it. Slots in
// maintenance carry nothing; draining ones carry weight 0. Serving slots the mapping does not
// know come last under revision "". Order: revisions as `applied` lists them, endpoints too.
std::vector<Backend> ObserveRouting(const std::vector<HaproxyServer>& current,
                                    const SlotMap& mapping, const std::vector<Backend>& applied);

}  // namespace slipway::deploy
