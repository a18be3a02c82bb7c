// Reading recorded samples and counts for `slipway analysis judge` (contract in
// analysis_input.h). Every bad line is reported with FILE:LINE, so a user can fix the file.
#include "cli/analysis_input.h"

#include <charconv>
#include <cmath>
#include <functional>

#include "util/fs.h"

namespace slipway::cli {
namespace {

constexpr size_t kMaxFileBytes = size_t{256} << 20;

std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

// Calls `parse` for each line that holds something besides a comment; `where` is "FILE:LINE".
Status ForEachLine(
    const std::string& path,
    const std::function<Status(std::string_view line, const std::string& where)>& parse) {
  Result<std::string> text = ReadFile(path, kMaxFileBytes);
  if (!text.ok()) return text.status();  // names the file
  std::string_view rest = *text;
  for (int number = 1; !rest.empty(); ++number) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    SLIPWAY_RETURN_IF_ERROR(parse(line, path + ":" + std::to_string(number)));
  }
  return Status::Ok();
}

template <typename T>
bool ParseWhole(std::string_view text, T& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<std::vector<double>> ReadSamplesFile(const std::string& path) {
  std::vector<double> samples;
  SLIPWAY_RETURN_IF_ERROR(
      ForEachLine(path, [&](std::string_view line, const std::string& where) -> Status {
        double value = 0;
        if (!ParseWhole(line, value) || !std::isfinite(value)) {
          return InvalidArgument(where + ": '" + std::string(line) + "' is not a number");
        }
        samples.push_back(value);
        return Status::Ok();
      }));
  return samples;
}

Result<verify::Counts> ReadCountsFile(const std::string& path) {
  verify::Counts counts;
  SLIPWAY_RETURN_IF_ERROR(
      ForEachLine(path, [&](std::string_view line, const std::string& where) -> Status {
        const size_t space = line.find_first_of(" \t");
        uint64_t events = 0, total = 0;
        if (space == std::string_view::npos || !ParseWhole(line.substr(0, space), events) ||
            !ParseWhole(Trim(line.substr(space)), total)) {
          return InvalidArgument(where + ": '" + std::string(line) +
                                 "' is not 'EVENTS TOTAL' (two whole numbers)");
        }
        if (events > total) {
          return InvalidArgument(where + ": " + std::to_string(events) + " events out of " +
                                 std::to_string(total) + ": more events than the total");
        }
        counts.events += events;
        counts.total += total;
        return Status::Ok();
      }));
  return counts;
}

}  // namespace slipway::cli
