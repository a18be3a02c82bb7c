// CronSchedule against croniter (Debian: python3-croniter) on random expressions and start
// times. Skipped when croniter is not installed.
//
// croniter departs from Vixie cron in one place, so expressions that hit it are not asked: it
// decides whether day-of-month and day-of-week are "restricted" by the set of values (a field
// covering every day counts as `*`), Vixie cron by the text (a field starting with `*`). So
// "0 0 */2 * 1", "0 0 13 * 0-7" and "0 0 1-31 * 5" mean different things to the two. And
// croniter 1.3 drops the day-of-week alternative when the day-of-month never exists in the
// allowed months ("0 6 31 11 4" never fires for it; Vixie cron fires on November Thursdays).
// Tables in cron_test.cc pin down the Vixie meaning of both.
#include <gtest/gtest.h>

#include <bitset>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "oracle_util.h"
#include "spec/spec.h"
#include "triggers/triggers.h"

namespace slipway::triggers {
namespace {

struct FieldSpec {
  int min;
  int max;
  std::vector<std::string> names;  // names[i] is min + i (months) or i (weekdays)
};

struct Field {
  std::string text;
  std::bitset<64> values;
};

class ExpressionGenerator {
 public:
  explicit ExpressionGenerator(uint32_t seed) : random_(seed) {}

  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

  std::string Value(const FieldSpec& spec, int value) {
    if (!spec.names.empty() && Uniform(0, 3) == 0) {
      const int index = value - (spec.names.size() == 12 ? 1 : 0);
      if (index >= 0 && index < static_cast<int>(spec.names.size())) {
        std::string name = spec.names[index];
        if (Uniform(0, 1) == 0) name[0] = static_cast<char>(std::toupper(name[0]));
        return name;
      }
    }
    return std::to_string(value);
  }

  // One list element: N, A-B, */S, A-B/S or N/S.
  void Element(const FieldSpec& spec, Field& field) {
    int low = spec.min, high = spec.max, step = 1;
    std::string text;
    switch (Uniform(0, 4)) {
      case 0:
        low = high = Uniform(spec.min, spec.max);
        text = Value(spec, low);
        break;
      case 1:
        low = Uniform(spec.min, spec.max);
        high = Uniform(low, spec.max);
        text = Value(spec, low) + "-" + Value(spec, high);
        break;
      case 2:
        step = Uniform(1, std::max(1, spec.max / 2));
        text = "*/" + std::to_string(step);
        break;
      case 3:
        low = Uniform(spec.min, spec.max);
        high = Uniform(low, spec.max);
        step = Uniform(1, spec.max);
        text = Value(spec, low) + "-" + Value(spec, high) + "/" + std::to_string(step);
        break;
      default:
        low = Uniform(spec.min, spec.max);
        step = Uniform(1, spec.max);
        text = std::to_string(low) + "/" + std::to_string(step);
        break;
    }
    for (int v = low; v <= high; v += step) field.values.set(v);
    field.text += (field.text.empty() ? "" : ",") + text;
  }

  Field Make(const FieldSpec& spec) {
    Field field;
    if (Uniform(0, 9) < 3) {
      field.text = "*";
      for (int v = spec.min; v <= spec.max; ++v) field.values.set(v);
      return field;
    }
    const int elements = Uniform(0, 3) == 0 ? Uniform(2, 3) : 1;
    for (int i = 0; i < elements; ++i) Element(spec, field);
    return field;
  }

 private:
  std::mt19937 random_;
};

bool CoversAll(const std::bitset<64>& values, int min, int max) {
  for (int v = min; v <= max; ++v) {
    if (!values.test(v)) return false;
  }
  return true;
}

// Whether some allowed day of the month exists in some allowed month (Feb 29 counts).
bool DayExists(const std::bitset<64>& days, const std::bitset<64>& months) {
  constexpr int kLength[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12; ++m) {
    for (int d = 1; months.test(m) && d <= kLength[m]; ++d) {
      if (days.test(d)) return true;
    }
  }
  return false;
}

TEST(CronCroniterTest, AgreesOnRandomExpressions) {
  const FieldSpec kMinute{0, 59, {}}, kHour{0, 23, {}}, kDay{1, 31, {}};
  const FieldSpec kMonth{
      1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
  const FieldSpec kWeekday{0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};
  ExpressionGenerator generator(20240229);
  std::vector<std::string> expressions, questions;
  std::vector<std::chrono::sys_seconds> starts;
  const int64_t from = 946684800;  // 2000-01-01
  const int64_t to = 2208988800;   // 2040-01-01
  std::mt19937_64 random(7);
  while (expressions.size() < 1000) {
    const Field minute = generator.Make(kMinute), hour = generator.Make(kHour);
    const Field day = generator.Make(kDay), month = generator.Make(kMonth);
    Field weekday = generator.Make(kWeekday);
    if (weekday.values.test(7)) weekday.values.set(0);
    const bool day_star_differs = day.text.starts_with('*') != CoversAll(day.values, 1, 31);
    const bool weekday_star_differs =
        weekday.text.starts_with('*') != CoversAll(weekday.values, 0, 6);
    if (day_star_differs || weekday_star_differs) continue;  // see the top of this file
    const bool either = !day.text.starts_with('*') && !weekday.text.starts_with('*');
    if (either && !DayExists(day.values, month.values)) continue;  // ditto
    const std::string expression =
        minute.text + " " + hour.text + " " + day.text + " " + month.text + " " + weekday.text;
    if (spec::CronError(expression)) continue;
    const int64_t start = std::uniform_int_distribution<int64_t>(from, to)(random);
    expressions.push_back(expression);
    starts.emplace_back(std::chrono::seconds(start));
    questions.push_back(expression + "\t" + std::to_string(start));
  }
  testing::TempDir scratch;
  auto answers = testing::AskOracle("cron", questions, scratch.path());
  if (!answers) GTEST_SKIP() << "python3-croniter is not installed";
  ASSERT_EQ(answers->size(), expressions.size());
  int mismatches = 0;
  for (size_t i = 0; i < expressions.size(); ++i) {
    auto schedule = CronSchedule::Parse(expressions[i]);
    ASSERT_TRUE(schedule.ok()) << schedule.status().ToString();
    const auto next = schedule->NextAfter(starts[i]);
    const std::string ours = next ? std::to_string(next->time_since_epoch().count()) : "never";
    if (ours != (*answers)[i] && ++mismatches <= 10) {
      ADD_FAILURE() << "'" << expressions[i] << "' after " << starts[i].time_since_epoch().count()
                    << ": slipway " << ours << ", croniter " << (*answers)[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace slipway::triggers
