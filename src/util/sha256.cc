#include "util/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

namespace slipway {

// EVP_MD_CTX is opaque; the wrapper keeps OpenSSL out of the header.
struct Sha256::Context {
  EVP_MD_CTX* md = nullptr;
  Context() : md(EVP_MD_CTX_new()) {
    // Allocation failure or a missing digest is unrecoverable here and means a broken libcrypto.
    if (md == nullptr || EVP_DigestInit_ex(md, EVP_sha256(), nullptr) != 1) std::abort();
  }
  ~Context() { EVP_MD_CTX_free(md); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
};

Sha256::Sha256() : ctx_(std::make_unique<Context>()) {}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Update(const void* data, size_t size) {
  if (!ctx_) ctx_ = std::make_unique<Context>();  // moved-from objects become usable again
  if (size > 0) EVP_DigestUpdate(ctx_->md, data, size);
}

Sha256Digest Sha256::Final() {
  if (!ctx_) ctx_ = std::make_unique<Context>();
  Sha256Digest digest{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, digest.data(), &len);
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
  return digest;
}

std::string HexEncode(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256Digest digest{};
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return HexEncode(digest);
}

Result<std::string> Sha256File(const std::filesystem::path& path, uint64_t* size) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("sha256: open " + path.string(), errno);
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  // 1 MiB reads amortise syscalls; a heap buffer keeps the stack small.
  constexpr size_t kChunk = size_t{1} << 20;
  auto buffer = std::make_unique_for_overwrite<uint8_t[]>(kChunk);
  Sha256 hash;
  uint64_t total = 0;
  for (;;) {
    const ssize_t n = read(fd, buffer.get(), kChunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return ErrnoStatus("sha256: read " + path.string(), err);
    }
    hash.Update(buffer.get(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
  }
  close(fd);
  if (size != nullptr) *size = total;
  return HexEncode(hash.Final());
}

}  // namespace slipway
