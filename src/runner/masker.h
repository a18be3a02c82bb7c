// Masker: the set of secret values of a run, and the masking of them as `***` in any text that
// leaves a job (log lines, test messages, outputs, summaries).
//
// AddSecret registers a value together with the forms it commonly takes in logs (base64 at
// every alignment, percent-encoding, JSON escaping, each line of a multi-line value; see
// secret_forms.h). Masking replaces every occurrence of any registered form by `***`;
// overlapping or adjacent occurrences become one `***`.
//
// Thread-safety: all methods may be called from any thread at any time; a secret added while
// another thread masks applies to that thread's next call. The compiled patterns are an
// immutable snapshot (MaskSet) replaced on each change, so hot loops (LogStream) can hold a
// snapshot and re-fetch it only when version() changes.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace slipway::runner {

// Half-open byte range [begin, end) of a text.
struct MaskRange {
  size_t begin = 0;
  size_t end = 0;
  bool operator==(const MaskRange&) const = default;
};

// An immutable, compiled set of literal patterns, matched in one pass over the text: a 4-byte
// fingerprint filter (a bit per hashed 4-gram, 8 KiB, stays in L1) rejects almost every
// position with a few instructions; candidate positions are verified against the patterns of
// that fingerprint, longest first. Patterns shorter than 4 bytes take a slower path.
class MaskSet {
 public:
  explicit MaskSet(const std::vector<std::string>& patterns);  // empty patterns are ignored

  size_t size() const { return count_; }
  size_t max_length() const { return max_length_; }  // 0 when empty

  // The ranges of `text` to mask, sorted, disjoint and non-adjacent (touching or overlapping
  // matches are merged). Appended to *ranges.
  void FindRanges(std::string_view text, std::vector<MaskRange>* ranges) const;

  // When `text` holds a pattern, sets *out to the masked text and returns true. Otherwise
  // returns false and leaves *out alone, so the caller can use `text` itself without a copy.
  bool MaskIfNeeded(std::string_view text, std::string* out) const;

  std::string Mask(std::string_view text) const;

 private:
  struct Entry {
    uint32_t prefix;  // the first 4 bytes, as loaded from memory
    uint32_t length;
    uint32_t offset;  // into blob_
  };
  static constexpr int kFilterBits = 16;
  static constexpr int kBucketBits = 12;

  // The first position >= from where a pattern starts, with the longest such pattern's
  // length in *length; text.size() when there is none.
  size_t FindNext(std::string_view text, size_t from, size_t* length) const;
  size_t LongestLongAt(const unsigned char* p, size_t n, size_t i, uint32_t word,
                       uint32_t hash) const;
  size_t LongestShortAt(const unsigned char* p, size_t n, size_t i) const;
  std::string MaskWith(std::string_view text, size_t first, size_t first_length) const;

  size_t count_ = 0;
  size_t max_length_ = 0;
  std::vector<uint64_t> filter_;            // 1 << kFilterBits bits
  std::vector<uint32_t> bucket_start_;      // (1 << kBucketBits) + 1 offsets into entries_
  std::vector<Entry> entries_;              // per bucket, longest first
  std::string blob_;                        // the text of all long patterns
  uint64_t short_first_[4] = {0, 0, 0, 0};  // first bytes of the patterns shorter than 4
  std::vector<std::string> short_;          // patterns shorter than 4, longest first
};

struct MaskerOptions {
  // Derived forms (encodings, lines of a multi-line value) shorter than this are not masked:
  // they would hide unrelated text. The value itself is always masked, whatever its length.
  size_t min_derived_length = 4;
};

class Masker {
 public:
  explicit Masker(MaskerOptions options = {});
  Masker(const Masker&) = delete;
  Masker& operator=(const Masker&) = delete;

  // Registers `value` and its forms. An empty value is ignored.
  void AddSecret(std::string_view value);

  std::string Mask(std::string_view text) const;
  bool MaskIfNeeded(std::string_view text, std::string* out) const;  // as MaskSet's

  // The current compiled snapshot; never null.
  std::shared_ptr<const MaskSet> patterns() const;
  // Every registered form (what patterns() matches), in registration order: for callers that
  // look at text edges, e.g. a log chunk ending with the start of a secret.
  std::vector<std::string> forms() const;
  // Increases whenever patterns() changes; cheap to read on every call.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  const MaskerOptions options_;
  mutable std::mutex mu_;
  std::unordered_set<std::string> forms_;   // guarded by mu_
  std::vector<std::string> ordered_forms_;  // guarded by mu_; registration order
  std::shared_ptr<const MaskSet> set_;      // guarded by mu_
  std::atomic<uint64_t> version_{0};
};

}  // namespace slipway::runner
