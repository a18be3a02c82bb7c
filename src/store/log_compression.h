// Log chunks are stored zstd-compressed, one independent frame per chunk, so a range read
// decompresses only the chunks it covers.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace slipway::store {

// The largest chunk AppendLog accepts (and so the most one stored chunk decompresses to).
inline constexpr int64_t kMaxLogChunkBytes = 1 << 20;

// Compresses and decompresses chunks, reusing zstd contexts across calls: a fresh context per
// chunk would allocate (and clear) megabytes of tables every time. Thread-safe: each call
// takes an idle context from a pool (or makes one) and puts it back.
class LogCodec {
 public:
  LogCodec();
  ~LogCodec();
  LogCodec(const LogCodec&) = delete;
  LogCodec& operator=(const LogCodec&) = delete;

  Result<std::string> Compress(std::string_view raw);
  // Fails (kInternal) unless `compressed` is one frame of exactly `raw_size` bytes.
  Result<std::string> Decompress(std::string_view compressed, int64_t raw_size);

 private:
  struct Compressor;
  std::unique_ptr<Compressor> TakeCompressor();
  ZSTD_DCtx_s* TakeDecompressor();

  std::mutex mu_;
  std::vector<std::unique_ptr<Compressor>> compressors_;  // idle; guarded by mu_
  std::vector<ZSTD_DCtx_s*> decompressors_;               // idle; guarded by mu_
};

}  // namespace slipway::store
