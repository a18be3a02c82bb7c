// Bearer tokens of the registry's token endpoint (GET /v2/token).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace slipway::api {

// Short-lived bearer tokens handed out by GET /v2/token (the Docker token flow). Each stands
// for the API token the client authenticated with (by its hash, looked up again on every use so
// that revoking the API token revokes them), or for an anonymous caller. Kept in memory: after
// a restart clients fetch a new one on their next 401. Thread-safe.
class RegistryTokens {
 public:
  static constexpr std::chrono::seconds kLifetime{300};

  // A new token for the API token whose hash is `api_token_hash` ("" for anonymous).
  std::string Issue(const std::string& api_token_hash);
  // The API token hash a registry token stands for ("" for anonymous); nullopt when unknown
  // or expired.
  std::optional<std::string> Find(std::string_view token);

 private:
  struct Entry {
    std::string api_token_hash;
    std::chrono::steady_clock::time_point expires;
  };
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> tokens_;  // by sha256 of the token
};

}  // namespace slipway::api
