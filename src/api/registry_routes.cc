// The /v2/ route table of the OCI distribution API (spec v1.1) and its registration.
#include "api/registry_api.h"

namespace slipway::api {
namespace {

struct RegistryRoute {
  const char* method;
  const char* pattern;
  RegistryAction action;  // checked on the route's {name}; kNone: any valid user token
  Handler handler;
  bool streamed = false;  // the handler reads the body itself
  bool is_public = false;
};

constexpr bool kStreamed = true;
constexpr bool kPublic = true;
constexpr auto kNone = RegistryAction::kNone;
constexpr auto kPull = RegistryAction::kPull;
constexpr auto kPush = RegistryAction::kPush;
constexpr auto kDelete = RegistryAction::kDelete;

const RegistryRoute kRegistryRoutes[] = {
    {"GET", "/v2/", kNone, &RegistryPing},
    {"GET", "/v2/token", kNone, &RegistryToken, false, kPublic},
    {"GET", "/v2/_catalog", kNone, &ListCatalog},
    {"GET", "/v2/{name...}/blobs/{digest}", kPull, &GetBlob},
    {"DELETE", "/v2/{name...}/blobs/{digest}", kDelete, &DeleteBlob},
    {"POST", "/v2/{name...}/blobs/uploads/", kPush, &StartBlobUpload, kStreamed},
    {"GET", "/v2/{name...}/blobs/uploads/{id}", kPush, &GetBlobUpload},
    {"PATCH", "/v2/{name...}/blobs/uploads/{id}", kPush, &PatchBlobUpload, kStreamed},
    {"PUT", "/v2/{name...}/blobs/uploads/{id}", kPush, &PutBlobUpload, kStreamed},
    {"DELETE", "/v2/{name...}/blobs/uploads/{id}", kPush, &CancelBlobUpload},
    {"GET", "/v2/{name...}/manifests/{reference}", kPull, &GetManifest},
    {"PUT", "/v2/{name...}/manifests/{reference}", kPush, &PutManifest, kStreamed},
    {"DELETE", "/v2/{name...}/manifests/{reference}", kDelete, &DeleteManifest},
    {"GET", "/v2/{name...}/tags/list", kPull, &ListTags},
    {"GET", "/v2/{name...}/referrers/{digest}", kPull, &ListReferrers},
};

}  // namespace

void AddRegistryRoutes(const std::shared_ptr<ApiState>& state, http::Router& router) {
  for (const RegistryRoute& route : kRegistryRoutes) {
    http::RouteOptions options;
    options.streaming_body = route.streamed;
    // Blob bodies have no size limit but the disk's; manifests are limited by their handler.
    options.max_body = route.streamed ? UINT64_MAX : 0;
    if (route.is_public) {
      options.is_public = true;
    } else {
      options.authorize = MakeRegistryAuthorizer(*state, route.action);
    }
    router.Add(
        route.method, route.pattern,
        [state, handler = route.handler](http::Request& request) {
          http::Response response = handler(*state, request);
          response.headers.Set("Docker-Distribution-API-Version", kApiVersion);
          return response;
        },
        std::move(options));
  }
}

}  // namespace slipway::api
