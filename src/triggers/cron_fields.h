// The parsed form of a cron expression: one bit per allowed value of each field.
#pragma once

#include <bitset>

#include "triggers/triggers.h"

namespace slipway::triggers {

struct CronSchedule::Fields {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;     // bit 0 unused
  std::bitset<13> months;   // bit 0 unused
  std::bitset<7> weekdays;  // 0 = Sunday (7 is folded into 0)
  // Vixie cron's DOM_STAR / DOW_STAR: the field starts with '*' ("*", "*/2"). Only when
  // neither does a day match on day-of-month OR day-of-week; otherwise it needs both.
  bool days_star = false;
  bool weekdays_star = false;
};

}  // namespace slipway::triggers
