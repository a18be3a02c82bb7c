// Recorded samples for `slipway analysis judge` (docs/analysis.md, "Judging recorded data").
// Private to cli/.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"
#include "verify/verify.h"

namespace slipway::cli {

// A samples file: one number per line. Blank lines and `#` comments (whole-line or trailing)
// are skipped. Anything else that is not a finite number is an InvalidArgument naming
// "FILE:LINE"; a file that cannot be read is an error naming the file.
Result<std::vector<double>> ReadSamplesFile(const std::string& path);

// A counts file: lines of "EVENTS TOTAL" (two whole numbers, EVENTS <= TOTAL, e.g. errors and
// requests of one interval), summed over the file; blank lines and comments as above.
Result<verify::Counts> ReadCountsFile(const std::string& path);

}  // namespace slipway::cli
