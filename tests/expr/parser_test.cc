#include <gtest/gtest.h>

#include <string>

#include "expr/expr.h"
#include "expr_test_util.h"

namespace slipway::expr {
namespace {

using testing::MustParse;
using testing::ParseError;
using testing::Sexpr;

struct ErrorCase {
  std::string text;
  int column;
  std::string message;
};

class ParseErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrorTest, ReportsColumnAndMessage) {
  const Error error = ParseError(GetParam().text);
  EXPECT_EQ(error.column, GetParam().column) << GetParam().text;
  EXPECT_EQ(error.message, GetParam().message) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Lexer, ParseErrorTest,
    ::testing::Values(ErrorCase{"'abc", 1, "unterminated string literal"},
                      ErrorCase{"a == \"abc", 6, "unterminated string literal"},
                      ErrorCase{"'ab\ncd'", 1, "unterminated string literal"},
                      ErrorCase{"'abc\\'", 1, "unterminated string literal"},
                      ErrorCase{"'''abc''", 1, "unterminated string literal"},
                      ErrorCase{"a = b", 3, "unexpected character '=' (did you mean '=='?)"},
                      ErrorCase{"a & b", 3, "unexpected character '&' (did you mean '&&'?)"},
                      ErrorCase{"a | b", 3, "unexpected character '|' (did you mean '||'?)"},
                      ErrorCase{"a # b", 3, "unexpected character '#'"},
                      ErrorCase{std::string("a\0", 2), 2, "unexpected character '\\x00'"},
                      ErrorCase{"x == '\\q'", 7, "invalid escape sequence '\\q'"},
                      ErrorCase{"'\\u12'", 2, "\\u escape needs 4 hex digits"},
                      ErrorCase{"'\\x4'", 2, "\\x escape needs 2 hex digits"},
                      ErrorCase{"'\\19'", 2, "octal escape needs 3 octal digits"},
                      ErrorCase{"'\\ud800'", 2, "escape sequence names an invalid code point"},
                      ErrorCase{"'\\U00110000'", 2, "escape sequence names an invalid code point"},
                      ErrorCase{"99999999999999999999", 1, "integer literal out of range"},
                      ErrorCase{"a == 9223372036854775808", 6, "integer literal out of range"},
                      ErrorCase{"1e999", 1, "double literal out of range"},
                      ErrorCase{"18446744073709551616u", 1, "integer literal out of range"},
                      ErrorCase{"-9223372036854775809", 2, "integer literal out of range"},
                      ErrorCase{"b'\\xZZ'", 3, "\\x escape needs 2 hex digits"},
                      ErrorCase{"a.`b", 3, "unterminated quoted name (missing '`')"},
                      ErrorCase{"a.``", 3, "empty quoted name"}));

INSTANTIATE_TEST_SUITE_P(
    Parser, ParseErrorTest,
    ::testing::Values(
        ErrorCase{"", 1, "unexpected end of expression"},
        ErrorCase{"   ", 4, "unexpected end of expression"},
        ErrorCase{"a ==", 5, "unexpected end of expression"},
        ErrorCase{"a == == b", 6, "unexpected token '=='"},
        ErrorCase{"a && || b", 6, "unexpected token '||'"},
        ErrorCase{"(a == b", 8, "expected ')', got end of expression"},
        ErrorCase{"(a == b c", 9, "expected ')', got 'c'"},
        ErrorCase{"f(a, b", 7, "expected ')', got end of expression"},
        ErrorCase{"f(a,)", 5, "unexpected token ')'"},
        ErrorCase{"a[0", 4, "expected ']', got end of expression"},
        ErrorCase{"a b", 3, "unexpected token 'b' after end of expression"},
        ErrorCase{"a == b)", 7, "unexpected token ')' after end of expression"},
        ErrorCase{"'x' 'averyveryverylongstringliteral'", 5,
                  "unexpected token ''averyveryverylongstring...' after end of expression"},
        ErrorCase{"a <", 4, "unexpected end of expression"},
        ErrorCase{"a < < b", 5, "unexpected token '<'"},
        ErrorCase{"1 + * 2", 5, "unexpected token '*'"},
        ErrorCase{"a in", 5, "unexpected end of expression"},
        ErrorCase{"a ? b", 6, "expected ':', got end of expression"},
        ErrorCase{"a ? b ? c : d : e", 7, "expected ':', got '?'"},
        ErrorCase{"a ? : c", 5, "unexpected token ':'"},
        ErrorCase{"a : b", 3, "unexpected token ':' after end of expression"},
        ErrorCase{"needs.build-linux.result", 12,
                  "'build-linux': names cannot contain '-'; use an index (a['build-linux']), or "
                  "put spaces around '-' to subtract"},
        ErrorCase{"a-b", 2,
                  "'a-b': names cannot contain '-'; use an index (a['a-b']), or put spaces around "
                  "'-' to subtract"},
        ErrorCase{"[1, 2", 6, "expected ']', got end of expression"},
        ErrorCase{"[1 2]", 4, "expected ']', got '2'"},
        ErrorCase{"{'a' 1}", 6, "expected ':', got '1'"},
        ErrorCase{"{'a': 1", 8, "expected '}', got end of expression"},
        ErrorCase{"T{1: 2}", 3, "expected a field name, got '1'"},
        ErrorCase{"`a`", 1, "unexpected token '`a`'"},
        ErrorCase{"a.", 3, "expected a field name after '.', got end of expression"},
        ErrorCase{"a.1", 2, "unexpected token '.1' after end of expression"},
        ErrorCase{"a.'b'", 3, "expected a field name after '.', got ''b''"},
        ErrorCase{"a.true", 3, "expected a field name after '.', got 'true'"},
        ErrorCase{"if", 1, "'if' is a reserved word"},
        ErrorCase{"x == while", 6, "'while' is a reserved word"},
        ErrorCase{"a.`b`(c)", 6, "only named functions can be called"},
        ErrorCase{"has(a)", 1, "has() expects one field selection, like has(a.b)"},
        ErrorCase{"has(a.b, c)", 1, "has() expects one field selection, like has(a.b)"},
        ErrorCase{"l.all(1, x)", 7, "argument 1 of all() must be a simple name"},
        ErrorCase{"m.all(k, k, true)", 10, "the two variables of all() must have different names"},
        ErrorCase{"cel.block(1, 2)", 5, "cel.block() expects a list literal and an expression"},
        ErrorCase{"cel.bind(a.b, 1, a)", 12, "argument 1 of bind() must be a simple name"},
        ErrorCase{"(f)(x)", 4, "only named functions can be called"},
        ErrorCase{"a['b'](x)", 7, "only named functions can be called"}));

TEST(ParseTest, TooLongTextIsAnError) {
  const std::string at_limit(16 * 1024, 'a');
  EXPECT_EQ(Sexpr(at_limit), at_limit);

  const Error error = ParseError(at_limit + "a");
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.message, "expression is too long (16385 bytes; the limit is 16384)");
}

