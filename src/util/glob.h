// Glob patterns over slash-separated relative paths, as used by branch filters, path filters,
// cache paths, artifacts and report globs.
//
// Syntax: `*` matches any run of characters except '/'; `**` as a whole path segment matches
// zero or more segments (`a/**/b` matches `a/b` and `a/x/y/b`; a trailing `/**` matches
// everything below); `?` matches one character except '/'; `[abc]`, `[a-z]`, `[!a]` match one
// character from (or not from) a class; a backslash escapes the next character.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway::glob {

// Whether the whole of `path` matches `pattern`. A malformed pattern (unterminated class)
// matches nothing.
bool Match(std::string_view pattern, std::string_view path);

// Explains why `pattern` is malformed, or returns an empty string when it is fine.
std::string PatternError(std::string_view pattern);

// Whether `pattern` contains any glob metacharacter (otherwise it names one path).
bool HasMagic(std::string_view pattern);

// Regular files and symlinks under `root` whose root-relative path matches `pattern`, sorted,
// as relative paths with '/' separators. Does not follow symlinked directories; skips `.git`.
Result<std::vector<std::string>> Expand(const std::filesystem::path& root, std::string_view pattern);

}  // namespace slipway::glob
