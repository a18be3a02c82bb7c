// Time zones: UTC, and IANA zones read from the system's TZif files (RFC 8536). libstdc++ 12
// has the C++20 calendar but not the time zone database (std::chrono::locate_zone), hence our
// own reader. Used by cron schedules (triggers), deploy windows and CEL's timestamp accessors.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace slipway {

// Whether `name` has the shape of an IANA zone name ("Europe/Berlin", "UTC", "Etc/GMT+1"):
// '/'-separated segments of letters, digits and '_', '-', '+', '.', none of them "." or "..",
// so it can never name a file outside the zoneinfo directory. Says nothing of whether the zone
// exists (TimeZone::Load does).
bool IsTimeZoneName(std::string_view name);

// A time zone. Cheap to copy (shares immutable data); safe to use from many threads.
class TimeZone {
 public:
  static TimeZone Utc();
  // Loads `name` ("Europe/Berlin", "UTC") from `zoneinfo_dir`. kInvalidArgument for a name
  // that is not a zone name (absolute, "..", odd characters), kNotFound for an unknown zone,
  // kInvalidArgument naming the file when it is not a valid TZif file.
  static Result<TimeZone> Load(std::string_view name,
                               const std::filesystem::path& zoneinfo_dir = "/usr/share/zoneinfo");

  const std::string& name() const;
  // local time = UTC + OffsetAt(instant).
  std::chrono::seconds OffsetAt(std::chrono::sys_seconds instant) const;

  struct Rules;  // implementation detail (util/tz_rules.h)

 private:
  explicit TimeZone(std::shared_ptr<const Rules> rules);
  std::shared_ptr<const Rules> rules_;
};

}  // namespace slipway
