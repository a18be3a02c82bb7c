#include "engine/chunk_scrub.h"

#include <algorithm>

namespace slipway::engine {
namespace {

using runner::MaskRange;

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Token characters at text[from…], at most `limit`.
size_t TokenCharsAt(std::string_view text, size_t from, size_t limit) {
  size_t n = 0;
  while (n < limit && from + n < text.size() && IsTokenChar(text[from + n])) ++n;
  return n;
}

// Rule 2, and rule 4 for tokens: complete tokens the check confirms, and the characters of a
// token that the text's end cuts short.
void FindTokens(std::string_view text, size_t chunk_start, const TokenCheck& is_token,
                std::vector<MaskRange>* ranges) {
  for (size_t at = text.find(kTokenPrefix); at != std::string_view::npos;
       at = text.find(kTokenPrefix, at + 1)) {
    const size_t chars_at = at + kTokenPrefix.size();
    const size_t n = TokenCharsAt(text, chars_at, kTokenChars);
    if (n == kTokenChars) {
      if (at + kTokenLength > chunk_start && is_token(text.substr(at, kTokenLength))) {
        ranges->push_back({at, at + kTokenLength});
      }
    } else if (n > 0 && chars_at + n == text.size()) {
      ranges->push_back({chars_at, text.size()});
    }
  }
}

// Rule 3: the chunk starts with the rest of a form or token whose first `stars` (or fewer)
// bytes the context ends with, already masked; or the whole chunk lies inside that rest.
void FindContinuations(std::string_view context, std::string_view chunk,
                       const SecretPatterns& patterns, std::vector<MaskRange>* ranges) {
  size_t stars = 0;
  while (stars < context.size() && context[context.size() - 1 - stars] == '*') ++stars;
  if (stars == 0) return;
  const size_t base = context.size();
  for (const std::string& form : patterns.forms) {
    for (size_t j = std::min(stars, form.size() - 1); j >= 1; --j) {
      const std::string_view rest = std::string_view(form).substr(j);
      if (chunk.starts_with(rest)) {
        ranges->push_back({base, base + rest.size()});
        break;
      }
      // A chunk inside the secret: the next chunk continues it after these stars.
      if (!chunk.empty() && rest.starts_with(chunk)) {
        ranges->push_back({base, base + chunk.size()});
        break;
      }
    }
  }
  const std::string_view before = context.substr(0, base - stars);
  if (stars < kTokenChars && before.ends_with(kTokenPrefix)) {
    const size_t n = TokenCharsAt(chunk, 0, kTokenChars - stars);
    // Masked when it completes the token, or when the chunk ends first (the next chunk
    // continues it; rule 4 keeps its start masked).
    if (n > 0 && (n == kTokenChars - stars || n == chunk.size())) {
      ranges->push_back({base, base + n});
    }
  }
}

// Rule 4 for forms: the longest tail of `text` that is a proper prefix of a form.
void FindCutForms(std::string_view text, const SecretPatterns& patterns,
                  std::vector<MaskRange>* ranges) {
  size_t longest = 0;
  for (const std::string& form : patterns.forms) {
    if (form.size() < 2) continue;  // a one-byte form has no proper prefix
    for (size_t k = std::min(form.size() - 1, text.size()); k > longest; --k) {
      if (text.ends_with(std::string_view(form).substr(0, k))) {
        longest = k;
        break;
      }
    }
  }
  if (longest > 0) ranges->push_back({text.size() - longest, text.size()});
}

}  // namespace

size_t SecretPatterns::context_bytes() const {
  size_t longest = kTokenLength;
  for (const std::string& form : forms) longest = std::max(longest, form.size());
  return longest - 1;
}

ScrubbedChunk ScrubChunk(std::string_view context, std::string_view chunk,
                         const SecretPatterns& patterns, const TokenCheck& is_token) {
  std::string text;
  text.reserve(context.size() + chunk.size());
  text.append(context).append(chunk);
  const size_t base = context.size();
  std::vector<MaskRange> ranges;
  if (patterns.set != nullptr) patterns.set->FindRanges(text, &ranges);
  FindTokens(text, base, is_token, &ranges);
  FindContinuations(context, chunk, patterns, &ranges);
  FindCutForms(text, patterns, &ranges);

  // Merge, keep what lies in the chunk, and overwrite it.
  std::sort(ranges.begin(), ranges.end(),
            [](const MaskRange& a, const MaskRange& b) { return a.begin < b.begin; });
  ScrubbedChunk out{.data = std::string(chunk), .found = 0};
  size_t covered = base;  // bytes before this are masked or outside the chunk
  for (const MaskRange& range : ranges) {
    const size_t begin = std::max(range.begin, covered);
    if (range.end <= begin) continue;
    if (begin > covered || covered == base) ++out.found;
    std::fill(out.data.begin() + static_cast<std::ptrdiff_t>(begin - base),
              out.data.begin() + static_cast<std::ptrdiff_t>(range.end - base), '*');
    covered = range.end;
  }
  return out;
}

}  // namespace slipway::engine
