// The server's second look at one log chunk from an agent (LogScrubber in engine.h), as pure
// functions over text so that the rules are tested without a store. Private to the engine.
//
// A chunk is checked together with its context: the stored bytes just before it (already
// checked, so already masked). What is found is overwritten with '*' byte for byte, which keeps
// every offset valid. The rules:
//  1. every whole secret form (runner::Masker's forms) that reaches into the chunk;
//  2. every slipway token ("slw_" + 43 characters) that reaches into the chunk and that
//     `is_token` confirms (a token the server issued);
//  3. at the chunk's start, the rest of a form or token whose start the previous chunk ended
//     with: rule 4 left that start as a run of '*' at the end of the context;
//  4. at the chunk's end, the longest tail that is the start of a form (or the characters of a
//     token cut short after "slw_"): it may be a secret the next chunk completes, and once
//     stored it cannot be taken back. A false alarm hides a few bytes at the end of a chunk
//     (slipway agents send whole lines, and no form starts with a line break).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runner/masker.h"

namespace slipway::engine {

inline constexpr std::string_view kTokenPrefix = "slw_";
inline constexpr size_t kTokenChars = 43;  // after the prefix: base64url of 32 bytes
inline constexpr size_t kTokenLength = kTokenPrefix.size() + kTokenChars;

// The secret values to look for, compiled once per change.
struct SecretPatterns {
  std::shared_ptr<const runner::MaskSet> set;  // every form, compiled; may be empty
  std::vector<std::string> forms;              // the same forms, for the edge rules
  // How many stored bytes before a chunk its check needs: one less than the longest form or
  // token.
  size_t context_bytes() const;
};

// Whether a complete token-shaped string is a token the server issued.
using TokenCheck = std::function<bool(std::string_view token)>;

struct ScrubbedChunk {
  std::string data;  // the chunk, same length, with what was found overwritten by '*'
  int found = 0;     // separate masked stretches in it
};

ScrubbedChunk ScrubChunk(std::string_view context, std::string_view chunk,
                         const SecretPatterns& patterns, const TokenCheck& is_token);

}  // namespace slipway::engine
