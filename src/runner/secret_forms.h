// The forms in which a secret's value can show up in a log: the value itself and the
// encodings tools commonly apply to it. Private to the runner's Masker.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::runner {

// Every form of `secret` to mask, deduplicated, the value itself first:
//  - the value, whatever its length (empty: nothing);
//  - base64, standard and URL-safe alphabets: the standalone encoding (with and without '='
//    padding) and, for each of the three byte alignments the value can have inside a longer
//    base64 stream, the characters that depend on the value's bytes only;
//  - percent-encoding (RFC 3986 unreserved kept, encodeURIComponent's set kept, all
//    non-alphanumerics encoded, form encoding with '+'; upper- and lower-case hex);
//  - JSON string escaping (minimal, with "\/", ASCII-only \uXXXX, HTML-safe as Go writes it);
//  - for a multi-line value, each line (without a trailing '\r') and that line's forms.
// Forms other than the value itself that are shorter than `min_length` are left out: short
// fragments would mask unrelated text.
std::vector<std::string> SecretForms(std::string_view secret, size_t min_length);

// Exposed for tests.
enum class Base64Alphabet { kStandard, kUrlSafe };
std::string Base64Encode(std::string_view bytes, Base64Alphabet alphabet, bool pad);

}  // namespace slipway::runner
