// CEL's operators on every value type, called through operators.h: uint arithmetic, bytes,
// durations and timestamps, cross-type numeric ordering, heterogeneous `in`, indexing and
// equality (cases taken from the cel-spec conformance files' semantics).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "expr/ast.h"
#include "expr/operators.h"
#include "stdlib_test_util.h"

namespace slipway::expr {
namespace {

using testing::Err;
using testing::Ok;
using testing::Seconds;
using testing::Time;
using K = Node::Kind;

Value U(uint64_t u) { return Value::Uint(u); }
Value B(std::string s) { return Value::Bytes(std::move(s)); }

TEST(StdlibArithmeticTest, Uint) {
  EXPECT_EQ(Ok(Arithmetic(K::kAdd, U(2), U(3), 1)), U(5));
  EXPECT_TRUE(Ok(Arithmetic(K::kAdd, U(2), U(3), 1)).is_uint());
  EXPECT_EQ(Ok(Arithmetic(K::kSubtract, U(3), U(2), 1)), U(1));
  EXPECT_EQ(Ok(Arithmetic(K::kMultiply, U(40), U(3), 1)), U(120));
  EXPECT_EQ(Ok(Arithmetic(K::kDivide, U(7), U(2), 1)), U(3));
  EXPECT_EQ(Ok(Arithmetic(K::kModulo, U(7), U(2), 1)), U(1));
  EXPECT_EQ(Err(Arithmetic(K::kAdd, U(UINT64_MAX), U(1), 1)), "unsigned integer overflow");
  EXPECT_EQ(Err(Arithmetic(K::kSubtract, U(0), U(1), 1)), "unsigned integer overflow");
  EXPECT_EQ(Err(Arithmetic(K::kMultiply, U(5000000000), U(5000000000), 1)),
            "unsigned integer overflow");
  EXPECT_EQ(Err(Arithmetic(K::kDivide, U(15), U(0), 1)), "division by zero");
  EXPECT_EQ(Err(Arithmetic(K::kModulo, U(34), U(0), 1)), "modulus by zero");
}

TEST(StdlibArithmeticTest, NoMixedNumericTypes) {
  const auto error = std::get<Error>(Arithmetic(K::kAdd, U(1), Value(1), 7));
  EXPECT_EQ(error.column, 7);
  EXPECT_EQ(error.message.rfind("no such overload: '+' on uint and int (CEL does not mix uint", 0),
            0u)
      << error.message;
  EXPECT_EQ(Err(Arithmetic(K::kAdd, Value(1.5), U(1), 1)).substr(0, 40),
            "no such overload: '+' on double and uint");
  EXPECT_EQ(Err(Negate(U(5), 1)), "no such overload: '-' expects an int or double, got uint");
  EXPECT_EQ(Err(Arithmetic(K::kModulo, Value(47.5), Value(5.5), 1)),
            "no such overload: '%' on double and double");
}

TEST(StdlibArithmeticTest, IntEdgeCases) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(Err(Arithmetic(K::kDivide, Value(kMin), Value(-1), 1)), "integer overflow");
  EXPECT_EQ(Err(Arithmetic(K::kMultiply, Value(kMin), Value(-1), 1)), "integer overflow");
  EXPECT_EQ(Err(Negate(Value(kMin), 1)), "integer overflow");
  EXPECT_EQ(Err(Arithmetic(K::kModulo, Value(34), Value(0), 1)), "modulus by zero");
  EXPECT_EQ(Ok(Arithmetic(K::kModulo, Value(-7), Value(3), 1)), Value(-1));  // truncated
}

TEST(StdlibArithmeticTest, DoublesAreIeee) {
  EXPECT_EQ(Ok(Arithmetic(K::kDivide, Value(1.0), Value(0.0), 1)),
            Value(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(Ok(Arithmetic(K::kDivide, Value(-1.0), Value(0.0), 1)),
            Value(-std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(std::isnan(Ok(Arithmetic(K::kDivide, Value(0.0), Value(0.0), 1)).as_double()));
}

TEST(StdlibArithmeticTest, Concatenation) {
  EXPECT_EQ(Ok(Arithmetic(K::kAdd, B("ab"), B("\xff"), 1)), B("ab\xff"));
  EXPECT_EQ(Ok(Arithmetic(K::kAdd, Value("ab"), Value("c"), 1)), Value("abc"));
  EXPECT_EQ(Ok(Arithmetic(K::kAdd, Value(Value::List{1}), Value(Value::List{U(2)}), 1)),
            Value(Value::List{1, U(2)}));
  EXPECT_EQ(Err(Arithmetic(K::kAdd, B("a"), Value("a"), 1)),
            "no such overload: '+' on bytes and string");
}

TEST(StdlibArithmeticTest, ConcatenationIsBounded) {
  const Value half(std::string(8 << 20, 'x'));
  const Value big = Ok(Arithmetic(K::kAdd, half, half, 1));
  EXPECT_EQ(big.as_string().size(), size_t{16} << 20);
  EXPECT_EQ(Err(Arithmetic(K::kAdd, big, Value("y"), 3)),
            "'+' would build a string longer than 16777216 bytes");
  const Value list(Value::List(size_t{1} << 20, Value(1)));
  EXPECT_EQ(Err(Arithmetic(K::kAdd, list, Value(Value::List{2}), 3)),
            "'+' would build a list longer than 1048576 elements");
}

TEST(StdlibArithmeticTest, Durations) {
  EXPECT_EQ(Ok(Arithmetic(K::kAdd, Seconds(600), Seconds(50), 1)), Seconds(650));
  EXPECT_EQ(Ok(Arithmetic(K::kSubtract, Seconds(900), Seconds(42), 1)), Seconds(858));
  // Seconds and nanos keep one sign: 1s - 1.5s = -0.5s.
  EXPECT_EQ(Ok(Arithmetic(K::kSubtract, Seconds(1), Seconds(1, 500000000), 1)),
            Seconds(0, -500000000));
  EXPECT_EQ(Err(Arithmetic(K::kAdd, Seconds(200000000000), Seconds(200000000000), 1)),
            "duration out of range (CEL durations are within about ±292 years)");
  EXPECT_EQ(
      Err(Arithmetic(K::kSubtract, Seconds(-200000000000), Seconds(200000000000), 1)).substr(0, 21),
      "duration out of range");
}

TEST(StdlibArithmeticTest, Timestamps) {
  EXPECT_EQ(Ok(Arithmetic(K::kAdd, Time("2009-02-13T23:00:00Z"), Seconds(240), 1)),
            Time("2009-02-13T23:04:00Z"));
  EXPECT_EQ(Ok(Arithmetic(K::kAdd, Seconds(120), Time("2009-02-13T23:01:00Z"), 1)),
            Time("2009-02-13T23:03:00Z"));
  EXPECT_EQ(Ok(Arithmetic(K::kSubtract, Time("2009-02-13T23:10:00Z"), Seconds(600), 1)),
            Time("2009-02-13T23:00:00Z"));
  EXPECT_EQ(
      Ok(Arithmetic(K::kSubtract, Time("2009-02-13T23:31:00Z"), Time("2009-02-13T23:29:00Z"), 1)),
      Seconds(120));
  EXPECT_EQ(
      Ok(Arithmetic(K::kAdd, Time("0001-01-01T00:00:01.000000001Z"), Seconds(0, -999999999), 1)),
      Time("0001-01-01T00:00:00.000000002Z"));
  EXPECT_EQ(
      Ok(Arithmetic(K::kAdd, Time("0001-01-01T00:00:01.999999999Z"), Seconds(0, 999999999), 1)),
      Time("0001-01-01T00:00:02.999999998Z"));
  const std::string range = "timestamp out of range (CEL timestamps are from year 1 to 9999)";
  EXPECT_EQ(Err(Arithmetic(K::kAdd, Time("0001-01-01T00:00:00Z"), Seconds(-1), 1)), range);
  EXPECT_EQ(Err(Arithmetic(K::kAdd, Time("9999-12-31T23:59:59.999999999Z"), Seconds(0, 1), 1)),
            range);
  EXPECT_EQ(
      Err(Arithmetic(K::kSubtract, Time("9999-12-31T23:59:59Z"), Time("0001-01-01T00:00:00Z"), 1))
          .substr(0, 21),
      "duration out of range");
  EXPECT_EQ(Err(Arithmetic(K::kAdd, Time("2000-01-01T00:00:00Z"), Time("2000-01-01T00:00:00Z"), 1)),
            "no such overload: '+' on google.protobuf.Timestamp and google.protobuf.Timestamp");
  EXPECT_EQ(Err(Arithmetic(K::kSubtract, Seconds(1), Time("2000-01-01T00:00:00Z"), 1)),
            "no such overload: '-' on google.protobuf.Duration and google.protobuf.Timestamp");
}

bool Less(const Value& a, const Value& b) { return Ok(Relation(K::kLess, a, b, 1)).as_bool(); }

TEST(StdlibRelationTest, NumbersCompareAcrossTypes) {
  EXPECT_TRUE(Less(Value(1), U(2)));
  EXPECT_TRUE(Less(U(1), Value(2)));
  EXPECT_TRUE(Less(U(1), Value(2.0)));
  EXPECT_TRUE(Less(Value(1.0), U(2)));
  EXPECT_FALSE(Less(Value(1), U(1)));
  EXPECT_FALSE(Less(U(1), Value(1.0)));
  EXPECT_TRUE(Less(Value(1), U(9223372036854775808u)));
  EXPECT_TRUE(Less(Value(-1), U(0)));
  EXPECT_FALSE(Less(U(1), Value(std::numeric_limits<int64_t>::min())));
  EXPECT_FALSE(Less(U(9223372036854775808u), Value(1)));
  EXPECT_FALSE(Less(U(UINT64_MAX), Value(-1.0)));
  EXPECT_TRUE(Less(U(UINT64_MAX), Value(18446744073709590000.0)));
  EXPECT_FALSE(Less(Value(18446744073709553665.0), U(UINT64_MAX)));
  EXPECT_FALSE(Less(U(1), Value(std::nan(""))));
  EXPECT_FALSE(Ok(Relation(K::kGreaterEqual, Value(std::nan("")), U(1), 1)).as_bool());
}

TEST(StdlibRelationTest, BytesDurationsTimestamps) {
  EXPECT_TRUE(Less(B("a"), B("b")));
  EXPECT_TRUE(Less(B("a"), B("\xff")));  // unsigned bytes
  EXPECT_FALSE(Less(B("b"), B("a")));
  EXPECT_TRUE(Less(Seconds(200), Seconds(300)));
  EXPECT_TRUE(Less(Seconds(-1, -500000000), Seconds(-1)));
  EXPECT_TRUE(Less(Seconds(-1), Seconds(0, -500000000)));
  EXPECT_TRUE(Less(Time("2009-02-13T23:00:00Z"), Time("2009-03-13T23:00:00Z")));
  EXPECT_TRUE(
      Ok(Relation(K::kLessEqual, Time("2009-02-13T23:00:00Z"), Time("2009-02-13T23:00:00Z"), 1))
          .as_bool());
  EXPECT_EQ(Err(Relation(K::kLess, Seconds(1), Time("2009-02-13T23:00:00Z"), 1)),
            "no such overload: '<' on google.protobuf.Duration and google.protobuf.Timestamp");
  EXPECT_EQ(Err(Relation(K::kLess, B("a"), Value("a"), 1)),
            "no such overload: '<' on bytes and string");
}

TEST(StdlibRelationTest, InUsesHeterogeneousEquality) {
  const Value ints(Value::List{5, 4, 3});
  EXPECT_TRUE(Ok(Relation(K::kIn, Value(3.0), ints, 1)).as_bool());
  EXPECT_TRUE(Ok(Relation(K::kIn, U(3), ints, 1)).as_bool());
  EXPECT_FALSE(Ok(Relation(K::kIn, Value(3.5), ints, 1)).as_bool());
  const Value map(Value::Map{{Value(1), Value("a")}, {U(2), Value("b")}, {Value("k"), Value(1)}});
  EXPECT_TRUE(Ok(Relation(K::kIn, U(1), map, 1)).as_bool());
  EXPECT_TRUE(Ok(Relation(K::kIn, Value(1.0), map, 1)).as_bool());
  EXPECT_TRUE(Ok(Relation(K::kIn, Value(2), map, 1)).as_bool());
  EXPECT_TRUE(Ok(Relation(K::kIn, Value("k"), map, 1)).as_bool());
  EXPECT_FALSE(Ok(Relation(K::kIn, Value(1.5), map, 1)).as_bool());
  EXPECT_FALSE(Ok(Relation(K::kIn, Value(-1), map, 1)).as_bool());
  EXPECT_FALSE(Ok(Relation(K::kIn, Value(true), map, 1)).as_bool());
}

TEST(StdlibIndexTest, Lists) {
  const Value list(Value::List{7, 8, 9});
  EXPECT_EQ(Ok(IndexValue(list, Value(0), 1)), Value(7));
  EXPECT_EQ(Ok(IndexValue(list, U(2), 1)), Value(9));
  EXPECT_EQ(Ok(IndexValue(list, Value(1.0), 1)), Value(8));
  EXPECT_EQ(Err(IndexValue(list, Value(0.1), 1)), "list index must be a whole number, got 0.1");
  EXPECT_EQ(Err(IndexValue(list, Value(""), 1)), "list index must be an int, got string");
  EXPECT_EQ(Err(IndexValue(list, Value(3), 1)), "index out of range: 3 (list size 3)");
  EXPECT_EQ(Err(IndexValue(list, U(UINT64_MAX), 1)),
            "index out of range: 18446744073709551615 (list size 3)");
  EXPECT_EQ(Err(IndexValue(list, Value(1e300), 1)), "index out of range: 1e+300 (list size 3)");
  EXPECT_EQ(Err(IndexValue(list, Value(std::nan("")), 1)),
            "list index must be a whole number, got NaN");
  const Error error = std::get<Error>(IndexValue(list, Value(-1), 12));
  EXPECT_EQ(error.column, 12);
}

TEST(StdlibIndexTest, MapsFindNumericKeysAcrossTypes) {
  const Value map(Value::Map{{Value(1), Value("a")}, {U(2), Value("b")}, {Value(true), 3}});
  EXPECT_EQ(Ok(IndexValue(map, Value(1), 1)), Value("a"));
  EXPECT_EQ(Ok(IndexValue(map, U(1), 1)), Value("a"));
  EXPECT_EQ(Ok(IndexValue(map, Value(1.0), 1)), Value("a"));
  EXPECT_EQ(Ok(IndexValue(map, Value(2), 1)), Value("b"));
  EXPECT_EQ(Ok(IndexValue(map, Value(2.0), 1)), Value("b"));
  EXPECT_EQ(Ok(IndexValue(map, Value(true), 1)), Value(3));
  EXPECT_EQ(Err(IndexValue(map, Value(1.5), 1)), "no such key: 1.5");
  EXPECT_EQ(Err(IndexValue(map, Value("1"), 1)), "no such key: '1'");
  EXPECT_EQ(Err(IndexValue(map, Value(Value::List{}), 1)),
            "invalid map key type: list (map keys are string, int, uint or bool)");
  EXPECT_EQ(Err(IndexValue(map, Value(), 1)),
            "invalid map key type: null_type (map keys are string, int, uint or bool)");
}

TEST(StdlibEqualityTest, ListsAndMapsCompareNumbersAcrossTypes) {
  EXPECT_EQ(Value(Value::List{1.0, 2.0, 3}), Value(Value::List{U(1), 2, U(3)}));
  EXPECT_FALSE(Value(Value::List{1.0, 2.1}) == Value(Value::List{U(1), 2}));
  EXPECT_EQ(Value(Value::Map{{Value(1), Value(1.0)}, {U(2), U(3)}}),
            Value(Value::Map{{U(1), Value(1)}, {Value(2), Value(3.0)}}));
  EXPECT_FALSE(Value(Value::Map{{Value(1), Value(1)}}) == Value(Value::Map{{U(2), Value(1)}}));
  EXPECT_FALSE(Value(Value::Map{{Value(1), Value(1)}}) == Value(Value::Map{{Value("1"), 1}}));
  EXPECT_EQ(Value::Type("int"), Value::Type("int"));
  EXPECT_FALSE(Value::Type("int") == Value::Type("uint"));
  EXPECT_FALSE(B("abc") == Value("abc"));
  EXPECT_FALSE(Value(std::nan("")) == Value(std::nan("")));
}

}  // namespace
}  // namespace slipway::expr
