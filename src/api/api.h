// The REST API of `slipway server` (docs/api.md, docs/openapi.yaml): HTTP requests in, calls to
// the store, the engine and triggers out. Thin by design: the rules of runs, leases and logs
// live in engine/ and store/; this module authenticates, checks roles, parses and validates
// request bodies, maps Status to HTTP and writes the audit trail.
//
// Contract:
// - Every route of docs/api.md is served, with the auth, size limits and errors it documents.
//   Requests never change stored state when they are answered with an error, except when the
//   change was made but its audit record could not be written (503 saying so).
// - Every mutating call that succeeds appends an audit record; none contains a secret.
// - Secrets (API tokens, agent tokens, generated webhook secrets) appear only in the response
//   that creates them; the store keeps SHA-256 hashes of tokens only.
//
// Threads: handlers run on the HTTP server's handler pool. Two kinds of request must not hold
// a pool thread while they wait, or a few of them would stall the whole API:
// - agent long-polls (POST /api/v1/agent/lease) are answered through http::PendingResponse by
//   one broker thread that wakes when `work` is notified;
// - log follows (GET …/logs?follow=1, SSE) each get a thread of their own that sleeps between
//   polls of the store.
// Those threads belong to the state the returned Router's handlers share: they stop and are
// joined when the Router is destroyed (i.e. with the http::Server it was handed to).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "http/http.h"
#include "policy/policy.h"
#include "store/store.h"

namespace slipway::deploy {
class Deployments;
}  // namespace slipway::deploy

namespace slipway::registry {
class KeyRing;
class Registry;
}  // namespace slipway::registry

namespace slipway::api {

class DeployControl;  // alert_intake.h

// What the API works with. The pointers are borrowed and must outlive the Router (and so the
// Server running it).
struct ApiContext {
  store::Store* store = nullptr;           // required
  engine::AgentService* agents = nullptr;  // required: leases, heartbeats, log chunks, results
  // Required. The signal the dispatcher notifies when it queues jobs (the one AgentService
  // waits on): it wakes long-polling remote agents.
  engine::WorkSignal* work = nullptr;
  // Required. Notified after a run is created or cancelled, to wake the dispatcher.
  engine::WorkSignal* dispatch = nullptr;
  // Repository mirrors (for reading a pipeline file at a commit) live under
  // data_dir/mirrors (triggers::MirrorPath). The API serialises its own fetches per
  // repository; whoever else fetches into the same mirrors (a poller) should use its own
  // data_dir or the same lock (see docs/api.md "Notes for server authors").
  std::filesystem::path data_dir;
  // Job artifacts (the store AgentService::PutArtifacts writes to; borrowed). Null: the
  // artifact download routes answer 404.
  engine::ArtifactStore* artifacts = nullptr;
  // The OCI registry served under /v2/ (borrowed). Null: no /v2/ routes.
  registry::Registry* registry = nullptr;
  // The keys that sign provenance (borrowed). Null: the signing-key routes answer 404.
  registry::KeyRing* keys = nullptr;
  // The environments this server deploys to (borrowed). Null: the environment routes answer
  // 404.
  deploy::Deployments* deployments = nullptr;
  // What alert intake asks about deploys and uses to roll back (borrowed). Null: a view of
  // `deployments` (tests put a fake here); both null: alerts are stored uncorrelated.
  DeployControl* deploy_control = nullptr;
  // The wall clock for stored times; system_clock::now when empty.
  std::function<store::Time()> now;
  // "http://host:port" as clients reach the server: prefixes Location headers of created
  // resources. Empty: Location is a path.
  std::string server_url;
  // Deadline for one network operation on a project's repository (ls-remote or fetch).
  std::chrono::milliseconds git_timeout{60000};
  // How often a log follower looks for new bytes when nothing woke it (embedded agents append
  // to the store directly; remote agents' appends wake followers at once).
  std::chrono::milliseconds log_poll{250};
  // Log follow streams at once; more are refused with 503 (each holds one sleeping thread).
  int max_log_followers = 512;
};

// Builds the router serving every route of the API. Fails (kInvalidArgument) when a required
// pointer of `context` is missing. The context is copied.
Result<http::Router> MakeRouter(const ApiContext& context);

// The route table, in the order routes are registered: (method, pattern) as in docs/api.md.
// tests/docs/validate_docs.mjs checks it against docs/openapi.yaml (it reads the table's
// source lines, which tests/api/routes_test.cc checks against this list).
struct RouteInfo {
  std::string method;
  std::string pattern;
};
std::vector<RouteInfo> Routes();

// What release gates read and write (docs/policy.md) over `store`: runs' test reports,
// approvals and exemptions, decisions, and the audit record of each exemption's use; and the
// files a deploy changes, from the repository mirrors under `data_dir`/mirrors (the
// ApiContext's data_dir: where runs' commits were fetched). Borrows the store. Thread-safe as
// the store is.
std::unique_ptr<policy::GateLedger> MakeGateLedger(store::Store& store,
                                                   std::filesystem::path data_dir);
// A stored exemption as the policy module has it.
policy::Exemption ExemptionToPolicy(const store::GateExemption& exemption);

}  // namespace slipway::api
