// The OCI distribution API (spec v1.1) under /v2/, over registry::Registry: what the
// registry_*.cc handlers share. Route table and authorization: registry_routes.cc and
// registry_auth.cc; docs/registry.md describes it for users.
//
// Errors use the spec's shape, {"errors":[{"code":"BLOB_UNKNOWN","message":"…"}]}, with its
// codes and statuses, so that OCI clients show the message.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/handlers.h"
#include "api/state.h"
#include "http/http.h"
#include "registry/registry.h"

namespace slipway::api {

// What a /v2/ route needs of the caller on the repository it names.
enum class RegistryAction { kNone, kPull, kPush, kDelete };

// The caller of a /v2/ route (http::Request::principal).
struct RegistryCaller {
  bool anonymous = true;
  Principal principal;  // when not anonymous
};

// The Docker-Distribution-API-Version every /v2/ response carries (set on handlers' answers by
// the route table, on authorizers' by OciError).
inline constexpr const char* kApiVersion = "registry/2.0";

inline registry::Registry& RegistryOf(ApiState& state) { return *state.context.registry; }

// {"errors":[{"code":…,"message":…}]} with Docker-Distribution-API-Version.
http::Response OciError(int status, std::string_view code, std::string_view message);
// The registry's answer for `status` given the spec `code` that fits the operation.
http::Response OciErrorFrom(const Status& status, std::string_view code);

// The caller the registry authorizer set.
const RegistryCaller& RegistryCallerOf(const http::Request& request);
// Whether the caller may do `action` on `repository` (used for the source of a mount).
bool RegistryAllows(ApiState& state, const RegistryCaller& caller, RegistryAction action,
                    std::string_view repository);
// The authorizer of a /v2/ route: identifies the caller (Basic with an API token as the
// password, Bearer with a registry or API token, or nobody), then checks `action` on the
// route's {name}. Answers 401 with a Bearer challenge (realm: this server's /v2/token) or 403.
http::Authorizer MakeRegistryAuthorizer(ApiState& state, RegistryAction action);

// Handlers: registry_auth.cc
http::Response RegistryPing(ApiState& state, http::Request& request);
http::Response RegistryToken(ApiState& state, http::Request& request);
// registry_blobs.cc
http::Response GetBlob(ApiState& state, http::Request& request);
http::Response DeleteBlob(ApiState& state, http::Request& request);
http::Response StartBlobUpload(ApiState& state, http::Request& request);
http::Response GetBlobUpload(ApiState& state, http::Request& request);
http::Response PatchBlobUpload(ApiState& state, http::Request& request);
http::Response PutBlobUpload(ApiState& state, http::Request& request);
http::Response CancelBlobUpload(ApiState& state, http::Request& request);
// registry_manifests.cc
http::Response GetManifest(ApiState& state, http::Request& request);
http::Response PutManifest(ApiState& state, http::Request& request);
http::Response DeleteManifest(ApiState& state, http::Request& request);
http::Response ListTags(ApiState& state, http::Request& request);
http::Response ListCatalog(ApiState& state, http::Request& request);
http::Response ListReferrers(ApiState& state, http::Request& request);

// Adds the /v2/ routes to `router` (MakeRouter calls it when the context has a registry).
void AddRegistryRoutes(const std::shared_ptr<ApiState>& state, http::Router& router);

}  // namespace slipway::api
