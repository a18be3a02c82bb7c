// Progressive deployment: where revisions run (Target), how traffic reaches them (Router), and
// how a new revision replaces the serving one (strategies: rolling, blue-green, canary).
//
// The two extension points are small on purpose (Argo Rollouts' traffic routers and Woodpecker's
// backends are the models): a Target starts, inspects and stops the instances of a revision; a
// Router splits traffic between revisions by weight. Strategies only talk to these interfaces,
// so the same canary runs on local processes behind the built-in proxy, on haproxy, or on a
// user's kubectl hook.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace slipway::deploy {

// A place a request can be sent: "127.0.0.1:8001".
struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const;  // "host:port"
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// Parses "host:port" (port 1–65535). The error names the text.
Result<Endpoint> ParseEndpoint(std::string_view text);

// One revision of a service as a target runs it.
struct RevisionSpec {
  std::string id;      // unique within an environment, e.g. "r7"; also the router's pool name
  std::string digest;  // the artifact's manifest digest ("" when deployed from a directory)
  std::filesystem::path artifact_dir;  // the artifact's files, unpacked; instances run here
  int instances = 1;                   // desired number of instances
  std::vector<std::pair<std::string, std::string>> env;  // extra environment for instances
};

// What a target reports about one revision.
struct RevisionState {
  std::string id;
  int desired = 0;                   // instances asked for
  int running = 0;                   // processes (or pods…) that exist
  int ready = 0;                     // of those, passing their readiness check
  int restarts = 0;                  // crashes restarted since the revision was applied
  bool crash_looping = false;        // restarts exhausted their budget: the revision is failed
  std::vector<Endpoint> endpoints;   // of ready instances only: what a router may send to
  std::string message;               // last problem seen (failed check, exit status), if any
};

// Runs revisions. Lifecycle: a target is created from its environment's configuration, may
// adopt revisions a previous server process left running (see each implementation), and stops
// nothing on destruction (revisions outlive the server; Remove stops them).
// Thread-safety: every method may be called from any thread; implementations lock internally.
class Target {
 public:
  virtual ~Target() = default;
  // Makes `revision` run with revision.instances instances. Idempotent: applying the same
  // revision again only changes the instance count (extra instances are stopped, newest first).
  // Returns once the instances are started, not once they are ready (see Inspect).
  virtual Status Apply(const RevisionSpec& revision) = 0;
  // Current state of one revision; NotFound when it is not running here.
  virtual Result<RevisionState> Inspect(std::string_view revision_id) = 0;
  // Ids of the revisions running here, in the order they were applied.
  virtual std::vector<std::string> Revisions() = 0;
  // Stops every instance of the revision (SIGTERM, then SIGKILL after the grace period).
  virtual Status Remove(std::string_view revision_id) = 0;
};

// One revision's share of traffic.
struct Backend {
  std::string revision;              // pool name
  std::vector<Endpoint> endpoints;   // where its requests go
  int weight = 0;                    // percent of new requests, 0–100; weights sum to 100
  friend bool operator==(const Backend&, const Backend&) = default;
};

// Splits traffic between revisions. Lifecycle: created from the environment's router
// configuration; the first Apply takes ownership of the routing (what was there is replaced).
// Thread-safety: every method may be called from any thread.
class Router {
 public:
  virtual ~Router() = default;
  // Replaces the routing table atomically: every new request after Apply returns is routed by
  // `backends`; requests already in flight finish where they started; a revision no longer
  // listed gets no new requests. Unavailable when the router cannot be reached (nothing changed).
  virtual Status Apply(const std::vector<Backend>& backends) = 0;
  // What the router really does now, read back from it (for drift detection): a weight changed
  // by hand shows here. Revisions in the order Apply gave them.
  virtual Result<std::vector<Backend>> Observe() = 0;
};

}  // namespace slipway::deploy
