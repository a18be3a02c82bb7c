// DSSE (Dead Simple Signing Envelope, v1): the pre-authentication encoding and verification
// of Ed25519 signatures over it.
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "registry/openssl_ptr.h"
#include "registry/registry.h"
#include "util/base64.h"
#include "util/sha256.h"

namespace slipway::registry {
namespace {

using nlohmann::json;

using internal::Bio;
using internal::MdCtx;
using internal::Pkey;

Pkey ReadPublicKey(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return nullptr;
  return Pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

bool VerifyEd25519(const std::string& pem, std::string_view message, std::string_view signature) {
  auto key = ReadPublicKey(pem);
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace

std::string PreAuthEncoding(std::string_view payload_type, std::string_view payload) {
  std::string pae = "DSSEv1 ";
  pae += std::to_string(payload_type.size());
  pae += ' ';
  pae += payload_type;
  pae += ' ';
  pae += std::to_string(payload.size());
  pae += ' ';
  pae += payload;
  return pae;
}

Result<PublicKey> ParsePublicKey(std::string_view pem) {
  auto key = ReadPublicKey(pem);
  if (!key) return InvalidArgument("not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return InvalidArgument("the public key is not an Ed25519 key");
  }
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key.get(), &der);
  if (length <= 0) return InvalidArgument("the public key cannot be encoded");
  PublicKey result;
  result.key_id =
      Sha256Hex(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(length)));
  OPENSSL_free(der);
  result.pem = std::string(pem);
  return result;
}

Result<VerifiedEnvelope> VerifyEnvelope(std::string_view envelope_json,
                                        const std::vector<PublicKey>& keys) {
  json envelope = json::parse(envelope_json, nullptr, false);
  if (!envelope.is_object() || !envelope.contains("payloadType") ||
      !envelope["payloadType"].is_string() || !envelope.contains("payload") ||
      !envelope["payload"].is_string() || !envelope.contains("signatures") ||
      !envelope["signatures"].is_array()) {
    return InvalidArgument("not a DSSE envelope (needs payloadType, payload and signatures)");
  }
  VerifiedEnvelope verified;
  verified.payload_type = envelope["payloadType"].get<std::string>();
  auto payload = Base64Decode(envelope["payload"].get<std::string>());
  if (!payload) return InvalidArgument("the envelope's payload is not base64");
  verified.payload = std::move(*payload);
  const std::string pae = PreAuthEncoding(verified.payload_type, verified.payload);
  for (const json& signature : envelope["signatures"]) {
    if (!signature.is_object() || !signature.contains("sig") || !signature["sig"].is_string()) {
      continue;
    }
    auto bytes = Base64Decode(signature["sig"].get<std::string>());
    if (!bytes) continue;
    const std::string key_id = signature.value("keyid", "");
    for (const PublicKey& key : keys) {
      if (!key_id.empty() && key_id != key.key_id) continue;
      if (VerifyEd25519(key.pem, pae, *bytes)) {
        verified.key_id = key.key_id;
        return verified;
      }
    }
  }
  return PermissionDenied("no signature of the envelope verifies with the " +
                          std::to_string(keys.size()) + " trusted key(s)");
}

}  // namespace slipway::registry
