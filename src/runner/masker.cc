#include "runner/masker.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "runner/secret_forms.h"

namespace slipway::runner {
namespace {

constexpr std::string_view kMask = "***";

inline uint32_t Load32(const unsigned char* p) {
  uint32_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

// Multiplicative hashing: the high bits of the product mix all four bytes.
inline uint32_t Hash(uint32_t word, int bits) { return (word * 0x9E3779B1u) >> (32 - bits); }

inline bool TestBit(const uint64_t* bits, uint32_t i) { return (bits[i >> 6] >> (i & 63)) & 1; }
// Whether the filter has the bit of any of the 4-byte windows starting at p[0..3] (reads
// p[0..7]). Shifting the 8-byte load yields the same words as Load32 at p+1.. on
// little-endian machines only.
static_assert(std::endian::native == std::endian::little);
template <int kBits>
inline bool AnyCandidate(const uint64_t* filter, const unsigned char* p) {
  uint64_t bytes;
  std::memcpy(&bytes, p, sizeof bytes);
  return (TestBit(filter, Hash(static_cast<uint32_t>(bytes), kBits)) |
          TestBit(filter, Hash(static_cast<uint32_t>(bytes >> 8), kBits)) |
          TestBit(filter, Hash(static_cast<uint32_t>(bytes >> 16), kBits)) |
          TestBit(filter, Hash(static_cast<uint32_t>(bytes >> 24), kBits))) != 0;
}

inline void SetBit(uint64_t* bits, uint32_t i) { bits[i >> 6] |= uint64_t{1} << (i & 63); }

}  // namespace

MaskSet::MaskSet(const std::vector<std::string>& patterns)
    : filter_((size_t{1} << kFilterBits) / 64, 0),
      bucket_start_((size_t{1} << kBucketBits) + 1, 0) {
  struct Long {
    uint32_t bucket;
    const std::string* text;
  };
  std::vector<Long> longs;
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) continue;
    ++count_;
    max_length_ = std::max(max_length_, pattern.size());
    if (pattern.size() < 4) {
      short_.push_back(pattern);
      SetBit(short_first_, static_cast<unsigned char>(pattern[0]));
      continue;
    }
    const uint32_t hash =
        Hash(Load32(reinterpret_cast<const unsigned char*>(pattern.data())), kFilterBits);
    SetBit(filter_.data(), hash);
    longs.push_back(Long{hash >> (kFilterBits - kBucketBits), &pattern});
  }
  // Bucket by bucket, longest first: the first verified entry is the longest match.
  std::sort(longs.begin(), longs.end(), [](const Long& x, const Long& y) {
    return x.bucket != y.bucket ? x.bucket < y.bucket : x.text->size() > y.text->size();
  });
  entries_.reserve(longs.size());
  for (const Long& pattern : longs) {
    ++bucket_start_[pattern.bucket + 1];
    entries_.push_back(Entry{Load32(reinterpret_cast<const unsigned char*>(pattern.text->data())),
                             static_cast<uint32_t>(pattern.text->size()),
                             static_cast<uint32_t>(blob_.size())});
    blob_ += *pattern.text;
  }
  for (size_t b = 1; b < bucket_start_.size(); ++b) bucket_start_[b] += bucket_start_[b - 1];
  std::stable_sort(short_.begin(), short_.end(),
                   [](const std::string& x, const std::string& y) { return x.size() > y.size(); });
}

size_t MaskSet::LongestLongAt(const unsigned char* p, size_t n, size_t i, uint32_t word,
                              uint32_t hash) const {
  const uint32_t bucket = hash >> (kFilterBits - kBucketBits);
  const size_t left = n - i;
  for (uint32_t e = bucket_start_[bucket]; e < bucket_start_[bucket + 1]; ++e) {
    const Entry& entry = entries_[e];
    if (entry.prefix != word || entry.length > left) continue;
    if (std::memcmp(blob_.data() + entry.offset + 4, p + i + 4, entry.length - 4) == 0) {
      return entry.length;
    }
  }
  return 0;
}

size_t MaskSet::LongestShortAt(const unsigned char* p, size_t n, size_t i) const {
  for (const std::string& pattern : short_) {
    if (pattern.size() <= n - i && std::memcmp(pattern.data(), p + i, pattern.size()) == 0) {
      return pattern.size();
    }
  }
  return 0;
}

