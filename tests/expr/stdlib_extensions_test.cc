// The strings and math extensions (cel-go's ext.Strings and ext.Math), through
// FindStandardFunction; cases follow the cel-spec conformance files string_ext and math_ext.
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

Value U(uint64_t u) { return Value::Uint(u); }
Value S(const char* s) { return Value(s); }
Value L(Value::List l) { return Value(std::move(l)); }

TEST(StringExtTest, CharAt) {
  EXPECT_EQ(Ok(Method("charAt", {S("tacocat"), 3})), S("o"));
  EXPECT_EQ(Ok(Method("charAt", {S("tacocat"), 7})), S(""));
  EXPECT_EQ(Ok(Method("charAt", {S("\u00a9\u03b1T"), 1})), S("\u03b1"));
  EXPECT_EQ(Err(Method("charAt", {S("tacocat"), 30})), "index out of range: 30");
  EXPECT_EQ(Err(Method("charAt", {S("tacocat"), -1})), "index out of range: -1");
  EXPECT_EQ(Err(Method("charAt", {S("hello"), true})), "no such overload: string.charAt(bool)");
  EXPECT_EQ(Err(Method("charAt", {42, 2})), "no such overload: int.charAt(int)");
}

TEST(StringExtTest, IndexOf) {
  EXPECT_EQ(Ok(Method("indexOf", {S("tacocat"), S("ac")})), Value(1));
  EXPECT_EQ(Ok(Method("indexOf", {S("tacocat"), S(""), 3})), Value(3));
  EXPECT_EQ(Ok(Method("indexOf", {S("tacocat"), S("at"), 3})), Value(5));
  EXPECT_EQ(Ok(Method("indexOf", {S("ta\u00a9o\u00a9\u03b1T"), S("\u00a9"), 3})), Value(4));
  EXPECT_EQ(Ok(Method("indexOf", {S("ta\u00a9o\u00a9\u03b1T"), S("\u00a9\u03b1"), 5})), Value(-1));
  EXPECT_EQ(Err(Method("indexOf", {S("tacocat"), S("a"), 30})), "index out of range: 30");
  EXPECT_EQ(Err(Method("indexOf", {S("42"), S("4"), S("0")})),
            "no such overload: string.indexOf(string, string)");
}

TEST(StringExtTest, LastIndexOf) {
  EXPECT_EQ(Ok(Method("lastIndexOf", {S("tacocat"), S("")})), Value(7));
  EXPECT_EQ(Ok(Method("lastIndexOf", {S("tacocat"), S("none")})), Value(-1));
  EXPECT_EQ(Ok(Method("lastIndexOf", {S("tacocat"), S("a"), 3})), Value(1));
  EXPECT_EQ(Ok(Method("lastIndexOf", {S("ta\u00a9o\u00a9\u03b1T"), S("\u00a9"), 3})), Value(2));
  EXPECT_EQ(Ok(Method("lastIndexOf", {S("bananananana"), S("nana"), 7})), Value(6));
  EXPECT_EQ(Err(Method("lastIndexOf", {S("tacocat"), S("a"), -1})), "index out of range: -1");
  EXPECT_EQ(Err(Method("lastIndexOf", {S("tacocat"), S("a"), 30})), "index out of range: 30");
}

TEST(StringExtTest, CasingReplaceReverse) {
  EXPECT_EQ(Ok(Method("lowerAscii", {S("TacoC\u00c6t")})), S("tacoc\u00c6t"));
  EXPECT_EQ(Ok(Method("upperAscii", {S("TacoC\u00c6t Xii")})), S("TACOC\u00c6T XII"));
  EXPECT_EQ(Ok(Method("replace", {S("{0} days {0} hours"), S("{0}"), S("2")})),
            S("2 days 2 hours"));
  EXPECT_EQ(Ok(Method("replace", {S("{0} days {0} hours"), S("{0}"), S("2"), 1})),
            S("2 days {0} hours"));
  EXPECT_EQ(Ok(Method("replace", {S("ab"), S("a"), S("x"), 0})), S("ab"));
  EXPECT_EQ(Ok(Method("replace", {S("1 \u00a9\u03b1T taco"), S("\u03b1T"), S("o\u00a9\u03b1")})),
            S("1 \u00a9o\u00a9\u03b1 taco"));
  EXPECT_EQ(Ok(Method("replace", {S("ab"), S(""), S("-")})), S("-a-b-"));
  EXPECT_EQ(Ok(Method("reverse", {S("ta\u00a9o")})), S("o\u00a9at"));
  EXPECT_EQ(Err(Method("replace", {S("42"), S("2"), 1})),
            "no such overload: string.replace(string, int)");
}

