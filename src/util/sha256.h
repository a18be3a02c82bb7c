// SHA-256 (FIPS 180-4) over bytes and files, backed by OpenSSL's EVP interface.
//
// Thread-safety: a Sha256 object is not shared between threads; the free functions are
// reentrant.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "util/status.h"

namespace slipway {

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental hashing: Update any number of times, then Final once. After Final the object
// starts over as if newly constructed. Non-copyable (owns an OpenSSL context); movable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, size_t size);
  void Update(std::string_view bytes) { Update(bytes.data(), bytes.size()); }
  Sha256Digest Final();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

// Lower-case hex of `bytes` ("" for none).
std::string HexEncode(std::span<const uint8_t> bytes);
inline std::string HexEncode(const Sha256Digest& d) { return HexEncode(std::span(d)); }

// Lower-case hex SHA-256 of `bytes` (64 characters).
std::string Sha256Hex(std::string_view bytes);

// Lower-case hex SHA-256 of the file's contents (follows symlinks), read in 1 MiB chunks.
// When `size` is given it receives the number of bytes hashed. Errors name the file (kNotFound
// when it does not exist).
Result<std::string> Sha256File(const std::filesystem::path& path, uint64_t* size = nullptr);

}  // namespace slipway
