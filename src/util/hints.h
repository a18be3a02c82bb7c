// "Did you mean …?" suggestions for misspelled keys, flags, job names, contexts and values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace slipway {

// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), so
// "neesd" is one edit from "needs". Case-sensitive.
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` (ignoring case) if it is close enough to be a plausible
// typo, else "". Ties go to the earlier candidate, so callers list candidates in their
// natural order.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// "did you mean 'needs'?" or "" when nothing is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

// "a, b or c" for messages that list the allowed values.
std::string JoinAlternatives(const std::vector<std::string>& items);

}  // namespace slipway
