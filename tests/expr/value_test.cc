#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "expr/expr.h"

namespace slipway::expr {
namespace {

TEST(ValueTest, TypeNames) {
  EXPECT_EQ(Value().type_name(), "null_type");
  EXPECT_EQ(Value(nullptr).type_name(), "null_type");
  EXPECT_EQ(Value(true).type_name(), "bool");
  EXPECT_EQ(Value(1).type_name(), "int");
  EXPECT_EQ(Value(int64_t{1}).type_name(), "int");
  EXPECT_EQ(Value(1.0).type_name(), "double");
  EXPECT_EQ(Value("s").type_name(), "string");
  EXPECT_EQ(Value(std::string("s")).type_name(), "string");
  EXPECT_EQ(Value(Value::List{}).type_name(), "list");
  EXPECT_EQ(Value(Value::Map{}).type_name(), "map");
}

TEST(ValueTest, ScalarsToTemplateString) {
  EXPECT_EQ(Value().ToTemplateString(), "");
  EXPECT_EQ(Value(true).ToTemplateString(), "true");
  EXPECT_EQ(Value(false).ToTemplateString(), "false");
  EXPECT_EQ(Value(42).ToTemplateString(), "42");
  EXPECT_EQ(Value(-7).ToTemplateString(), "-7");
  EXPECT_EQ(Value(std::numeric_limits<int64_t>::min()).ToTemplateString(), "-9223372036854775808");
  EXPECT_EQ(Value("a \"quoted\"\nline").ToTemplateString(), "a \"quoted\"\nline");
}

TEST(ValueTest, DoublesUseShortestRoundTripForm) {
  EXPECT_EQ(Value(1.5).ToTemplateString(), "1.5");
  EXPECT_EQ(Value(1.0).ToTemplateString(), "1");
  EXPECT_EQ(Value(0.1).ToTemplateString(), "0.1");
  EXPECT_EQ(Value(-0.25).ToTemplateString(), "-0.25");
  EXPECT_EQ(Value(1e21).ToTemplateString(), "1e+21");
  EXPECT_EQ(Value(std::nan("")).ToTemplateString(), "NaN");
  EXPECT_EQ(Value(std::numeric_limits<double>::infinity()).ToTemplateString(), "+Inf");
  EXPECT_EQ(Value(-std::numeric_limits<double>::infinity()).ToTemplateString(), "-Inf");
  for (const double d : {1.0 / 3.0, 2.0 / 3.0, 1e-300, 123456789.123456789, 5e-324}) {
    const std::string text = Value(d).ToTemplateString();
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
  }
}

TEST(ValueTest, ListsAndMapsAreCompactJson) {
  const Value list = Value::List{1, "a\"b\\c\n", nullptr, true, 2.5, Value::List{}, Value::Map{}};
  EXPECT_EQ(list.ToTemplateString(), R"([1,"a\"b\\c\n",null,true,2.5,[],{}])");

  const Value map = Value::Map{{"b", 1}, {"a", "\x01\t\r\b\f\x1f"}, {"k\"ey", Value::List{"x"}}};
  EXPECT_EQ(map.ToTemplateString(), R"({"a":"\u0001\t\r\b\f\u001f","b":1,"k\"ey":["x"]})");

  // Not representable in JSON: written as null, like JSON.stringify.
  EXPECT_EQ(
      Value(Value::List{std::nan(""), std::numeric_limits<double>::infinity()}).ToTemplateString(),
      "[null,null]");
  // UTF-8 passes through unescaped.
  EXPECT_EQ(Value(Value::List{"h\xc3\xa9"}).ToTemplateString(), "[\"h\xc3\xa9\"]");
}

TEST(ValueTest, Accessors) {
  EXPECT_TRUE(Value(true).as_bool());
  EXPECT_EQ(Value(7).as_int(), 7);
  EXPECT_EQ(Value(0.5).as_double(), 0.5);
  EXPECT_EQ(Value("s").as_string(), "s");
  EXPECT_EQ(Value(Value::List{1, 2}).as_list().size(), 2u);
  EXPECT_EQ(Value(Value::Map{{"k", 1}}).as_map().at("k"), Value(1));
  EXPECT_TRUE(Value().is_null());
  EXPECT_FALSE(Value(0).is_null());
}

