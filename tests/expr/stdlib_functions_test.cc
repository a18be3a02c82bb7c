// The standard library's functions through FindStandardFunction: conversions, string
// functions, duration and timestamp parsing, formatting and accessors (with time zones).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "stdlib_test_util.h"

namespace slipway::expr {
namespace {

using testing::Call;
using testing::Err;
using testing::Method;
using testing::Ok;
using testing::Seconds;
using testing::Time;

Value U(uint64_t u) { return Value::Uint(u); }
Value B(std::string s) { return Value::Bytes(std::move(s)); }

TEST(StdlibTableTest, FindsFunctionsByStyle) {
  EXPECT_NE(FindStandardFunction("size", false), nullptr);
  EXPECT_NE(FindStandardFunction("size", true), nullptr);
  EXPECT_NE(FindStandardFunction("matches", false), nullptr);
  EXPECT_NE(FindStandardFunction("matches", true), nullptr);
  EXPECT_EQ(FindStandardFunction("contains", false), nullptr);  // receiver only
  EXPECT_EQ(FindStandardFunction("int", true), nullptr);        // global only
  EXPECT_EQ(FindStandardFunction("nope", false), nullptr);
  // The checker's notion of built-ins is unchanged: the four one-argument originals.
  EXPECT_TRUE(IsBuiltinFunction("size"));
  EXPECT_FALSE(IsBuiltinFunction("uint"));
}

TEST(StdlibTableTest, ArityErrors) {
  EXPECT_EQ(Err(Call("uint", {})), "function 'uint' expects 1 argument, got 0");
  EXPECT_EQ(Err(Method("contains", {Value("a")})), "function 'contains' expects 1 argument, got 0");
  EXPECT_EQ(Err(Method("getHours", {Time("2009-02-13T23:31:30Z"), Value("UTC"), Value("x")})),
            "function 'getHours' expects 0 or 1 arguments, got 2");
}

TEST(StdlibConversionTest, Int) {
  EXPECT_EQ(Ok(Call("int", {U(42)})), Value(42));
  EXPECT_EQ(Ok(Call("int", {U(9223372036854775807u)})), Value(INT64_MAX));
  EXPECT_EQ(Err(Call("int", {U(UINT64_MAX)})), "int() argument out of range: 18446744073709551615");
  EXPECT_EQ(Ok(Call("int", {Value(-3.5)})), Value(-3));
  EXPECT_EQ(Ok(Call("int", {Value(36028797018963968.0)})), Value(int64_t{36028797018963968}));
  EXPECT_EQ(Err(Call("int", {Value(9223372036854775807.0)})).substr(0, 28),
            "int() argument out of range:");
  EXPECT_EQ(Err(Call("int", {Value(-9223372036854775808.0)})).substr(0, 28),
            "int() argument out of range:");
  EXPECT_EQ(Ok(Call("int", {Time("2004-09-16T23:59:59Z")})), Value(1095379199));
  EXPECT_EQ(Err(Call("int", {Value(true)})),
            "no such overload: int() expects an int, uint, double, string or timestamp, got bool");
}

TEST(StdlibConversionTest, Uint) {
  EXPECT_EQ(Ok(Call("uint", {Value(1729)})), U(1729));
  EXPECT_TRUE(Ok(Call("uint", {Value(1729)})).is_uint());
  EXPECT_EQ(Err(Call("uint", {Value(-1)})), "uint() argument out of range: -1");
  EXPECT_EQ(Ok(Call("uint", {Value(25.5)})), U(25));
  EXPECT_EQ(Err(Call("uint", {Value(6.022e23)})), "uint() argument out of range: 6.022e+23");
  EXPECT_EQ(Err(Call("uint", {Value(-0.5)})), "uint() argument out of range: -0.5");
  EXPECT_EQ(Ok(Call("uint", {Value("300")})), U(300));
  EXPECT_EQ(Err(Call("uint", {Value("-1")})), "uint() cannot convert '-1' to a uint");
}

TEST(StdlibConversionTest, Double) {
  EXPECT_EQ(Ok(Call("double", {U(123)})), Value(123.0));
  EXPECT_EQ(Ok(Call("double", {U(UINT64_MAX)})), Value(18446744073709551616.0));
  EXPECT_EQ(Ok(Call("double", {Value("-84.32e7")})), Value(-843200000.0));
  EXPECT_TRUE(std::isnan(Ok(Call("double", {Value("NaN")})).as_double()));
  EXPECT_EQ(Ok(Call("double", {Value("-Infinity")})),
            Value(-std::numeric_limits<double>::infinity()));
}

TEST(StdlibConversionTest, String) {
  EXPECT_EQ(Ok(Call("string", {U(9876)})), Value("9876"));
  EXPECT_EQ(Ok(Call("string", {Value(-4.5e-3)})), Value("-0.0045"));
  EXPECT_EQ(Ok(Call("string", {B("abc")})), Value("abc"));
  EXPECT_EQ(Ok(Call("string", {B("\303\277")})), Value("\u00ff"));
  EXPECT_EQ(Err(Call("string", {B(std::string("\000\xff", 2))})),
            "string() cannot convert bytes that are not valid UTF-8 (invalid UTF-8)");
  EXPECT_EQ(Ok(Call("string", {Time("2009-02-13T23:31:30Z")})), Value("2009-02-13T23:31:30Z"));
  EXPECT_EQ(Ok(Call("string", {Time("9999-12-31T23:59:59.999999999Z")})),
            Value("9999-12-31T23:59:59.999999999Z"));
  EXPECT_EQ(Ok(Call("string", {Seconds(1000000)})), Value("1000000s"));
  EXPECT_EQ(Ok(Call("string", {Seconds(1, 500000000)})), Value("1.5s"));
  EXPECT_EQ(Ok(Call("string", {Seconds(0, -1)})), Value("-0.000000001s"));
}

TEST(StdlibConversionTest, BytesBoolTypeDyn) {
  EXPECT_EQ(Ok(Call("bytes", {Value("\u00ff")})), B("\303\277"));
  EXPECT_FALSE(Ok(Call("bytes", {Value("\u00ff")})) == B("\377"));
  EXPECT_EQ(Ok(Call("bytes", {B("abc")})), B("abc"));
  for (const char* yes : {"1", "t", "true", "TRUE", "True"}) {
    EXPECT_EQ(Ok(Call("bool", {Value(yes)})), Value(true)) << yes;
  }
  for (const char* no : {"0", "f", "false", "FALSE", "False"}) {
    EXPECT_EQ(Ok(Call("bool", {Value(no)})), Value(false)) << no;
  }
  EXPECT_EQ(Err(Call("bool", {Value("TrUe")})),
            "bool() cannot convert 'TrUe' to a bool (type conversion error: expected true, false, "
            "t, f, 1 or 0)");
  EXPECT_EQ(Ok(Call("type", {U(64)})), Value::Type("uint"));
  EXPECT_EQ(Ok(Call("type", {Value()})), Value::Type("null_type"));
  EXPECT_EQ(Ok(Call("type", {Value::Type("int")})), Value::Type("type"));
  EXPECT_EQ(Ok(Call("type", {Seconds(1)})), Value::Type("google.protobuf.Duration"));
  EXPECT_EQ(Ok(Call("dyn", {Value(Value::List{1, "one"})})), Value(Value::List{1, "one"}));
}

TEST(StdlibDurationTest, Parses) {
  EXPECT_EQ(Ok(Call("duration", {Value("100s")})), Seconds(100));
  EXPECT_EQ(Ok(Call("duration", {Value("1h2m3.5s")})), Seconds(3723, 500000000));
  EXPECT_EQ(Ok(Call("duration", {Value("-1.5s")})), Seconds(-1, -500000000));
  EXPECT_EQ(Ok(Call("duration", {Value("1h45m47s")})), Seconds(6347));
  EXPECT_EQ(Ok(Call("duration", {Value("-999999999ns")})), Seconds(0, -999999999));
  EXPECT_EQ(Ok(Call("duration", {Value("1ms2us3ns")})), Seconds(0, 1002003));
  EXPECT_EQ(Ok(Call("duration", {Value(".5h")})), Seconds(1800));
  EXPECT_EQ(Ok(Call("duration", {Value("0")})), Seconds(0));
  EXPECT_EQ(Ok(Call("duration", {Value("9223372036.854775807s")})), Seconds(9223372036, 854775807));
  EXPECT_EQ(Err(Call("duration", {Value("9223372036.854775808s")})),
            "duration out of range: '9223372036.854775808s'");
  EXPECT_EQ(Err(Call("duration", {Value("320000000000s")})),
            "duration out of range: '320000000000s'");
  EXPECT_EQ(Err(Call("duration", {Value("-320000000000s")})),
            "duration out of range: '-320000000000s'");
  EXPECT_EQ(Err(Call("duration", {Value("99999999999999999999999999999h")})),
            "duration out of range: '99999999999999999999999999999h'");
  for (const char* bad : {"", "1", "s", "1x", "1.s.", "--1s", "1 s", "."}) {
    EXPECT_EQ(Err(Call("duration", {Value(bad)})).rfind("duration() cannot parse '", 0), 0u) << bad;
  }
}

TEST(StdlibTimestampTest, Parses) {
  EXPECT_EQ(Ok(Call("timestamp", {Value("2009-02-13T23:31:30Z")})),
            Value(Timestamp{1234567890, 0}));
  EXPECT_EQ(Ok(Call("timestamp", {Value("2009-02-14T01:01:30.25+01:30")})),
            Value(Timestamp{1234567890, 250000000}));
  EXPECT_EQ(Ok(Call("timestamp", {Value("2009-02-13t23:31:30z")})),
            Value(Timestamp{1234567890, 0}));
  EXPECT_EQ(Ok(Call("timestamp", {Value(1000000000)})), Value(Timestamp{1000000000, 0}));
  EXPECT_EQ(Ok(Call("timestamp", {Value("0001-01-01T00:00:00Z")})),
            Value(Timestamp{-62135596800, 0}));
  EXPECT_EQ(Err(Call("timestamp", {Value("0000-01-01T00:00:00Z")})),
            "timestamp out of range: '0000-01-01T00:00:00Z' (CEL timestamps are from year 1 to "
            "9999)");
  EXPECT_EQ(Err(Call("timestamp", {Value("10000-01-01T00:00:00Z")})).substr(0, 22),
            "timestamp out of range");
  EXPECT_EQ(Err(Call("timestamp", {Value(int64_t{253402300800})})).substr(0, 22),
            "timestamp out of range");
  for (const char* bad : {"", "2009-02-13", "2009-02-13T23:31:30", "2009-02-30T00:00:00Z",
                          "2009-13-01T00:00:00Z", "2009-02-13T24:00:00Z", "2009-02-13T23:31:30.Z",
                          "2009-02-13T23:31:30+1:00", "2009-02-13 23:31:30Z"}) {
    EXPECT_EQ(Err(Call("timestamp", {Value(bad)})).rfind("timestamp() cannot parse '", 0), 0u)
        << bad;
  }
}

int64_t Get(const char* accessor, const Value& receiver, const char* zone = nullptr) {
  std::vector<Value> args{receiver};
  if (zone != nullptr) args.emplace_back(zone);
  return Ok(Method(accessor, args)).as_int();
}

TEST(StdlibTimestampTest, AccessorsInUtc) {
  const Value t = Time("2009-02-13T23:31:30Z");
  EXPECT_EQ(Get("getFullYear", t), 2009);
  EXPECT_EQ(Get("getMonth", t), 1);  // 0-based
  EXPECT_EQ(Get("getDate", t), 13);  // 1-based
  EXPECT_EQ(Get("getDayOfMonth", t), 12);
  EXPECT_EQ(Get("getDayOfWeek", t), 5);  // Friday
  EXPECT_EQ(Get("getDayOfYear", t), 43);
  EXPECT_EQ(Get("getHours", t), 23);
  EXPECT_EQ(Get("getMinutes", t), 31);
  EXPECT_EQ(Get("getSeconds", t), 30);
  EXPECT_EQ(Get("getMilliseconds", Time("2009-02-13T23:31:20.123456789Z")), 123);
  // Before 1970 and on the first day of the calendar.
  EXPECT_EQ(Get("getDayOfWeek", Time("1969-12-31T23:59:59Z")), 3);  // Wednesday
  EXPECT_EQ(Get("getFullYear", Time("0001-01-01T00:00:00Z")), 1);
  EXPECT_EQ(Get("getDayOfWeek", Time("0001-01-01T00:00:00Z")), 1);    // Monday
  EXPECT_EQ(Get("getDayOfYear", Time("2008-12-31T12:00:00Z")), 365);  // leap year
}

TEST(StdlibTimestampTest, AccessorsWithTimeZones) {
  const Value t = Time("2009-02-13T23:31:30Z");
  EXPECT_EQ(Get("getDate", t, "Australia/Sydney"), 14);
  EXPECT_EQ(Get("getDayOfMonth", t, "US/Central"), 12);
  EXPECT_EQ(Get("getDayOfMonth", t, "+11:00"), 13);
  EXPECT_EQ(Get("getDayOfMonth", Time("2009-02-13T02:00:00Z"), "-02:30"), 11);
  EXPECT_EQ(Get("getDayOfMonth", Time("2009-02-13T02:00:00Z"), "America/St_Johns"), 11);
  EXPECT_EQ(Get("getDayOfWeek", t, "UTC"), 5);
  EXPECT_EQ(Get("getFullYear", t, "-09:30"), 2009);
  EXPECT_EQ(Get("getHours", t, "02:00"), 1);
  EXPECT_EQ(Get("getMinutes", t, "Asia/Kathmandu"), 16);
  EXPECT_EQ(Get("getSeconds", t, "-00:00"), 30);
  // Daylight saving time: Los Angeles is UTC-7 in July and UTC-8 in January.
  EXPECT_EQ(Get("getHours", Time("2024-07-01T12:00:00Z"), "America/Los_Angeles"), 5);
  EXPECT_EQ(Get("getHours", Time("2024-01-01T12:00:00Z"), "America/Los_Angeles"), 4);
  EXPECT_EQ(Err(Method("getHours", {t, Value("Mars/Olympus")})).rfind("invalid time zone: ", 0),
            0u);
  EXPECT_EQ(Err(Method("getHours", {t, Value("../etc/passwd")})).rfind("invalid time zone: ", 0),
            0u);
  EXPECT_EQ(Err(Method("getHours", {t, Value("+25:00")})).rfind("invalid time zone: ", 0), 0u);
  EXPECT_EQ(Err(Method("getHours", {t, Value(1)})),
            "no such overload: google.protobuf.Timestamp.getHours(int)");
}

TEST(StdlibDurationTest, Accessors) {
  EXPECT_EQ(Get("getHours", Seconds(10000)), 2);
  EXPECT_EQ(Get("getMinutes", Seconds(3730)), 62);
  EXPECT_EQ(Get("getSeconds", Seconds(3730)), 3730);
  EXPECT_EQ(Get("getMilliseconds", Seconds(123, 321456789)), 321);
  EXPECT_EQ(Get("getHours", Seconds(-7200)), -2);
  EXPECT_EQ(Err(Method("getFullYear", {Seconds(1)})),
            "no such overload: google.protobuf.Duration.getFullYear()");
  EXPECT_EQ(Err(Method("getHours", {Seconds(1), Value("UTC")})),
            "no such overload: google.protobuf.Duration.getHours(string)");
}

TEST(StdlibStringTest, SizeCountsCodePointsOrBytes) {
  EXPECT_EQ(Ok(Call("size", {Value("\u03c0\u03ad\u03bd\u03c4\u03b5")})), Value(5));
  EXPECT_EQ(Ok(Method("size", {Value("\u00ff")})), Value(1));
  EXPECT_EQ(Ok(Call("size", {B("\303\277")})), Value(2));
  EXPECT_EQ(Ok(Call("size", {B("")})), Value(0));
  EXPECT_EQ(Err(Call("size", {Value(1)})),
            "no such overload: size() expects a string, bytes, list or map, got int");
}

TEST(StdlibStringTest, Predicates) {
  EXPECT_EQ(Ok(Method("contains", {Value("abababc"), Value("ababc")})), Value(true));
  EXPECT_EQ(Ok(Method("contains", {Value(""), Value("")})), Value(true));
  EXPECT_EQ(Ok(Method("contains", {Value("hello"), Value("ol")})), Value(false));
  EXPECT_EQ(Ok(Method("startsWith", {Value("\u0437\u0430\u0432"), Value("\u0437\u0430")})),
            Value(true));
  EXPECT_EQ(Ok(Method("startsWith", {Value(""), Value("foo")})), Value(false));
  EXPECT_EQ(Ok(Method("endsWith", {Value("fort\u00e9"), Value("t\u00e9")})), Value(true));
  EXPECT_EQ(Ok(Method("endsWith", {Value("foobar"), Value("foo")})), Value(false));
  EXPECT_EQ(Err(Method("contains", {Value("a"), Value(1)})),
            "no such overload: string.contains(int)");
  EXPECT_EQ(Err(Method("startsWith", {B("a"), Value("a")})),
            "no such overload: bytes.startsWith(string)");
}

TEST(StdlibStringTest, Matches) {
  EXPECT_EQ(Ok(Method("matches", {Value("hubba"), Value("ubb")})), Value(true));
  EXPECT_EQ(Ok(Call("matches", {Value("grey"), Value("gr(a|e)y")})), Value(true));
  EXPECT_EQ(Ok(Method("matches", {Value(""), Value("foo|bar")})), Value(false));
  EXPECT_EQ(Ok(Method("matches", {Value("cows"), Value("")})), Value(true));
  EXPECT_EQ(Ok(Method("matches", {Value("ma\u00f1ana"), Value("a+\u00f1+a+")})), Value(true));
  EXPECT_EQ(
      Ok(Method("matches", {Value("\U0001F431\U0001F600\U0001F600"), Value("(a|\U0001F600){2}")})),
      Value(true));
  EXPECT_EQ(Ok(Method("matches", {Value("abc"), Value("^b")})), Value(false));
  EXPECT_EQ(Err(Method("matches", {Value("abc"), Value("(")}))
                .rfind("matches() got an invalid regular expression '(': ", 0),
            0u);
  // RE2 has no backreferences (they make matching exponential), so they are refused.
  EXPECT_EQ(Err(Method("matches", {Value("aa"), Value("(a)\\1")}))
                .rfind("matches() got an invalid regular expression", 0),
            0u);
  // A pathological pattern for backtracking engines is linear here.
  EXPECT_EQ(Ok(Method("matches", {Value(std::string(5000, 'a') + "b"), Value("^(a+)+$")})),
            Value(false));
}

TEST(StdlibStringTest, Utf8Validation) {
  // Overlong encodings, surrogates, beyond U+10FFFF and truncated sequences are refused.
  for (const char* bad : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x80"}) {
    EXPECT_TRUE(std::holds_alternative<Error>(Call("string", {B(bad)}))) << bad;
  }
  EXPECT_EQ(Ok(Call("string", {B("\xf0\x9f\x90\xb1")})), Value("\U0001F431"));
}

}  // namespace
}  // namespace slipway::expr
