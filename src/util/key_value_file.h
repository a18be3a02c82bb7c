// Files of named values in GitHub Actions' $GITHUB_OUTPUT format: the $SLIPWAY_OUTPUT file a
// step writes its outputs to, and `slipway run --secrets-file`:
//
//   name=value                 one line; the value is everything after the first '='
//   name<<DELIMITER            a multi-line value: the lines up to the first line that is
//   line 1                     exactly DELIMITER, joined with '\n' (no trailing newline)
//   line 2
//   DELIMITER
//
// A line with both '=' and '<<' is `name=value` when the '=' comes first. Empty lines are
// skipped; a trailing '\r' on any line is dropped. Names match [A-Za-z_][A-Za-z0-9_-]*. When a
// name is written twice the later value wins, in the position of its first write.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace slipway {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

inline constexpr size_t kMaxKeyValueFileBytes = 1 << 20;

// Errors name the file and line but never quote the file's content, which may be a secret:
// "FILE:LINE: invalid name (…)", "FILE:LINE: unterminated value of 'notes': no line 'EOF'
// ends it", or a size over kMaxKeyValueFileBytes.
Result<KeyValues> ParseKeyValueFile(std::string_view content,
                                    std::string_view file_name_for_errors);

// Reads and parses the file at `path`; a missing file means no outputs. Checks the size
// before reading.
Result<KeyValues> ReadKeyValueFile(const std::filesystem::path& path);

}  // namespace slipway
