#include "util/glob_nfa.h"

#include <algorithm>

namespace slipway::glob::internal {
namespace {

// The pattern split into lexical items; '/' outside a class separates segments.
struct Item {
  enum Kind : uint8_t { kLiteral, kSeparator, kQuestion, kStar, kDoubleStar, kClass } kind;
  unsigned char c = 0;
  uint32_t cls = 0;
};

// Parses the class starting at pattern[i] == '['; returns the index after the closing ']'.
size_t ParseClass(std::string_view p, size_t i, std::bitset<256>* set, std::string* error) {
  const size_t open = i++;
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) {
    negate = true;
    ++i;
  }
  bool first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    unsigned char lo = static_cast<unsigned char>(p[i]);
    if (lo == '\\' && i + 1 < p.size()) lo = static_cast<unsigned char>(p[++i]);
    ++i;
    unsigned char hi = lo;
    if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
      ++i;
      hi = static_cast<unsigned char>(p[i]);
      if (hi == '\\' && i + 1 < p.size()) hi = static_cast<unsigned char>(p[++i]);
      ++i;
      if (hi < lo) {
        *error = "invalid range '" + std::string(1, static_cast<char>(lo)) + "-" +
                 std::string(1, static_cast<char>(hi)) + "' in character class at column " +
                 std::to_string(open + 1);
        return p.size();
      }
    }
    for (unsigned v = lo; v <= hi; ++v) set->set(v);
  }
  if (i >= p.size()) {
    *error = "unterminated character class '[' at column " + std::to_string(open + 1);
    return p.size();
  }
  if (negate) set->flip();
  set->reset('/');  // a class matches within one path segment
  return i + 1;
}

std::vector<Item> Lex(std::string_view p, std::vector<std::bitset<256>>* classes,
                      std::string* error) {
  std::vector<Item> items;
  size_t i = 0;
  while (i < p.size() && error->empty()) {
    const char ch = p[i];
    if (ch == '\\') {
      if (i + 1 >= p.size()) {
        *error = "trailing backslash escapes nothing";
        break;
      }
      items.push_back({Item::kLiteral, static_cast<unsigned char>(p[i + 1])});
      i += 2;
    } else if (ch == '*') {
      size_t run = 0;
      while (i < p.size() && p[i] == '*') ++i, ++run;
      items.push_back({run >= 2 ? Item::kDoubleStar : Item::kStar});
    } else if (ch == '?') {
      items.push_back({Item::kQuestion});
      ++i;
    } else if (ch == '[') {
      std::bitset<256> set;
      i = ParseClass(p, i, &set, error);
      classes->push_back(set);
      items.push_back({Item::kClass, 0, static_cast<uint32_t>(classes->size() - 1)});
    } else if (ch == '/') {
      items.push_back({Item::kSeparator});
      ++i;
    } else {
      items.push_back({Item::kLiteral, static_cast<unsigned char>(ch)});
      ++i;
    }
  }
  return items;
}

}  // namespace