TEST(ParseTest, NestingDeeperThan64IsAnError) {
  const auto nested = [](int n) { return std::string(n, '(') + "a" + std::string(n, ')'); };
  EXPECT_EQ(Sexpr(nested(64)), "a");
  Error error = ParseError(nested(65));
  EXPECT_EQ(error.column, 65);
  EXPECT_EQ(error.message, "expression nested too deeply (limit is 64 levels)");

  EXPECT_EQ(MustParse(std::string(64, '!') + "true").root().height(), 65);
  error = ParseError(std::string(65, '!') + "true");
  EXPECT_EQ(error.column, 65);
  EXPECT_EQ(error.message, "expression nested too deeply (limit is 64 levels)");

  // Left-nested chains count too: each `==` nests the one before it.
  std::string chain = "a";
  for (int i = 0; i < 64; ++i) chain += " == a";
  MustParse(chain);
  error = ParseError(chain + " == a");
  EXPECT_EQ(error.column, static_cast<int>(chain.size()) + 2);  // the 65th '=='
  EXPECT_EQ(error.message, "expression nested too deeply (limit is 64 levels)");

  std::string calls = "a";
  for (int i = 0; i < 65; ++i) calls = "f(" + calls + ")";
  EXPECT_EQ(ParseError(calls).message, "expression nested too deeply (limit is 64 levels)");
  std::string indexes = "a";
  for (int i = 0; i < 65; ++i) indexes = "a[" + indexes + "]";
  EXPECT_EQ(ParseError(indexes).message, "expression nested too deeply (limit is 64 levels)");
}

TEST(ParseTest, LongLogicalChainsStayShallow) {
  std::string ors = "a0";
  for (int i = 1; i < 1500; ++i) ors += " || a" + std::to_string(i);
  const Expression parsed = MustParse(ors);
  EXPECT_LE(parsed.root().height(), 12);
  // Balancing keeps every operand, in source order.
  const auto references = parsed.References();
  ASSERT_EQ(references.size(), 1500u);
  EXPECT_EQ(references[0].path[0], "a0");
  EXPECT_EQ(references[1499].path[0], "a1499");
}

