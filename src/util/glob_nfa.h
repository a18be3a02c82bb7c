// Internal to util/glob: a glob pattern compiled to a small NFA over path characters.
//
// Why an NFA: simulating it keeps a set of pattern positions, so matching costs
// O(len(path) × len(pattern)) whatever the pattern (`a*a*a*a*…b` included) — no backtracking
// that can blow up. Expand also uses it incrementally: the state set after "dir/" says whether
// anything below `dir` can still match, which prunes the walk.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace slipway::glob::internal {

class Nfa {
 public:
  // One bit per pattern position; position size() is "whole pattern consumed".
  using States = std::vector<uint8_t>;

  // Compiles `pattern`; on a malformed pattern sets *error (non-empty) and returns an NFA that
  // matches nothing.
  static Nfa Compile(std::string_view pattern, std::string* error);

  States Start() const;
  // The states after consuming `c` from `in`. `out` must not alias `in`.
  void Step(const States& in, unsigned char c, States* out) const;
  // Steps through every byte of `text`.
  States Consume(States states, std::string_view text) const;

  bool Accepts(const States& s) const { return !s.empty() && s.back() != 0; }
  bool Alive(const States& s) const;

  // The leading path segments that contain no metacharacter (unescaped, joined by '/', no
  // trailing slash); excludes the last segment. Empty when the pattern starts with magic.
  const std::string& literal_dir_prefix() const { return literal_dir_prefix_; }

 private:
  enum class Kind : uint8_t {
    kLiteral,   // the byte `c`
    kQuestion,  // one byte except '/'
    kAnyByte,   // one byte, '/' included
    kClass,     // one byte from classes_[index] ('/' never in it)
    kStar,      // zero or more bytes except '/'
    kAnyStar,   // zero or more bytes, '/' included
    kDirStar,   // "" or anything ending in '/': a `**/` segment
  };
  struct Token {
    Kind kind;
    unsigned char c = 0;
    uint32_t index = 0;
  };

  void Close(States* s) const;  // adds the epsilon moves (skippable stars)

  std::vector<Token> tokens_;
  std::vector<std::bitset<256>> classes_;
  std::string literal_dir_prefix_;
  bool broken_ = false;
};

}  // namespace slipway::glob::internal
