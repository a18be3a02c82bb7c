// Glob patterns over slash-separated relative paths, as used by branch filters, path filters,
// cache paths, artifacts and report globs.
//
// Syntax: `*` matches any run of characters except '/'; `**` as a whole path segment matches
// zero or more segments (`a/**/b` matches `a/b` and `a/x/y/b`; a trailing `/**` matches
// everything below); `?` matches one character except '/'; `[abc]`, `[a-z]`, `[!a]` match one
// character from (or not from) a class; a backslash escapes the next character.
//
// Details: `**` inside a segment (`**.js`, `a**`) matches any run of characters including '/'
// (as in GitHub's filter patterns). A trailing `/**` matches at least one character below, not
// the directory itself (`release/**` matches `release/1.0`, not `release`). `[^a]` is the same
// as `[!a]`; a `]` right after `[` or `[!` is a member; a class never matches '/'. Leading dots
// are not special (`*` matches `.env`). Matching costs O(len(pattern) × len(path)) for every
// pattern: there is no backtracking that could blow up.
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

// Explains why `pattern` is malformed (unterminated class, reversed range, trailing
// backslash), or returns an empty string when it is fine.
std::string PatternError(std::string_view pattern);

// Whether `pattern` contains any glob metacharacter (otherwise it names one path). A backslash
// counts, since an escaped pattern does not name a path verbatim.
bool HasMagic(std::string_view pattern);

// Regular files and symlinks under `root` whose root-relative path matches `pattern`, sorted,
// as relative paths with '/' separators. Does not follow symlinked directories; skips `.git`.
// Walks the tree once from the pattern's literal directory prefix, pruning directories below
// which nothing can match. Errors: a malformed pattern, a pattern with a leading '/' or a `..`
// segment (kInvalidArgument), a missing root, or an unreadable directory on the way.
Result<std::vector<std::string>> Expand(const std::filesystem::path& root,
                                        std::string_view pattern);

struct ExpandOptions {
  bool include_dirs = false;  // also list matching directories (not symlinks to them)
};
// As above; with include_dirs, a matching directory is listed too (`**/node_modules`) and the
// walk still descends into it, so files below may be listed as well when they match.
Result<std::vector<std::string>> Expand(const std::filesystem::path& root, std::string_view pattern,
                                        const ExpandOptions& options);

// `literal` with every metacharacter escaped, so that Match(Escape(s), s) holds for any s.
std::string Escape(std::string_view literal);

}  // namespace slipway::glob