TEST(StringExtTest, Split) {
  EXPECT_EQ(Ok(Method("split", {S("hello world events!"), S(" ")})),
            L({"hello", "world", "events!"}));
  EXPECT_EQ(Ok(Method("split", {S("hello world events!"), S(" "), 0})), L({}));
  EXPECT_EQ(Ok(Method("split", {S("hello world events!"), S(" "), 1})), L({"hello world events!"}));
  EXPECT_EQ(Ok(Method("split", {S("hello world events!"), S(" "), 2})),
            L({"hello", "world events!"}));
  EXPECT_EQ(Ok(Method("split", {S("o\u00a9o\u00a9o\u00a9o"), S("\u00a9"), -1})),
            L({"o", "o", "o", "o"}));
  EXPECT_EQ(Ok(Method("split", {S("ab\u00a9"), S("")})), L({"a", "b", "\u00a9"}));
  EXPECT_EQ(Ok(Method("split", {S("abc"), S(""), 2})), L({"a", "bc"}));
  // Results are bounded like every list built at run time.
  const Value many(std::string((size_t{1} << 20) + 1, ','));
  EXPECT_EQ(Err(Method("split", {many, S(",")})),
            "split() would build a list longer than 1048576 elements");
  EXPECT_EQ(Err(Method("split", {many, S("")})),
            "split() would build a list longer than 1048576 elements");
  EXPECT_EQ(Ok(Method("split", {Value(std::string((size_t{1} << 20) - 1, ',')), S(",")}))
                .as_list()
                .size(),
            size_t{1} << 20);
}

TEST(StringExtTest, Substring) {
  EXPECT_EQ(Ok(Method("substring", {S("tacocat"), 4})), S("cat"));
  EXPECT_EQ(Ok(Method("substring", {S("tacocat"), 7})), S(""));
  EXPECT_EQ(Ok(Method("substring", {S("tacocat"), 0, 4})), S("taco"));
  EXPECT_EQ(Ok(Method("substring", {S("ta\u00a9o\u00a9\u03b1T"), 2, 6})), S("\u00a9o\u00a9\u03b1"));
  EXPECT_EQ(Err(Method("substring", {S("tacocat"), 40})), "index out of range: 40");
  EXPECT_EQ(Err(Method("substring", {S("tacocat"), -1})), "index out of range: -1");
  EXPECT_EQ(Err(Method("substring", {S("tacocat"), 1, 50})), "index out of range: 50");
  EXPECT_EQ(Err(Method("substring", {S("tacocat"), 4, 3})),
            "invalid substring range. start: 4, end: 3");
}

TEST(StringExtTest, TrimJoinQuote) {
  EXPECT_EQ(Ok(Method("trim", {S(" \ttext\n ")})), S("text"));
  EXPECT_EQ(Ok(Method("trim", {S("\u0085\u00a0\u1680text")})), S("text"));
  EXPECT_EQ(Ok(Method("trim", {S("\u200atext\u2028\u2029\u202f\u205f\u3000")})), S("text"));
  EXPECT_EQ(Ok(Method("trim", {S("  ")})), S(""));
  // Invalid UTF-8: a lead byte with 31 continuation bytes once made the decoder shift an int by
  // 32 or more (UBSan, found by fuzz/expr_eval_fuzzer); it is one replacement character, not space.
  const std::string long_sequence = "a" + std::string(31, '\x88');
  EXPECT_EQ(Ok(Method("trim", {Value(long_sequence)})), Value(long_sequence));
  EXPECT_EQ(Ok(Method("join", {L({"x", "y"})})), S("xy"));
  EXPECT_EQ(Ok(Method("join", {L({"x", "y"}), S(", ")})), S("x, y"));
  EXPECT_EQ(Ok(Method("join", {L({})})), S(""));
  EXPECT_EQ(Err(Method("join", {L({"x", 1})})),
            "join() expects a list of strings, got an element of type int");
  EXPECT_EQ(Ok(Call("strings.quote", {S("first\nsecond")})), S("\"first\\nsecond\""));
  EXPECT_EQ(Ok(Call("strings.quote", {S("bell\a \\ \" \x01")})), S("\"bell\\a \\\\ \\\" \\x01\""));
  EXPECT_EQ(Ok(Call("strings.quote", {S("\u0437\u0430\U0001F600")})),
            S("\"\u0437\u0430\U0001F600\""));
  EXPECT_EQ(Ok(Call("strings.quote", {S("")})), S("\"\""));
}

