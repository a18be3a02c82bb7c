#include "store/log_compression.h"

#include <zstd.h>

namespace slipway::store {
namespace {

// Level 3 (zstd's default): logs shrink several times at hundreds of MB/s, so compressing a
// 1 MiB chunk costs a few milliseconds at most.
constexpr int kLevel = 3;

}  // namespace

// A context and an output buffer big enough for any chunk, kept between calls.
struct LogCodec::Compressor {
  Compressor() : cctx(ZSTD_createCCtx()), buffer(ZSTD_compressBound(kMaxLogChunkBytes)) {}
  ~Compressor() { ZSTD_freeCCtx(cctx); }
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  ZSTD_CCtx* cctx;
  std::vector<char> buffer;
};

LogCodec::LogCodec() = default;

LogCodec::~LogCodec() {
  for (ZSTD_DCtx* dctx : decompressors_) ZSTD_freeDCtx(dctx);
}

std::unique_ptr<LogCodec::Compressor> LogCodec::TakeCompressor() {
  {
    std::lock_guard lock(mu_);
    if (!compressors_.empty()) {
      auto c = std::move(compressors_.back());
      compressors_.pop_back();
      return c;
    }
  }
  return std::make_unique<Compressor>();
}

ZSTD_DCtx* LogCodec::TakeDecompressor() {
  {
    std::lock_guard lock(mu_);
    if (!decompressors_.empty()) {
      ZSTD_DCtx* d = decompressors_.back();
      decompressors_.pop_back();
      return d;
    }
  }
  return ZSTD_createDCtx();
}

Result<std::string> LogCodec::Compress(std::string_view raw) {
  if (static_cast<int64_t>(raw.size()) > kMaxLogChunkBytes) {
    return Internal("a log chunk over the size limit reached the compressor");
  }
  std::unique_ptr<Compressor> c = TakeCompressor();
  if (c->cctx == nullptr) return Internal("zstd: cannot allocate a compression context");
  size_t n = ZSTD_compressCCtx(c->cctx, c->buffer.data(), c->buffer.size(), raw.data(), raw.size(),
                               kLevel);
  Result<std::string> out =
      ZSTD_isError(n) ? Result<std::string>(Internal(std::string("compressing a log chunk: ") +
                                                     ZSTD_getErrorName(n)))
                      : Result<std::string>(std::string(c->buffer.data(), n));
  std::lock_guard lock(mu_);
  compressors_.push_back(std::move(c));
  return out;
}

Result<std::string> LogCodec::Decompress(std::string_view compressed, int64_t raw_size) {
  if (raw_size < 0 || raw_size > kMaxLogChunkBytes) {
    return Internal("a stored log chunk claims " + std::to_string(raw_size) + " bytes");
  }
  ZSTD_DCtx* dctx = TakeDecompressor();
  if (dctx == nullptr) return Internal("zstd: cannot allocate a decompression context");
  std::string out(static_cast<size_t>(raw_size), '\0');
  size_t n =
      ZSTD_decompressDCtx(dctx, out.data(), out.size(), compressed.data(), compressed.size());
  {
    std::lock_guard lock(mu_);
    decompressors_.push_back(dctx);
  }
  if (ZSTD_isError(n) || n != out.size()) {
    return Internal(std::string("a stored log chunk is damaged: ") +
                    (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong size"));
  }
  return out;
}

}  // namespace slipway::store
