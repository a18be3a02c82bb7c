#include "triggers/webhook_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "util/sha256.h"

namespace slipway::triggers::internal {
namespace {

using Digest = std::array<uint8_t, 32>;

Digest Hmac(std::string_view key, std::string_view data) {
  Digest out{};
  unsigned int size = 0;
  // A key longer than INT_MAX cannot come from a project setting; HMAC hashes long keys anyway.
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &size);
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Digest> DecodeDigest(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Digest out{};
  for (size_t i = 0; i < out.size(); ++i) {
    const int high = HexValue(hex[2 * i]), low = HexValue(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(high * 16 + low);
  }
  return out;
}

Status Denied(std::string message) { return {StatusCode::kPermissionDenied, std::move(message)}; }

Status CheckGitHub(const HeaderLookup& headers, std::string_view body, std::string_view secret) {
  std::optional<std::string> header = headers("X-Hub-Signature-256");
  if (!header) {
    if (headers("X-Hub-Signature")) {
      return Denied(
          "X-Hub-Signature-256 header is missing (the SHA-1 X-Hub-Signature is not "
          "accepted)");
    }
    return Denied("X-Hub-Signature-256 header is missing: set the webhook's secret on GitHub");
  }
  constexpr std::string_view kPrefix = "sha256=";
  if (!std::string_view(*header).starts_with(kPrefix)) {
    return Denied("X-Hub-Signature-256 must have the form sha256=<hex HMAC-SHA256 of the body>");
  }
  if (!HmacHexMatches(std::string_view(*header).substr(kPrefix.size()), secret, body)) {
    return Denied(
        "X-Hub-Signature-256 does not match the body (wrong secret, or the body was "
        "changed on the way)");
  }
  return Status::Ok();
}

Status CheckGitLab(const HeaderLookup& headers, std::string_view secret) {
  std::optional<std::string> token = headers("X-Gitlab-Token");
  if (!token) {
    return Denied("X-Gitlab-Token header is missing: set the webhook's secret token on GitLab");
  }
  if (!TokenMatches(*token, secret)) return Denied("X-Gitlab-Token does not match");
  return Status::Ok();
}

Status CheckGitea(const HeaderLookup& headers, std::string_view body, std::string_view secret) {
  std::optional<std::string> signature = headers("X-Gitea-Signature");
  if (!signature || signature->empty()) {
    // Gitea sends the header empty when the hook has no secret.
    return Denied("X-Gitea-Signature header is missing: set the webhook's secret on Gitea");
  }
  if (!HmacHexMatches(*signature, secret, body)) {
    return Denied(
        "X-Gitea-Signature does not match the body (wrong secret, or the body was "
        "changed on the way)");
  }
  return Status::Ok();
}

}  // namespace

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  return HexEncode(Hmac(key, data));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool TokenMatches(std::string_view given, std::string_view secret) {
  Sha256 hash;
  hash.Update(given);
  const Sha256Digest a = hash.Final();
  hash.Update(secret);
  const Sha256Digest b = hash.Final();
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool HmacHexMatches(std::string_view hex, std::string_view secret, std::string_view body) {
  const std::optional<Digest> given = DecodeDigest(hex);
  if (!given) return false;
  const Digest expected = Hmac(secret, body);
  return CRYPTO_memcmp(given->data(), expected.data(), expected.size()) == 0;
}

Status Authenticate(Provider provider, const HeaderLookup& headers, std::string_view body,
                    std::string_view secret) {
  if (secret.empty()) {
    return Denied("this project has no webhook secret; set one before sending " +
                  std::string(ProviderName(provider)) + " webhooks");
  }
  switch (provider) {
    case Provider::kGitHub:
      return CheckGitHub(headers, body, secret);
    case Provider::kGitLab:
      return CheckGitLab(headers, secret);
    case Provider::kGitea:
      return CheckGitea(headers, body, secret);
  }
  return Internal("unknown webhook provider");
}

}  // namespace slipway::triggers::internal
