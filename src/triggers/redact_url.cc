// RedactUrl: repository URLs may carry credentials (https://user:token@host/repo); they must
// never reach a message, a log or the database in clear.
#include <string>

#include "triggers/triggers.h"

namespace slipway::triggers {

std::string RedactUrl(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t authority_start = scheme + 3;
  const size_t authority_end = url.find_first_of("/?#", authority_start);
  const std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, authority_start));
  out.append(url.substr(authority_start + at + 1));
  return out;
}

}  // namespace slipway::triggers
