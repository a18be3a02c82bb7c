#include "util/glob.h"

#include "util/glob_nfa.h"

namespace slipway::glob {

bool Match(std::string_view pattern, std::string_view path) {
  std::string error;
  const internal::Nfa nfa = internal::Nfa::Compile(pattern, &error);
  if (!error.empty()) return false;
  return nfa.Accepts(nfa.Consume(nfa.Start(), path));
}

std::string PatternError(std::string_view pattern) {
  std::string error;
  internal::Nfa::Compile(pattern, &error);
  return error;
}

bool HasMagic(std::string_view pattern) {
  return pattern.find_first_of("*?[\\") != std::string_view::npos;
}

std::string Escape(std::string_view literal) {
  std::string out;
  out.reserve(literal.size());
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace slipway::glob
