// What the standard-library files share: the function table FindStandardFunction serves, the
// "no such overload" error, and CEL's duration and timestamp arithmetic. Private to src/expr.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "expr/expr.h"

namespace slipway::expr::library {

using Result = std::variant<Value, Error>;
using Args = std::span<const Value>;

// Functions by name, called as `name(args…)` (global) or `args[0].name(args[1…])` (receiver).
// Each function resolves its overloads on the argument types.
struct FunctionTable {
  std::map<std::string, Activation::Function, std::less<>> global;
  std::map<std::string, Activation::Function, std::less<>> receiver;
};

// Each library file adds its functions (builtins.cc builds the table once).
void AddConversions(FunctionTable& table);       // conversions.cc
void AddStringFunctions(FunctionTable& table);   // strings.cc
void AddTimeFunctions(FunctionTable& table);     // time_functions.cc
void AddStringExtensions(FunctionTable& table);  // string_ext.cc
void AddMathExtensions(FunctionTable& table);    // math_ext.cc

// "no such overload: contains(string, int)": the function and the argument types it got.
// `receiver` spells the call as `string.contains(int)`.
Error NoSuchOverload(std::string_view function, Args args, bool receiver = false);

// "function 'size' expects 1 argument, got 2" when `count` is outside [min, max]; for receiver
// calls `count` excludes the receiver.
std::optional<Error> CheckArity(std::string_view function, size_t count, size_t min, size_t max);

// "no such overload: int() expects an int, double or string, got bool".
Error Expects(std::string_view function, std::string_view expected, const Value& got);

// Registers `function` under `name` for global calls taking exactly `arity` arguments.
void AddGlobal(FunctionTable& table, std::string name, size_t arity, Result (*function)(Args));
// Registers `function` for receiver calls `x.name(…)` taking `min`..`max` arguments after the
// receiver; `function` gets the receiver as args[0].
void AddReceiver(FunctionTable& table, std::string name, size_t min, size_t max,
                 Result (*function)(Args));

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// The entry of `map` whose key equals `key` under CEL's heterogeneous equality: an int, uint or
// double key finds the entry of any numeric type with the same value (`{1: 'a'}[1u]`,
// `{1: 'a'}[1.0]`); nullptr when there is none.
const Value* FindMapEntry(const Value::Map& map, const Value& key);

// Bounds on values built at run time, so a small expression cannot exhaust memory.
inline constexpr size_t kMaxStringBytes = size_t{16} << 20;
inline constexpr size_t kMaxListSize = size_t{1} << 20;

// ---------------------------------------------------------------------------------------------
// Durations and timestamps (time_values.cc)
// ---------------------------------------------------------------------------------------------

// CEL's ranges: timestamps from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z;
// durations within what int64 nanoseconds hold (about ±292 years), as the conformance tests
// expect (cel-go's durations are Go's time.Duration: timestamp('9999-…') - timestamp('0001-…')
// is an error there), which is narrower than protobuf's ±315,576,000,000 s.
inline constexpr int64_t kMaxDurationNanos = INT64_MAX;
inline constexpr int64_t kMinTimestampSeconds = -62'135'596'800;
inline constexpr int64_t kMaxTimestampSeconds = 253'402'300'799;
inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Total nanoseconds, wide enough for any duration or timestamp and their sums.
__extension__ using Nanos = __int128;
Nanos TotalNanos(Duration d);
Nanos TotalNanos(Timestamp t);

// The duration / timestamp of `nanos`, or nullopt when it is outside CEL's range.
std::optional<Duration> DurationFromNanos(Nanos nanos);
std::optional<Timestamp> TimestampFromNanos(Nanos nanos);

// Go's duration syntax, which CEL's duration() takes: an optional sign, then one or more
// decimal numbers each with a unit ns, us (or µs), ms, s, m, h: "1h2m3.5s", "-1.5s", "0".
// Errors say what is wrong; out of range is an error too.
std::variant<Duration, Error> ParseDuration(std::string_view text);

// RFC 3339 ("2024-01-02T03:04:05.123Z", "…+05:30"), as timestamp() takes it.
std::variant<Timestamp, Error> ParseTimestamp(std::string_view text);

// "1.5s", "-0.000000001s", "0s": seconds with only the fractional digits needed.
std::string FormatDuration(Duration d);
// "2024-01-02T03:04:05.5Z": RFC 3339 in UTC with only the fractional digits needed.
std::string FormatTimestamp(Timestamp t);

// The proleptic Gregorian calendar.
struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};
CivilDate CivilFromDays(int64_t days_since_epoch);
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace slipway::expr::library