size_t MaskSet::FindNext(std::string_view text, size_t from, size_t* length) const {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  const uint64_t* filter = filter_.data();
  if (short_.empty()) {
    const size_t last = n >= 4 ? n - 3 : 0;  // positions [0, last) can start a 4-byte pattern
    size_t i = from;
    while (i < last) {
      // The hot loop: four positions per 8-byte load, one branch for all four.
      while (i + 8 <= n && !AnyCandidate<kFilterBits>(filter, p + i)) i += 4;
      // Check a group with a candidate (a real match or a filter false positive), or the
      // last few positions, one at a time.
      const size_t group_end = i + 8 <= n ? i + 4 : last;
      for (; i < group_end; ++i) {
        const uint32_t word = Load32(p + i);
        const uint32_t hash = Hash(word, kFilterBits);
        if (!TestBit(filter, hash)) continue;
        if (size_t found = LongestLongAt(p, n, i, word, hash)) {
          *length = found;
          return i;
        }
      }
    }
    return n;
  }
  for (size_t i = from; i < n; ++i) {
    size_t found = 0;
    if (i + 4 <= n) {
      const uint32_t word = Load32(p + i);
      const uint32_t hash = Hash(word, kFilterBits);
      if (TestBit(filter, hash)) found = LongestLongAt(p, n, i, word, hash);
    }
    if (found == 0 && TestBit(short_first_, p[i])) found = LongestShortAt(p, n, i);
    if (found != 0) {
      *length = found;
      return i;
    }
  }
  return n;
}

void MaskSet::FindRanges(std::string_view text, std::vector<MaskRange>* ranges) const {
  if (count_ == 0) return;
  size_t length = 0;
  size_t i = FindNext(text, 0, &length);
  if (i == text.size()) return;
  MaskRange current{i, i + length};
  while ((i = FindNext(text, i + 1, &length)) < text.size()) {
    if (i <= current.end) {
      current.end = std::max(current.end, i + length);
    } else {
      ranges->push_back(current);
      current = MaskRange{i, i + length};
    }
  }
  ranges->push_back(current);
}

std::string MaskSet::MaskWith(std::string_view text, size_t first, size_t first_length) const {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;  // text[copied, ...) is not in `out` yet
  MaskRange current{first, first + first_length};
  size_t i = first;
  size_t length = 0;
  while ((i = FindNext(text, i + 1, &length)) < text.size()) {
    if (i <= current.end) {
      current.end = std::max(current.end, i + length);
      continue;
    }
    out.append(text.substr(copied, current.begin - copied)).append(kMask);
    copied = current.end;
    current = MaskRange{i, i + length};
  }
  out.append(text.substr(copied, current.begin - copied)).append(kMask);
  out.append(text.substr(current.end));
  return out;
}

bool MaskSet::MaskIfNeeded(std::string_view text, std::string* out) const {
  if (count_ == 0) return false;
  size_t length = 0;
  const size_t first = FindNext(text, 0, &length);
  if (first == text.size()) return false;
  *out = MaskWith(text, first, length);
  return true;
}

std::string MaskSet::Mask(std::string_view text) const {
  std::string out;
  if (!MaskIfNeeded(text, &out)) out.assign(text);
  return out;
}

Masker::Masker(MaskerOptions options)
    : options_(options), set_(std::make_shared<const MaskSet>(std::vector<std::string>{})) {}

void Masker::AddSecret(std::string_view value) {
  std::vector<std::string> forms = SecretForms(value, options_.min_derived_length);
  if (forms.empty()) return;
  std::lock_guard lock(mu_);
  bool changed = false;
  for (std::string& form : forms) {
    if (forms_.insert(form).second) {
      ordered_forms_.push_back(std::move(form));
      changed = true;
    }
  }
  if (!changed) return;
  set_ = std::make_shared<const MaskSet>(ordered_forms_);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const MaskSet> Masker::patterns() const {
  std::lock_guard lock(mu_);
  return set_;
}

std::vector<std::string> Masker::forms() const {
  std::lock_guard lock(mu_);
  return ordered_forms_;
}

std::string Masker::Mask(std::string_view text) const { return patterns()->Mask(text); }

bool Masker::MaskIfNeeded(std::string_view text, std::string* out) const {
  return patterns()->MaskIfNeeded(text, out);
}

}  // namespace slipway::runner