Nfa Nfa::Compile(std::string_view pattern, std::string* error) {
  Nfa nfa;
  error->clear();
  std::vector<Item> items = Lex(pattern, &nfa.classes_, error);
  if (!error->empty()) {
    nfa.broken_ = true;
    nfa.tokens_.clear();
    return nfa;
  }
  // Split into segments.
  std::vector<std::vector<Item>> segments(1);
  for (const Item& item : items) {
    if (item.kind == Item::kSeparator) {
      segments.emplace_back();
    } else {
      segments.back().push_back(item);
    }
  }
  auto is_globstar = [](const std::vector<Item>& s) {
    return s.size() == 1 && s[0].kind == Item::kDoubleStar;
  };
  auto is_literal = [](const std::vector<Item>& s) {
    return std::all_of(s.begin(), s.end(), [](const Item& i) { return i.kind == Item::kLiteral; });
  };
  // Literal directory prefix: whole literal segments before the last one.
  for (size_t s = 0; s + 1 < segments.size() && is_literal(segments[s]); ++s) {
    if (s > 0) nfa.literal_dir_prefix_ += '/';
    for (const Item& item : segments[s]) nfa.literal_dir_prefix_ += static_cast<char>(item.c);
  }

  const size_t n = segments.size();
  bool need_separator = false;
  for (size_t s = 0; s < n; ++s) {
    if (need_separator) nfa.tokens_.push_back({Kind::kLiteral, '/'});
    need_separator = true;
    if (is_globstar(segments[s])) {
      if (n == 1) {
        nfa.tokens_.push_back({Kind::kAnyStar});  // `**`: everything
      } else if (s + 1 == n) {
        // Trailing `/**`: one or more bytes below the directory, not the directory itself.
        nfa.tokens_.push_back({Kind::kAnyByte});
        nfa.tokens_.push_back({Kind::kAnyStar});
      } else {
        nfa.tokens_.push_back({Kind::kDirStar});  // consumes its own '/'
        need_separator = false;
      }
      continue;
    }
    for (const Item& item : segments[s]) {
      switch (item.kind) {
        case Item::kLiteral:
          nfa.tokens_.push_back({Kind::kLiteral, item.c});
          break;
        case Item::kQuestion:
          nfa.tokens_.push_back({Kind::kQuestion});
          break;
        case Item::kStar:
          nfa.tokens_.push_back({Kind::kStar});
          break;
        // `**` inside a segment (`**.js`) crosses '/', as in GitHub's filter patterns.
        case Item::kDoubleStar:
          nfa.tokens_.push_back({Kind::kAnyStar});
          break;
        case Item::kClass:
          nfa.tokens_.push_back({Kind::kClass, 0, item.cls});
          break;
        case Item::kSeparator:
          break;
      }
    }
  }
  return nfa;
}

void Nfa::Close(States* s) const {
  for (size_t k = 0; k < tokens_.size(); ++k) {
    if (!(*s)[k]) continue;
    const Kind kind = tokens_[k].kind;
    if (kind == Kind::kStar || kind == Kind::kAnyStar || kind == Kind::kDirStar) (*s)[k + 1] = 1;
  }
}

Nfa::States Nfa::Start() const {
  States s(tokens_.size() + 1, 0);
  if (broken_) return s;
  s[0] = 1;
  Close(&s);
  return s;
}

void Nfa::Step(const States& in, unsigned char c, States* out) const {
  out->assign(tokens_.size() + 1, 0);
  for (size_t k = 0; k < tokens_.size(); ++k) {
    if (!in[k]) continue;
    const Token& t = tokens_[k];
    switch (t.kind) {
      case Kind::kLiteral:
        if (c == t.c) (*out)[k + 1] = 1;
        break;
      case Kind::kQuestion:
        if (c != '/') (*out)[k + 1] = 1;
        break;
      case Kind::kAnyByte:
        (*out)[k + 1] = 1;
        break;
      case Kind::kClass:
        if (classes_[t.index].test(c)) (*out)[k + 1] = 1;
        break;
      case Kind::kStar:
        if (c != '/') (*out)[k] = 1;
        break;
      case Kind::kAnyStar:
        (*out)[k] = 1;
        break;
      case Kind::kDirStar:
        (*out)[k] = 1;
        if (c == '/') (*out)[k + 1] = 1;
        break;
    }
  }
  Close(out);
}

Nfa::States Nfa::Consume(States states, std::string_view text) const {
  States next;
  for (char c : text) {
    Step(states, static_cast<unsigned char>(c), &next);
    states.swap(next);
    if (!Alive(states)) break;
  }
  return states;
}

bool Nfa::Alive(const States& s) const {
  return std::find(s.begin(), s.end(), uint8_t{1}) != s.end();
}

}  // namespace slipway::glob::internal