TEST(ParseTest, Precedence) {
  EXPECT_EQ(Sexpr("a || b && c"), "(|| a (&& b c))");
  EXPECT_EQ(Sexpr("a && b || c"), "(|| (&& a b) c)");
  EXPECT_EQ(Sexpr("a == b && c != d"), "(&& (== a b) (!= c d))");
  EXPECT_EQ(Sexpr("a == b || c == d && e"), "(|| (== a b) (&& (== c d) e))");
  EXPECT_EQ(Sexpr("!a == b"), "(== (! a) b)");
  EXPECT_EQ(Sexpr("!!a"), "(! (! a))");
  EXPECT_EQ(Sexpr("!a.b[0]"), "(! a.b[0])");
  EXPECT_EQ(Sexpr("!f(x)"), "(! f(x))");
  EXPECT_EQ(Sexpr("a == b != c"), "(!= (== a b) c)");
  EXPECT_EQ(Sexpr("(a || b) && c"), "(&& (|| a b) c)");
  EXPECT_EQ(Sexpr("!(a == b)"), "(! (== a b))");
  EXPECT_EQ(Sexpr("a || b || c || d"), "(|| (|| a b) (|| c d))");
  EXPECT_EQ(Sexpr("f(a, b.c)[1].d"), "f(a, b.c)[1].d");
  EXPECT_EQ(Sexpr("f()"), "f()");
  EXPECT_EQ(Sexpr("a[b == c]"), "a[(== b c)]");
  EXPECT_EQ(Sexpr("a // a comment\n || b"), "(|| a b)");
}