std::string Format(const char* text, Value::List args) {
  return Ok(Method("format", {Value(text), Value(std::move(args))})).as_string();
}

std::string FormatError(const char* text, Value::List args) {
  return Err(Method("format", {Value(text), Value(std::move(args))}));
}

TEST(StringFormatTest, Clauses) {
  EXPECT_EQ(Format("no substitution", {}), "no substitution");
  EXPECT_EQ(Format("%%%s%%", {"text"}), "%text%");
  EXPECT_EQ(Format("%d %d %d, %s %s %s", {1, 2, 3, "A", "B", "C"}), "1 2 3, A B C");
  EXPECT_EQ(Format("%.3f", {1.2345}), "1.234");
  EXPECT_EQ(Format("%f", {2.71828}), "2.718280");
  EXPECT_EQ(Format("%.0f|%.0f|%.0f", {2.5, 1.5, 3.5001}), "2|2|4");
  EXPECT_EQ(Format("%.5f", {-1.2}), "-1.20000");
  EXPECT_EQ(Format("%e", {2.71828}), "2.718280e+00");
  EXPECT_EQ(Format("%.6e", {1052.032911275}), "1.052033e+03");
  EXPECT_EQ(Format("%f %e", {std::nan(""), -std::numeric_limits<double>::infinity()}),
            "NaN -Infinity");
  EXPECT_EQ(Format("%b %b %b", {5, U(64), true}), "101 1000000 1");
  EXPECT_EQ(Format("%o %o", {11, U(65535)}), "13 177777");
  EXPECT_EQ(Format("%x %X %x", {30, U(6000), -30}), "1e 1770 -1e");
  EXPECT_EQ(Format("%x", {"Hello world!"}), "48656c6c6f20776f726c6421");
  EXPECT_EQ(Format("%X", {Value::Bytes("byte string")}), "6279746520737472696E67");
  EXPECT_EQ(Format("%d", {U(256)}), "256");
}

TEST(StringFormatTest, StringClauseSpellsOutEveryValue) {
  EXPECT_EQ(Format("%s", {Value()}), "null");
  EXPECT_EQ(Format("%s, %s", {true, 56.8}), "true, 56.8");
  EXPECT_EQ(Format("%s", {Value::Type("string")}), "string");
  EXPECT_EQ(Format("%s", {Value(Duration{6347, 0})}), "6347s");
  EXPECT_EQ(Format("%s", {L({"abc", 3.14, Value(), L({9, 8}), std::nan("")})}),
            "[abc, 3.14, null, [9, 8], NaN]");
  EXPECT_EQ(Format("%s", {Value(Value::Map{{Value("strKey"), Value("x")},
                                           {Value(6), Value(Duration{422, 0})},
                                           {Value(true), Value(42)}})}),
            "{6: 422s, strKey: x, true: 42}");
}

TEST(StringFormatTest, Errors) {
  EXPECT_EQ(FormatError("%a", {1}),
            "could not parse formatting clause: unrecognized formatting clause \"a\"");
  EXPECT_EQ(FormatError("%E", {0.5}),
            "could not parse formatting clause: unrecognized formatting clause \"E\"");
  EXPECT_EQ(FormatError("%d %d %d", {0, 1}), "index 2 out of range");
  EXPECT_EQ(FormatError("%b", {"abc"}),
            "error during formatting: only integers and bools can be formatted as binary, was "
            "given string");
  EXPECT_EQ(FormatError("%d", {Value(Duration{1, 0})}),
            "error during formatting: decimal clause can only be used on integers, was given "
            "google.protobuf.Duration");
  EXPECT_EQ(FormatError("%x", {0.5}),
            "error during formatting: only integers, byte buffers, and strings can be formatted "
            "as hex, was given double");
  EXPECT_EQ(FormatError("%f", {Value()}),
            "error during formatting: fixed-point clause can only be used on doubles, was given "
            "null_type");
  EXPECT_EQ(FormatError("%", {1}), "could not parse formatting clause: missing clause at the end");
}