TEST(ValueTest, Equality) {
  EXPECT_EQ(Value(), Value(nullptr));
  EXPECT_EQ(Value(3), Value(3.0));
  EXPECT_EQ(Value(3.0), Value(3));
  EXPECT_NE(Value(3), Value(3.5));
  EXPECT_NE(Value(3), Value("3"));
  EXPECT_NE(Value(1), Value(true));
  EXPECT_NE(Value(), Value(false));
  EXPECT_NE(Value(""), Value());
  // Compared exactly, not by converting one side: 2^53 + 1 is not the double 2^53.
  EXPECT_NE(Value(int64_t{9007199254740993}), Value(9007199254740992.0));
  EXPECT_EQ(Value(int64_t{9007199254740992}), Value(9007199254740992.0));
  EXPECT_NE(Value(std::numeric_limits<int64_t>::max()), Value(9223372036854775808.0));
  EXPECT_NE(Value(std::nan("")), Value(std::nan("")));
  EXPECT_NE(Value(0), Value(std::nan("")));

  EXPECT_EQ(Value(Value::List{1, "a"}), Value(Value::List{1.0, "a"}));
  EXPECT_NE(Value(Value::List{1, "a"}), Value(Value::List{1, "b"}));
  EXPECT_NE(Value(Value::List{1}), Value(Value::List{1, 1}));
  EXPECT_EQ(Value(Value::Map{{"a", 1}}), Value(Value::Map{{"a", 1.0}}));
  EXPECT_NE(Value(Value::Map{{"a", 1}}), Value(Value::Map{{"b", 1}}));
  EXPECT_NE(Value(Value::Map{{"a", 1}}), Value(Value::Map{{"a", 1}, {"b", 2}}));
  EXPECT_NE(Value(Value::List{}), Value(Value::Map{}));
}

TEST(ValueTest, EveryCelTypeHasItsNameAndEquality) {
  EXPECT_EQ(Value::Uint(3).type_name(), "uint");
  EXPECT_EQ(Value::Uint(3), Value(3));
  EXPECT_EQ(Value::Uint(3), Value(3.0));
  EXPECT_NE(Value::Uint(3), Value(-3));
  EXPECT_NE(Value::Uint(18446744073709551615u), Value(-1));
  EXPECT_EQ(Value::Bytes("ab").type_name(), "bytes");
  EXPECT_NE(Value::Bytes("ab"), Value("ab"));
  EXPECT_EQ(Value(Duration{90, 500000000}).type_name(), "google.protobuf.Duration");
  EXPECT_EQ(Value(Duration{90, 0}), Value(Duration{90, 0}));
  EXPECT_NE(Value(Duration{90, 0}), Value(Timestamp{90, 0}));
  EXPECT_EQ(Value::Type("int"), Value::Type("int"));
  EXPECT_NE(Value::Type("int"), Value("int"));
}

TEST(ValueTest, MapsTakeKeysOfEveryKeyType) {
  const Value::Map map{{true, "b"}, {1, "i"}, {Value::Uint(1), "u"}, {"1", "s"}};
  EXPECT_EQ(map.size(), 4u);
  EXPECT_EQ(map.at(Value::Uint(1)), Value("u"));
  EXPECT_EQ(map.at("1"), Value("s"));
  EXPECT_EQ(map.begin()->first, Value(true));  // bool < int < uint < string
}

TEST(ValueTest, TemplateStringsOfDurationsAndTimestamps) {
  EXPECT_EQ(Value(Duration{90, 500000000}).ToTemplateString(), "90.5s");
  EXPECT_EQ(Value(Duration{-1, -500000000}).ToTemplateString(), "-1.5s");
  EXPECT_EQ(Value(Duration{0, 0}).ToTemplateString(), "0s");
  EXPECT_EQ(Value(Timestamp{0, 0}).ToTemplateString(), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Value(Timestamp{1709251199, 120000000}).ToTemplateString(), "2024-02-29T23:59:59.12Z");
  EXPECT_EQ(Value(Timestamp{-62135596800, 0}).ToTemplateString(), "0001-01-01T00:00:00Z");
  EXPECT_EQ(Value::Uint(7).ToTemplateString(), "7");
  EXPECT_EQ(Value(Value::Map{{1, Value::Uint(2)}}).ToTemplateString(), R"({"1":2})");
}

TEST(ValueTest, FromJson) {
  const auto document = nlohmann::json::parse(
      R"({"n": 3, "x": 2.5, "ok": true, "s": "a", "none": null, "list": [1, "b"],
          "big": 18446744073709551615})");
  const Value value = ValueFromJson(document);
  const Value::Map& map = value.as_map();
  EXPECT_TRUE(map.at("n").is_int());
  EXPECT_EQ(map.at("n"), Value(3));
  EXPECT_EQ(map.at("x"), Value(2.5));
  EXPECT_EQ(map.at("ok"), Value(true));
  EXPECT_EQ(map.at("s"), Value("a"));
  EXPECT_TRUE(map.at("none").is_null());
  EXPECT_EQ(map.at("list"), Value(Value::List{1, "b"}));
  EXPECT_TRUE(map.at("big").is_uint());
  EXPECT_EQ(map.at("big").as_uint(), 18446744073709551615u);

  const Value as_double = ValueFromJson(document, LargeIntegers::kDouble);
  EXPECT_TRUE(as_double.as_map().at("big").is_double());
  EXPECT_TRUE(as_double.as_map().at("n").is_int());
}

}  // namespace
}  // namespace slipway::expr
