// The server's provenance signing keys: public halves for anyone who verifies (a public route),
// and rotation for admins (the old public keys stay listed so old provenance still verifies).
#include "api/auth.h"
#include "api/handlers.h"
#include "registry/registry.h"

namespace slipway::api {
namespace {

Json KeyJson(const registry::PublicKey& key) {
  return {{"keyid", key.key_id}, {"public_key", key.pem}, {"active", key.active}};
}

http::Response NoKeys() {
  return http::Response::JsonError(404, "not_found", "this server signs no provenance");
}

}  // namespace

http::Response ListSigningKeys(ApiState& state, http::Request&) {
  if (state.context.keys == nullptr) return NoKeys();
  Json keys = Json::array();
  for (const registry::PublicKey& key : state.context.keys->PublicKeys()) {
    keys.push_back(KeyJson(key));
  }
  return JsonResponse(200, {{"keys", keys}});
}

http::Response RotateSigningKey(ApiState& state, http::Request& request) {
  if (state.context.keys == nullptr) return NoKeys();
  auto rotated = state.context.keys->Rotate();
  if (!rotated.ok()) return http::Response::FromStatus(rotated.status());
  Status audited = Audit(state, PrincipalOf(request).token.name, "signing-key.rotate",
                         "signing-key/" + rotated->key_id, Json::object());
  if (!audited.ok()) return AuditFailed(audited);
  return JsonResponse(200, KeyJson(*rotated));
}

}  // namespace slipway::api