TEST(MathExtTest, GreatestAndLeast) {
  EXPECT_EQ(Ok(Call("math.greatest", {-5})), Value(-5));
  EXPECT_EQ(Ok(Call("math.greatest", {-7, 5})), Value(5));
  EXPECT_EQ(Ok(Call("math.greatest", {U(5), -7})), U(5));
  EXPECT_TRUE(Ok(Call("math.greatest", {U(5), -7})).is_uint());
  EXPECT_EQ(Ok(Call("math.greatest", {1, 1.797693e308})), Value(1.797693e308));
  EXPECT_EQ(Ok(Call("math.greatest", {L({5.4, 10, U(3), -5.0, 3.5})})), Value(10));
  EXPECT_EQ(Ok(Call("math.least", {L({5.4, 10, U(3), -5.0, 3.5})})), Value(-5.0));
  EXPECT_EQ(Ok(Call("math.least", {1, INT64_MAX})), Value(1));
  EXPECT_EQ(Err(Call("math.least", {L({})})), "math.least() expects at least one number, got none");
  EXPECT_EQ(Err(Call("math.greatest", {1, S("a")})),
            "no such overload: math.greatest() expects numbers, got string");
  EXPECT_EQ(Err(Call("math.greatest", {})),
            "function 'math.greatest' expects at least 1 argument, got 0");
}

TEST(MathExtTest, RoundingAbsSign) {
  EXPECT_EQ(Ok(Call("math.ceil", {-1.2})), Value(-1.0));
  EXPECT_EQ(Ok(Call("math.floor", {-1.2})), Value(-2.0));
  EXPECT_EQ(Ok(Call("math.round", {-1.5})), Value(-2.0));
  EXPECT_EQ(Ok(Call("math.round", {1.5})), Value(2.0));
  EXPECT_EQ(Ok(Call("math.trunc", {-1.7})), Value(-1.0));
  EXPECT_EQ(Err(Call("math.ceil", {1})), "no such overload: math.ceil(int)");
  EXPECT_EQ(Ok(Call("math.abs", {-11})), Value(11));
  EXPECT_EQ(Ok(Call("math.abs", {U(1)})), U(1));
  EXPECT_EQ(Ok(Call("math.abs", {-11.5})), Value(11.5));
  EXPECT_EQ(Err(Call("math.abs", {INT64_MIN})), "math.abs() overflow: -9223372036854775808");
  EXPECT_EQ(Ok(Call("math.sign", {U(100)})), U(1));
  EXPECT_EQ(Ok(Call("math.sign", {-11})), Value(-1));
  EXPECT_EQ(Ok(Call("math.sign", {0.0})), Value(0.0));
  EXPECT_EQ(Ok(Call("math.sign", {-32.0})), Value(-1.0));
  EXPECT_EQ(Err(Call("math.sign", {true})), "no such overload: math.sign(bool)");
}

TEST(MathExtTest, Classifiers) {
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Ok(Call("math.isNaN", {nan})), Value(true));
  EXPECT_EQ(Ok(Call("math.isNaN", {inf})), Value(false));
  EXPECT_EQ(Ok(Call("math.isInf", {-inf})), Value(true));
  EXPECT_EQ(Ok(Call("math.isFinite", {1.5})), Value(true));
  EXPECT_EQ(Ok(Call("math.isFinite", {nan})), Value(false));
  EXPECT_EQ(Err(Call("math.isNaN", {true})), "no such overload: math.isNaN(bool)");
}

TEST(MathExtTest, Bits) {
  EXPECT_EQ(Ok(Call("math.bitAnd", {1, -1})), Value(1));
  EXPECT_EQ(Ok(Call("math.bitAnd", {U(1), U(3)})), U(1));
  EXPECT_EQ(Ok(Call("math.bitOr", {4, -2})), Value(-2));
  EXPECT_EQ(Ok(Call("math.bitXor", {4, -2})), Value(-6));
  EXPECT_EQ(Err(Call("math.bitAnd", {U(2), S("")})), "no such overload: math.bitAnd(uint, string)");
  EXPECT_EQ(Ok(Call("math.bitNot", {1})), Value(-2));
  EXPECT_EQ(Ok(Call("math.bitNot", {U(0)})), U(UINT64_MAX));
  EXPECT_EQ(Ok(Call("math.bitShiftLeft", {1, 2})), Value(4));
  EXPECT_EQ(Ok(Call("math.bitShiftLeft", {-1, 200})), Value(0));
  EXPECT_EQ(Ok(Call("math.bitShiftLeft", {U(1), 2})), U(4));
  EXPECT_EQ(Ok(Call("math.bitShiftRight", {-1024, 3})), Value(int64_t{2305843009213693824}));
  EXPECT_EQ(Ok(Call("math.bitShiftRight", {1024, 64})), Value(0));
  EXPECT_EQ(Err(Call("math.bitShiftRight", {U(1), -1})),
            "math.bitShiftRight() got a negative offset: -1");
}

}  // namespace
}  // namespace slipway::expr
