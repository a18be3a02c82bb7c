// Readers for the parts of an environment (environment.cc, target.cc, router.cc). Internal to
// src/spec.
//
// Environment settings are taken literally: an environment is applied outside any run (the
// reconciler re-applies it long after the deploy job ended), so there is no context for a
// `${{ }}` to read, and one is reported rather than left for the shell to trip over.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/loader.h"

namespace slipway::spec::internal {

// Moves a value that was read into `*target`; returns whether there was one. Readers chain it
// as `ok &= Store(…)`, which reads every field even after a failure.
template <typename T, typename U>
bool Store(std::optional<T> value, U* target) {
  if (!value) return false;
  *target = std::move(*value);
  return true;
}

// A string without `${{ }}`.
std::optional<std::string> ReadLiteral(LoadContext& context, const Field& field);
// A literal that is not blank: a command, a name.
std::optional<std::string> ReadNonEmpty(LoadContext& context, const Field& field);
// `map NAME -> scalar`: names usable from a shell, values literal in their YAML text form.
std::optional<NamedValues> ReadLiteralValues(LoadContext& context, const Field& field);

// Each of `items` must be a key of `environments:` (one that failed to load is reported where
// it is, not again here); `referrer` says who names it in the error ("policy 'p'", "the
// freeze"). Appends each valid name to `names` once; false when any item is not one.
bool ReadEnvironmentNames(LoadContext& context, const std::vector<Field>& items,
                          std::string_view referrer, std::vector<std::string>& names);

// target.cc: `{process: …} | {exec: …}`.
std::optional<TargetSpec> ReadTarget(LoadContext& context, const Field& field);
// router.cc: `{proxy: …} | {haproxy: …}`.
std::optional<RouterSpec> ReadRouter(LoadContext& context, const Field& field);

// An RFC 9110 token (header field names, cookie names): letters, digits and !#$%&'*+-.^_`|~.
bool IsHttpToken(std::string_view text);

// Why `text` is not "HOST:PORT" (a host name, an IPv4 address or a bracketed IPv6 address,
// and a port 1–65535), or nullopt when it is one.
std::optional<std::string> HostPortError(std::string_view text);

}  // namespace slipway::spec::internal