TEST(ParseTest, OperatorPrecedenceFollowsCel) {
  // * / % bind tighter than + -, which bind tighter than relations; all are left-associative.
  EXPECT_EQ(Sexpr("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(Sexpr("a * b + c"), "(+ (* a b) c)");
  EXPECT_EQ(Sexpr("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(Sexpr("a / b % c * d"), "(* (% (/ a b) c) d)");
  EXPECT_EQ(Sexpr("a + 1 < b * 2"), "(< (+ a 1) (* b 2))");
  // Relations, `in` included, share one level: `a < b == c` is `(a < b) == c`.
  EXPECT_EQ(Sexpr("a < b == c"), "(== (< a b) c)");
  EXPECT_EQ(Sexpr("a == b < c"), "(< (== a b) c)");
  EXPECT_EQ(Sexpr("a <= b >= c > d"), "(> (>= (<= a b) c) d)");
  EXPECT_EQ(Sexpr("x + 1 in list && y"), "(&& (in (+ x 1) list) y)");
  EXPECT_EQ(Sexpr("result.status == 200 && result.latency_ms <= 300"),
            "(&& (== result.status 200) (<= result.latency_ms 300))");
  EXPECT_EQ(Sexpr("result * 100 >= 99.5"), "(>= (* result 100) 99.5)");
  // Unary operators bind tighter than binary ones, looser than member/index/call.
  EXPECT_EQ(Sexpr("-a * b"), "(* (- a) b)");
  EXPECT_EQ(Sexpr("-a.b[0]"), "(- a.b[0])");
  EXPECT_EQ(Sexpr("-size(x) < 1"), "(< (- size(x)) 1)");
  EXPECT_EQ(Sexpr("--1"), "(- (- 1))");
  EXPECT_EQ(Sexpr("!-a"), "(! (- a))");
  EXPECT_EQ(Sexpr("a - -1"), "(- a (- 1))");
  EXPECT_EQ(Sexpr("a-1"), "(- a 1)");
  EXPECT_EQ(Sexpr("a -b"), "(- a b)");
  EXPECT_EQ(Sexpr("a- b"), "(- a b)");
  EXPECT_EQ(Sexpr("a['x']-b"), "(- a['x'] b)");
  // `?:` is lowest and nests to the right; its middle operand is an `||`.
  EXPECT_EQ(Sexpr("a ? b : c"), "(?: a b c)");
  EXPECT_EQ(Sexpr("a || b ? c && d : e + 1"), "(?: (|| a b) (&& c d) (+ e 1))");
  EXPECT_EQ(Sexpr("a ? b : c ? d : e"), "(?: a b (?: c d e))");
  EXPECT_EQ(Sexpr("a ? (b ? c : d) : e"), "(?: a (?: b c d) e)");
  EXPECT_EQ(Sexpr("(a ? b : c) + 1"), "(+ (?: a b c) 1)");
  EXPECT_EQ(Sexpr("f(a ? b : c, d)[a ? 0 : 1]"), "f((?: a b c), d)[(?: a 0 1)]");
}

TEST(ParseTest, OperatorColumns) {
  EXPECT_EQ(MustParse("a  + b").root().column(), 4);
  EXPECT_EQ(MustParse("a in b").root().column(), 3);
  EXPECT_EQ(MustParse(" -a").root().column(), 2);
  EXPECT_EQ(MustParse("a ? b : c").root().column(), 3);
}

TEST(ParseTest, DeepOperatorChainsAreBounded) {
  const std::string too_deep = "expression nested too deeply (limit is 64 levels)";
  EXPECT_EQ(MustParse(std::string(64, '-') + "1").root().height(), 65);
  EXPECT_EQ(ParseError(std::string(65, '-') + "1").message, too_deep);
  std::string sum = "1";
  for (int i = 0; i < 64; ++i) sum += " + 1";
  MustParse(sum);
  EXPECT_EQ(ParseError(sum + " + 1").message, too_deep);
  // A right-nested chain of `?:` recurses in the parser before building any node.
  std::string conditional;
  for (int i = 0; i < 64; ++i) conditional += "a ? 1 : ";
  MustParse(conditional + "2");
  EXPECT_EQ(ParseError(conditional + "a ? 1 : 2").message, too_deep);
  std::string long_chain;
  for (int i = 0; i < 2000; ++i) long_chain += "a?1:";
  EXPECT_EQ(ParseError(long_chain + "2").message, too_deep);
}

TEST(ParseTest, Literals) {
  const auto literal = [](std::string_view text) {
    const Expression parsed = MustParse(text);
    EXPECT_EQ(parsed.root().kind(), Node::Kind::kLiteral) << text;
    return parsed.root().literal();
  };
  EXPECT_EQ(literal("'single'"), Value("single"));
  EXPECT_EQ(literal("\"double\""), Value("double"));
  EXPECT_EQ(literal("\"it's\""), Value("it's"));
  EXPECT_EQ(literal("'a\\'b\\\"c'"), Value("a'b\"c"));
  EXPECT_EQ(literal("'\\n\\t\\\\\\r'"), Value("\n\t\\\r"));
  EXPECT_EQ(literal("'\\u00e9'"), Value("\xc3\xa9"));
  EXPECT_EQ(literal("'\\U0001F600'"), Value("\xf0\x9f\x98\x80"));
  EXPECT_EQ(literal("'\\x41\\101'"), Value("AA"));
  EXPECT_EQ(literal("r'\\n'"), Value("\\n"));
  EXPECT_EQ(literal("'''a\n'b'''"), Value("a\n'b"));
  EXPECT_EQ(literal("''"), Value(""));
  EXPECT_TRUE(literal("42").is_int());
  EXPECT_EQ(literal("42").as_int(), 42);
  EXPECT_EQ(literal("0x1F").as_int(), 31);
  EXPECT_EQ(literal("9223372036854775807").as_int(), INT64_MAX);
  EXPECT_TRUE(literal("1.5").is_double());
  EXPECT_EQ(literal("1.5").as_double(), 1.5);
  EXPECT_TRUE(literal("1e3").is_double());
  EXPECT_EQ(literal("1e3").as_double(), 1000.0);
  EXPECT_EQ(literal(".5").as_double(), 0.5);
  EXPECT_EQ(literal("1e-400").as_double(), 0.0);  // underflow rounds to zero; overflow is an error
  EXPECT_EQ(literal("2.5e-3").as_double(), 0.0025);
  EXPECT_EQ(literal("1u"), Value::Uint(1));
  EXPECT_TRUE(literal("0x1Fu").is_uint());
  EXPECT_EQ(literal("0x1Fu").as_uint(), 31u);
  EXPECT_EQ(literal("18446744073709551615u").as_uint(), UINT64_MAX);
  EXPECT_EQ(literal("-9223372036854775808"), Value(INT64_MIN));
  EXPECT_EQ(literal("b'abc'"), Value::Bytes("abc"));
  EXPECT_EQ(literal("B\"\\xff\\377\""), Value::Bytes("\xff\xff"));  // bytes, not code points
  EXPECT_EQ(literal("b'\xc3\xbf'"), Value::Bytes("\xc3\xbf"));      // UTF-8 text as its bytes
  EXPECT_EQ(literal("'\\377'"), Value("\xc3\xbf"));                 // a code point in strings
  EXPECT_EQ(literal("rb'\\x'"), Value::Bytes("\\x"));
  EXPECT_EQ(literal("true"), Value(true));
  EXPECT_EQ(literal("false"), Value(false));
  EXPECT_TRUE(literal("null").is_null());
}

TEST(ParseTest, AggregatesMethodsAndMacros) {
  EXPECT_EQ(Sexpr("[]"), "(list)");
  EXPECT_EQ(Sexpr("[1, a, [2],]"), "(list 1 a (list 2))");
  EXPECT_EQ(Sexpr("{}"), "(map)");
  EXPECT_EQ(Sexpr("{'a': 1, b: [c],}"), "(map 'a' 1 b (list c))");
  EXPECT_EQ(Sexpr("a.b.T{f: 1, g: x}"), "(message a.b.T [f g] 1 x)");
  EXPECT_EQ(Sexpr("T{}.f"), "(message T).f");
  EXPECT_EQ(Sexpr("T{`in`: 1,}"), "(message T [in] 1)");
  EXPECT_EQ(Sexpr("s.contains('x')"), "(method contains s 'x')");
  EXPECT_EQ(Sexpr("a.b.size()"), "(method size a.b)");
  EXPECT_EQ(Sexpr("math.greatest(1, 2)"), "(method greatest math 1 2)");
  EXPECT_EQ(Sexpr("f(x).g(y)[0]"), "(method g f(x) y)[0]");
  EXPECT_EQ(Sexpr("has(a.b.c)"), "(has c a.b.c)");
  EXPECT_EQ(Sexpr("l.all(x, x > 0)"), "(comprehension all [x] l (> x 0))");
  EXPECT_EQ(Sexpr("l.exists_one(x, x)"), "(comprehension exists_one [x] l x)");
  EXPECT_EQ(Sexpr("l.map(x, x > 0, x * 2)"), "(comprehension map [x] l (> x 0) (* x 2))");
  EXPECT_EQ(Sexpr("l.filter(x, x)"), "(comprehension filter [x] l x)");
  EXPECT_EQ(Sexpr("m.all(k, v, v)"), "(comprehension all [k v] m v)");
  EXPECT_EQ(Sexpr("m.existsOne(k, v, v)"), "(comprehension exists_one [k v] m v)");
  EXPECT_EQ(Sexpr("m.transformMap(k, v, v + 1)"), "(comprehension transformMap [k v] m (+ v 1))");
  EXPECT_EQ(Sexpr("cel.bind(x, 1, x + x)"), "(bind bind [x] 1 (+ x x))");
  EXPECT_EQ(Sexpr("cel.block([1, cel.index(0) + 1], cel.index(1))"),
            "(bind block [@index0] 1 (bind block [@index1] (+ @index0 1) @index1))");
  EXPECT_EQ(Sexpr("l.all(cel.iterVar(0, 1), cel.iterVar(0, 1))"),
            "(comprehension all [@it:0:1] l @it:0:1)");
  // Not macros: other argument counts are method calls, whatever the library makes of them.
  EXPECT_EQ(Sexpr("l.all(x)"), "(method all l x)");
  EXPECT_EQ(Sexpr("a.cel.bind(x, 1, x)"), "(method bind a.cel x 1 x)");
  // Reserved words are field and method names; backquotes quote any field name.
  EXPECT_EQ(Sexpr("m.if + m.while()"), "(+ m.if (method while m))");
  EXPECT_EQ(Sexpr("m.`a-b.c`"), "m.a-b.c");
  // A leading dot names the root scope.
  EXPECT_EQ(Sexpr(".a.b"), "a.b");
  EXPECT_EQ(Sexpr(".f(1)"), "f(1)");
  // Unary minus on literals stays an operator (only -2^63 folds).
  EXPECT_EQ(Sexpr("-1"), "(- 1)");
}

TEST(ParseTest, AggregateAndMacroColumns) {
  EXPECT_EQ(MustParse("  [1]").root().column(), 3);
  EXPECT_EQ(MustParse(" {1: 2}").root().column(), 2);
  EXPECT_EQ(MustParse("l.all(x, x)").root().column(), 3);
  EXPECT_EQ(MustParse("s.size()").root().column(), 3);
  EXPECT_EQ(MustParse(" has(a.b)").root().column(), 2);
  // Nesting inside aggregates counts toward the depth limit.
  const std::string lists = std::string(66, '[') + std::string(66, ']');
  EXPECT_EQ(ParseError(lists).message, "expression nested too deeply (limit is 64 levels)");
  const std::string maps = [] {
    std::string text = "1";
    for (int i = 0; i < 65; ++i) text = "{1: " + text + "}";
    return text;
  }();
  EXPECT_EQ(ParseError(maps).message, "expression nested too deeply (limit is 64 levels)");
}

TEST(ParseTest, KeepsTextAndIsCheapToCopy) {
  const Expression parsed = MustParse(" a == 'b' ");
  const Expression copy = parsed;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.text(), " a == 'b' ");
  EXPECT_EQ(&copy.root(), &parsed.root());
}

}  // namespace
}  // namespace slipway::expr
