// TimeZone: UTC built in, IANA zones read from TZif files.
#include <algorithm>
#include <cctype>
#include <string>

#include "util/fs.h"
#include "util/tz_rules.h"

namespace slipway {
namespace {

// TZif files are a few KiB; anything much larger is not one.
constexpr size_t kMaxTzifBytes = size_t{1} << 20;

}  // namespace

bool IsTimeZoneName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  size_t segment_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      const std::string_view segment = name.substr(segment_start, i - segment_start);
      if (segment.empty() || segment == "." || segment == "..") return false;
      segment_start = i + 1;
      continue;
    }
    const char c = name[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '+' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

int64_t TimeZone::Rules::OffsetAt(int64_t utc_seconds) const {
  if (transitions.empty() || utc_seconds < transitions.front()) {
    return transitions.empty() && footer ? footer->OffsetAt(utc_seconds) : initial_offset;
  }
  if (utc_seconds >= transitions.back() && footer) return footer->OffsetAt(utc_seconds);
  const auto it = std::upper_bound(transitions.begin(), transitions.end(), utc_seconds);
  return offsets[static_cast<size_t>(it - transitions.begin()) - 1];
}

TimeZone::TimeZone(std::shared_ptr<const Rules> rules) : rules_(std::move(rules)) {}

TimeZone TimeZone::Utc() {
  static const std::shared_ptr<const Rules> kUtc = [] {
    auto rules = std::make_shared<Rules>();
    rules->name = "UTC";
    return rules;
  }();
  return TimeZone(kUtc);
}

Result<TimeZone> TimeZone::Load(std::string_view name, const std::filesystem::path& zoneinfo_dir) {
  if (name == "UTC" || name == "Etc/UTC") return Utc();
  if (!IsTimeZoneName(name)) {
    return InvalidArgument("'" + std::string(name) +
                           "' is not a time zone name (like Europe/Berlin or UTC)");
  }
  const std::filesystem::path file = zoneinfo_dir / std::string(name);
  std::error_code ec;
  Result<std::string> bytes = std::filesystem::is_directory(file, ec)
                                  ? Result<std::string>(NotFound("a directory"))
                                  : ReadFile(file, kMaxTzifBytes);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) {
      return NotFound("unknown time zone '" + std::string(name) + "' (not in " +
                      zoneinfo_dir.string() + ")");
    }
    return bytes.status();
  }
  SLIPWAY_ASSIGN_OR_RETURN(Rules rules, tz_internal::ParseTzif(*bytes, std::string(name)));
  return TimeZone(std::make_shared<const Rules>(std::move(rules)));
}

const std::string& TimeZone::name() const { return rules_->name; }

std::chrono::seconds TimeZone::OffsetAt(std::chrono::sys_seconds instant) const {
  return std::chrono::seconds(rules_->OffsetAt(instant.time_since_epoch().count()));
}

}  // namespace slipway
