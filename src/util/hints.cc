#include "util/hints.h"

#include <algorithm>
#include <cctype>

namespace slipway {

int EditDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  // Three rolling rows: the transposition step looks two rows back.
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[m];
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string lowered = Lower(word);
  int best = -1;
  const std::string* best_candidate = nullptr;
  for (const std::string& candidate : candidates) {
    // A case-only difference is the most likely typo of all.
    int distance = Lower(candidate) == lowered ? 0 : EditDistance(lowered, Lower(candidate));
    // Allow roughly one edit per three characters, at least one and at most three, so short
    // words do not "match" everything and long ones tolerate a couple of slips.
    const int limit =
        std::clamp(static_cast<int>(std::max(word.size(), candidate.size())) / 3, 1, 3);
    // Replacing every character is no typo ("c" is not a misspelt "b").
    if (distance > limit || distance >= static_cast<int>(std::max(word.size(), candidate.size()))) {
      continue;
    }
    if (best < 0 || distance < best) {
      best = distance;
      best_candidate = &candidate;
    }
  }
  return best_candidate ? *best_candidate : std::string();
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string match = ClosestMatch(word, candidates);
  return match.empty() ? std::string() : "did you mean '" + match + "'?";
}

std::string JoinAlternatives(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace slipway
