#include "deploy/haproxy_plan.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <set>

#include "deploy/traffic_weights.h"

namespace slipway::deploy {
namespace {

bool IsIpLiteral(const std::string& host) {
  in6_addr address;
  return inet_pton(AF_INET, host.c_str(), &address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

std::string Server(const std::string& backend, const std::string& slot) {
  return "set server " + backend + "/" + slot;
}

// One endpoint of the wanted routing.
struct Want {
  SlotOwner owner;
  int weight = 0;       // haproxy server weight
  std::string slot;     // assigned slot, "" until assigned
  bool kept = false;    // the slot already carries this endpoint for this revision
  bool reused = false;  // the slot serves another endpoint now and switches over
  int current_weight = 0;
  bool current_drain = false;
};

}  // namespace

Status CheckBackends(const std::vector<Backend>& backends, int slots) {
  SLIPWAY_RETURN_IF_ERROR(CheckWeights(backends));
  int endpoints = 0;
  for (const Backend& backend : backends) {
    for (const Endpoint& endpoint : backend.endpoints) {
      if (!IsIpLiteral(endpoint.host) || endpoint.port == 0) {
        return InvalidArgument("revision " + backend.revision + ": endpoint " +
                               endpoint.ToString() +
                               " is not IP:PORT (haproxy's `set server addr` takes no names)");
      }
    }
    endpoints += static_cast<int>(backend.endpoints.size());
  }
  if (endpoints > slots) {
    return ResourceExhausted(std::to_string(endpoints) +
                             " endpoints need as many haproxy servers;"
                             " the backend's server-template declares " +
                             std::to_string(slots));
  }
  return Status::Ok();
}

RoutingPlan PlanRouting(const std::string& backend, const std::vector<HaproxyServer>& current,
                        const SlotMap& previous, const std::vector<Backend>& backends) {
  std::vector<Want> wants;
  std::vector<double> shares;
  for (const Backend& b : backends) {
    for (const Endpoint& endpoint : b.endpoints) {
      Want want;
      want.owner = {b.revision, endpoint};
      wants.push_back(std::move(want));
      shares.push_back(static_cast<double>(b.weight) / static_cast<double>(b.endpoints.size()));
    }
  }
  const std::vector<int> weights = ServerWeights(shares);
  for (size_t i = 0; i < wants.size(); ++i) wants[i].weight = weights[i];

  // Keep slots that already carry a wanted endpoint for the same revision.
  std::set<std::string> claimed;
  for (const HaproxyServer& slot : current) {
    const auto owner = previous.find(slot.name);
    if (owner == previous.end() || slot.maint()) continue;
    if (slot.addr != owner->second.endpoint.host || slot.port != owner->second.endpoint.port) {
      continue;  // changed by hand: the mapping no longer describes it
    }
    for (Want& want : wants) {
      if (want.slot.empty() && want.owner == owner->second) {
        want.slot = slot.name;
        want.kept = true;
        want.current_weight = slot.weight;
        want.current_drain = slot.drain();
        claimed.insert(slot.name);
        break;
      }
    }
  }
  // The rest go to idle slots first, then to serving slots being given up.
  std::vector<const HaproxyServer*> free_slots;
  for (const bool serving : {false, true}) {
    for (const HaproxyServer& slot : current) {
      if (!claimed.contains(slot.name) && slot.maint() != serving) free_slots.push_back(&slot);
    }
  }
  size_t next_free = 0;
  for (Want& want : wants) {
    if (!want.slot.empty()) continue;
    const HaproxyServer* slot = free_slots.at(next_free++);  // CheckBackends counted them
    want.slot = slot->name;
    want.reused = !slot->maint();
    claimed.insert(slot->name);
  }

  RoutingPlan plan;
  const auto bring_up = [&](const Want& want) {
    const std::string server = Server(backend, want.slot);
    plan.commands.push_back(server + " addr " + want.owner.endpoint.host + " port " +
                            std::to_string(want.owner.endpoint.port));
    plan.commands.push_back(server + " weight " + std::to_string(want.weight));
    plan.commands.push_back(server + " state ready");
  };
  // 1. New endpoints on idle slots come up.
  for (const Want& want : wants) {
    if (!want.kept && !want.reused) bring_up(want);
  }
  // 2. Kept slots get their new weight (and leave a drain set by hand).
  for (const Want& want : wants) {
    if (!want.kept) continue;
    const std::string server = Server(backend, want.slot);
    if (want.current_weight != want.weight) {
      plan.commands.push_back(server + " weight " + std::to_string(want.weight));
    }
    if (want.current_drain) plan.commands.push_back(server + " state ready");
  }
  // 3. Serving slots given to a new endpoint switch over.
  for (const Want& want : wants) {
    if (want.reused) bring_up(want);
  }
  // 4. Serving slots no longer used go to maintenance (in-flight requests finish).
  for (const HaproxyServer& slot : current) {
    if (!claimed.contains(slot.name) && !slot.maint()) {
      plan.commands.push_back(Server(backend, slot.name) + " state maint");
    }
  }
  for (const Want& want : wants) plan.slots[want.slot] = want.owner;
  return plan;
}

std::vector<Backend> ObserveRouting(const std::vector<HaproxyServer>& current,
                                    const SlotMap& mapping, const std::vector<Backend>& applied) {
  std::vector<Backend> observed;
  for (const Backend& backend : applied) observed.push_back({backend.revision, {}, 0});
  const auto index_of = [&](const std::string& revision) {
    for (size_t i = 0; i < observed.size(); ++i) {
      if (observed[i].revision == revision) return i;
    }
    observed.push_back({revision, {}, 0});
    return observed.size() - 1;
  };
  std::vector<double> amounts;
  for (const HaproxyServer& slot : current) {
    if (slot.maint()) continue;
    const auto owner = mapping.find(slot.name);
    const size_t i = index_of(owner == mapping.end() ? "" : owner->second.revision);
    amounts.resize(observed.size(), 0);
    observed[i].endpoints.push_back(Endpoint{slot.addr, slot.port});
    amounts[i] += slot.drain() ? 0 : slot.weight;
  }
  amounts.resize(observed.size(), 0);
  const std::vector<int> percents = Percentages(amounts);
  for (size_t i = 0; i < observed.size(); ++i) observed[i].weight = percents[i];
  // Endpoints in the order Apply listed them; ones it did not list after those.
  for (Backend& backend : observed) {
    const auto listed = std::find_if(applied.begin(), applied.end(), [&](const Backend& b) {
      return b.revision == backend.revision;
    });
    if (listed == applied.end()) continue;
    const auto rank = [&](const Endpoint& e) {
      return std::find(listed->endpoints.begin(), listed->endpoints.end(), e) -
             listed->endpoints.begin();
    };
    std::stable_sort(backend.endpoints.begin(), backend.endpoints.end(),
                     [&](const Endpoint& a, const Endpoint& b) { return rank(a) < rank(b); });
  }
  return observed;
}

}  // namespace slipway::deploy
