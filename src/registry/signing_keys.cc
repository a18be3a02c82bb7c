// KeyRing: Ed25519 signing keys as PEM files, the active one named by the file "active".
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "registry/openssl_ptr.h"
#include "registry/registry.h"
#include "util/base64.h"
#include "util/fs.h"

namespace slipway::registry {
namespace fs = std::filesystem;

namespace {

using internal::Bio;
using internal::MdCtx;
using internal::Pkey;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

Result<std::string> PublicPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return Internal("cannot encode a public key");
  }
  return BioText(bio.get());
}

}  // namespace

struct KeyRing::Key {
  Pkey pkey;
  PublicKey public_key;
};

KeyRing::KeyRing(fs::path dir) : dir_(std::move(dir)) {}
KeyRing::~KeyRing() = default;

Result<std::unique_ptr<KeyRing>> KeyRing::Open(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return ErrnoStatus("create " + dir.string(), ec.value());
  fs::permissions(dir, fs::perms::owner_all, ec);
  std::unique_ptr<KeyRing> ring(new KeyRing(dir));
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(dir.string()));
  std::string active;
  if (auto text = ReadFile(dir / "active", 256); text.ok()) active = *text;
  for (const std::string& name : names) {
    if (!name.ends_with(".pem") || name.starts_with(".")) continue;
    SLIPWAY_ASSIGN_OR_RETURN(std::string pem, ReadFile(dir / name, 64 * 1024));
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Pkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
      return InvalidArgument((dir / name).string() + " is not an Ed25519 private key (PEM)");
    }
    SLIPWAY_ASSIGN_OR_RETURN(std::string public_pem, PublicPem(pkey.get()));
    SLIPWAY_ASSIGN_OR_RETURN(PublicKey public_key, ParsePublicKey(public_pem));
    public_key.active = public_key.key_id == active;
    auto key = std::make_unique<Key>(Key{std::move(pkey), std::move(public_key)});
    if (key->public_key.active) {
      ring->keys_.insert(ring->keys_.begin(), std::move(key));
    } else {
      ring->keys_.push_back(std::move(key));
    }
  }
  if (ring->keys_.empty() || !ring->keys_.front()->public_key.active) {
    SLIPWAY_RETURN_IF_ERROR(ring->Rotate().status());
  }
  return ring;
}

Result<PublicKey> KeyRing::Rotate() {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return Internal("cannot generate an Ed25519 key");
  }
  Pkey pkey(raw);
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Internal("cannot encode an Ed25519 key");
  }
  SLIPWAY_ASSIGN_OR_RETURN(std::string public_pem, PublicPem(pkey.get()));
  SLIPWAY_ASSIGN_OR_RETURN(PublicKey public_key, ParsePublicKey(public_pem));
  SLIPWAY_RETURN_IF_ERROR(
      WriteFileAtomic(dir_ / (public_key.key_id + ".pem"), BioText(bio.get()), 0600));
  SLIPWAY_RETURN_IF_ERROR(WriteFileAtomic(dir_ / "active", public_key.key_id, 0600));
  public_key.active = true;
  std::lock_guard lock(mutex_);
  for (auto& key : keys_) key->public_key.active = false;
  keys_.insert(keys_.begin(), std::make_unique<Key>(Key{std::move(pkey), public_key}));
  return public_key;
}

std::vector<PublicKey> KeyRing::PublicKeys() const {
  std::lock_guard lock(mutex_);
  std::vector<PublicKey> keys;
  for (const auto& key : keys_) keys.push_back(key->public_key);
  return keys;
}

Result<std::string> KeyRing::SignEnvelope(std::string_view payload_type, std::string_view payload) {
  const std::string pae = PreAuthEncoding(payload_type, payload);
  std::string signature(64, '\0');
  size_t length = signature.size();
  std::string key_id;
  {
    std::lock_guard lock(mutex_);
    const Key& key = *keys_.front();
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.pkey.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(pae.data()), pae.size()) != 1) {
      return Internal("Ed25519 signing failed");
    }
    key_id = key.public_key.key_id;
  }
  signature.resize(length);
  nlohmann::json envelope = {
      {"payloadType", payload_type},
      {"payload", Base64Encode(payload)},
      {"signatures",
       nlohmann::json::array({{{"keyid", key_id}, {"sig", Base64Encode(signature)}}})}};
  return envelope.dump();
}

}  // namespace slipway::registry
