// The CEL language around the values: aggregates, names, types, methods, macros, limits.
// (The operators and functions themselves are tested in operators_test and builtins_test.)
#include <gtest/gtest.h>

#include <string>

#include "expr/ast.h"
#include "expr/expr.h"
#include "expr_test_util.h"

namespace slipway::expr {
namespace {

using testing::Eval;
using testing::MustParse;

Activation Variables() {
  Activation activation;
  activation.variables["l"] = Value::List{1, 2, 3};
  activation.variables["zeros"] = Value::List{0, 1};
  activation.variables["m"] = Value::Map{{"a", 1}, {"b", 2}};
  activation.variables["x"] = "outer";
  activation.variables["a.b"] = Value::Map{{"c", "dotted"}};
  activation.variables["a"] = Value::Map{{"b", Value::Map{{"c", "nested"}, {"d", "only here"}}}};
  activation.functions["ns.twice"] = [](std::span<const Value> args) -> std::variant<Value, Error> {
    return Value(args[0].as_int() * 2);
  };
  return activation;
}

Value Ok(std::string_view text, const Activation& activation = Variables()) {
  auto result = Eval(text, activation);
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << text << ": column " << error->column << ": " << error->message;
    return Value("<error>");
  }
  return std::get<Value>(result);
}

Error Err(std::string_view text, const Activation& activation = Variables()) {
  auto result = Eval(text, activation);
  if (auto* error = std::get_if<Error>(&result)) return *error;
  ADD_FAILURE() << text << " evaluated to " << std::get<Value>(result).ToTemplateString();
  return Error{-1, "<no error>"};
}

TEST(LanguageTest, ListAndMapLiterals) {
  EXPECT_EQ(Ok("[]"), Value(Value::List{}));
  EXPECT_EQ(Ok("[1, 'a', [true],]"), Value(Value::List{1, "a", Value::List{true}}));
  EXPECT_EQ(Ok("{}"), Value(Value::Map{}));
  EXPECT_EQ(Ok("{'a': 1, 2: [x]}"), Value(Value::Map{{"a", 1}, {2, Value::List{"outer"}}}));
  EXPECT_EQ(Ok("{true: 1, 1u: 2}[1u]"), Value(2));
  EXPECT_EQ(Ok("[1, 2] == [1, 2] && {'a': 1} != {'a': 2}"), Value(true));

  Error error = Err("{'a': 1, 'a': 2}");
  EXPECT_EQ(error.column, 10);
  EXPECT_EQ(error.message, "Failed with repeated key");
  EXPECT_EQ(Err("{1: 'x', 1u: 'y'}").message, "Failed with repeated key");  // 1 == 1u in CEL
  error = Err("{1.5: 1}");
  EXPECT_EQ(error.column, 2);
  EXPECT_EQ(error.message,
            "unsupported key type: map keys must be bool, int, uint or string, got double");
  // Elements are strict: the first error wins.
  EXPECT_EQ(Err("[1, nope, 1 / 0]").message, "undeclared reference to 'nope'");
  EXPECT_EQ(Err("{'a': 1 / 0}").column, 9);
}

TEST(LanguageTest, MessagesParseButDoNotEvaluate) {
  const Error error = Err("x == '' || google.protobuf.Int32Value{value: 1}");
  EXPECT_EQ(error.column, 12);
  EXPECT_EQ(error.message, "unsupported: message types ('google.protobuf.Int32Value{…}')");
}

TEST(LanguageTest, TypeNamesEvaluateToTypesUnlessShadowed) {
  EXPECT_EQ(Ok("int"), Value::Type("int"));
  EXPECT_EQ(Ok("[bool, uint, null_type, type]"),
            Value(Value::List{Value::Type("bool"), Value::Type("uint"), Value::Type("null_type"),
                              Value::Type("type")}));
  EXPECT_EQ(Ok("google.protobuf.Duration"), Value::Type("google.protobuf.Duration"));
  EXPECT_EQ(Ok(".google.protobuf.Timestamp"), Value::Type("google.protobuf.Timestamp"));
  EXPECT_EQ(Ok("int == int && int != string"), Value(true));
  Activation shadowing;
  shadowing.variables["int"] = 7;
  EXPECT_EQ(Ok("int", shadowing), Value(7));
  EXPECT_EQ(Ok("[1].map(int, int + 1)"), Value(Value::List{2}));
}

TEST(LanguageTest, DynIsTheIdentity) {
  EXPECT_EQ(Ok("dyn(1) == 1 && dyn([x])[0] == 'outer'"), Value(true));
  EXPECT_EQ(Err("dyn(nope)").message, "undeclared reference to 'nope'");
}

TEST(LanguageTest, QualifiedNamesResolveTheLongestDeclaredPrefix) {
  EXPECT_EQ(Ok("a.b.c"), Value("dotted"));  // `a.b` is declared: it wins over a's field
  EXPECT_EQ(Ok("a.b"), Value(Value::Map{{"c", "dotted"}}));
  EXPECT_EQ(Ok("a['b'].d"), Value("only here"));  // an index is not part of a name
  const Error error = Err("a.b.d");
  EXPECT_EQ(error.column, 5);
  EXPECT_EQ(error.message, "no such key: 'd'");
}

TEST(LanguageTest, MethodsAndNamespacedFunctions) {
  EXPECT_EQ(Ok("ns.twice(21)"), Value(42));
  Error error = Err("x.nosuch(1)");
  EXPECT_EQ(error.column, 3);
  EXPECT_EQ(error.message, "unknown method 'nosuch'");
  // A method's receiver is evaluated first; its error wins.
  EXPECT_EQ(Err("nope.nosuch()").message, "undeclared reference to 'nope'");
}

TEST(LanguageTest, HasTestsMapKeys) {
  EXPECT_EQ(Ok("has(m.a) && !has(m.z) && has(a.b.c) && !has(a.b.d)"), Value(true));  // `a.b`
  EXPECT_EQ(Ok("has({'a-b': 1}.`a-b`)"), Value(true));
  const Error error = Err("has(x.y)");
  EXPECT_EQ(error.column, 1);
  EXPECT_EQ(error.message, "has() does not apply to a value of type string (only to maps)");
  EXPECT_EQ(Err("has(nope.y)").message, "undeclared reference to 'nope'");
}

TEST(LanguageTest, QuantifierMacros) {
  EXPECT_EQ(Ok("l.all(e, e > 0)"), Value(true));
  EXPECT_EQ(Ok("l.all(e, e > 1)"), Value(false));
  EXPECT_EQ(Ok("l.exists(e, e == 2)"), Value(true));
  EXPECT_EQ(Ok("[].exists(e, e)"), Value(false));
  EXPECT_EQ(Ok("[].all(e, e)"), Value(true));
  EXPECT_EQ(Ok("l.exists_one(e, e >= 3)"), Value(true));
  EXPECT_EQ(Ok("l.exists_one(e, e >= 2)"), Value(false));
  EXPECT_EQ(Ok("m.all(k, k in ['a', 'b'])"), Value(true));  // a map iterates its keys

  // all() and exists() absorb errors like && and ||: a deciding element wins.
  EXPECT_EQ(Ok("[0, 1].all(e, 2 / e == 1)"), Value(false));
  EXPECT_EQ(Ok("[0, 1].exists(e, 1 / e == 1)"), Value(true));
  Error error = Err("[0, 1].all(e, 1 / e == 1)");
  EXPECT_EQ(error.column, 17);
  EXPECT_EQ(error.message.substr(0, 8), "division");
  EXPECT_EQ(Err("zeros.exists(e, 1 / e == 2)").column, 19);
  error = Err("l.all(e, e)");
  EXPECT_EQ(error.column, 3);
  EXPECT_EQ(error.message, "no such overload: all() expects a bool predicate, got int");
  // exists_one() is strict.
  EXPECT_EQ(Err("[0, 1].exists_one(e, 1 / e == 1)").column, 24);
  error = Err("x.all(e, true)");
  EXPECT_EQ(error.column, 3);
  EXPECT_EQ(error.message, "all() expects a list or a map, got string");
}

TEST(LanguageTest, MapAndFilterMacros) {
  EXPECT_EQ(Ok("l.map(e, e * 10)"), Value(Value::List{10, 20, 30}));
  EXPECT_EQ(Ok("l.map(e, e > 1, e * 10)"), Value(Value::List{20, 30}));
  EXPECT_EQ(Ok("l.filter(e, e != 2)"), Value(Value::List{1, 3}));
  EXPECT_EQ(Ok("m.map(k, k + k)"), Value(Value::List{"aa", "bb"}));
  EXPECT_EQ(Ok("m.filter(k, m[k] > 1)"), Value(Value::List{"b"}));
  EXPECT_EQ(Ok("l.map(e, l.filter(f, f < e)).map(s, size(s))"), Value(Value::List{0, 1, 2}));
  EXPECT_EQ(Err("zeros.map(e, 1 / e)").column, 16);
  EXPECT_EQ(Err("l.filter(e, e)").message,
            "no such overload: filter() expects a bool predicate, got int");
}

TEST(LanguageTest, TwoVariableMacros) {
  EXPECT_EQ(Ok("[10, 20].transformList(i, v, i + v)"), Value(Value::List{10, 21}));
  EXPECT_EQ(Ok("[10, 20].transformList(i, v, i > 0, v)"), Value(Value::List{20}));
  EXPECT_EQ(Ok("m.transformMap(k, v, v * 2)"), Value(Value::Map{{"a", 2}, {"b", 4}}));
  EXPECT_EQ(Ok("m.transformMapEntry(k, v, {v: k})"), Value(Value::Map{{1, "a"}, {2, "b"}}));
  EXPECT_EQ(Ok("m.all(k, v, v > 0) && l.exists(i, v, i == 2 && v == 3)"), Value(true));
  EXPECT_EQ(Ok("m.existsOne(k, v, v == 2)"), Value(true));
  EXPECT_EQ(Err("m.transformMapEntry(k, v, {'same': v})").message,
            "insert failed: key same already exists");
}

TEST(LanguageTest, MacroVariablesShadowAndStayLocal) {
  EXPECT_EQ(Ok("[1].map(x, x + 1) == [2] && x == 'outer'"), Value(true));
  EXPECT_EQ(Ok("[[1, 2]].map(x, x.map(x, x * 2))"), Value(Value::List{Value::List{2, 4}}));
  EXPECT_EQ(Err("l.map(e, e) == [] || e == 1").message, "undeclared reference to 'e'");
}

TEST(LanguageTest, Bind) {
  EXPECT_EQ(Ok("cel.bind(t, l.map(e, e * 2), t[0] + t[2])"), Value(8));
  EXPECT_EQ(Ok("cel.bind(x, 1, x + 1) == 2 && x == 'outer'"), Value(true));
  // The initializer's error surfaces only where the variable is used.
  EXPECT_EQ(Ok("cel.bind(bad, 1 / 0, true)"), Value(true));
  EXPECT_EQ(Err("cel.bind(bad, 1 / 0, bad)").column, 17);
}

TEST(LanguageTest, Block) {
  EXPECT_EQ(Ok("cel.block([1, cel.index(0) + 1, [cel.index(1)]], cel.index(2)[0] * 10)"),
            Value(20));
  EXPECT_EQ(Ok("cel.block([l], cel.index(0).map(cel.iterVar(0, 0), cel.iterVar(0, 0) * 2))"),
            Value(Value::List{2, 4, 6}));
  EXPECT_TRUE(MustParse("cel.block([x], cel.index(0))").References().size() == 1);
}

TEST(LanguageTest, IterationsAreBounded) {
  Activation activation;
  activation.variables["big"] = Value::List(999, Value(1));
  // 999 + 999 * 999 = 999,000 iterations; the count is per evaluation.
  EXPECT_EQ(Ok("big.all(a, big.all(b, a == b))", activation), Value(true));
  EXPECT_EQ(Ok("big.all(a, big.all(b, a == b))", activation), Value(true));
  const Error error = Err("big.all(a, big.all(b, big.all(c, true)))", activation);
  EXPECT_EQ(error.message, "too many comprehension iterations (the limit is 1000000)");
}

TEST(LanguageTest, BuiltValuesAreBounded) {
  Activation activation;
  activation.variables["s"] = std::string(kMaxStringSize / 2 + 1, 'x');
  activation.variables["half"] = Value::List(kMaxListSize / 2 + 1, Value(0));
  Error error = Err("s + 'y' != '' && s + s != ''", activation);
  EXPECT_EQ(error.column, 20);
  EXPECT_EQ(error.message, "string too large (1048578; the limit is 1048576)");
  error = Err("half + half", activation);
  EXPECT_EQ(error.column, 6);
  EXPECT_EQ(error.message, "list too large (100002; the limit is 100000)");
  activation.variables["over"] = Value::List(kMaxListSize + 1, Value(0));
  error = Err("over.map(a, a)", activation);
  EXPECT_EQ(error.column, 6);
  EXPECT_EQ(error.message, "map() result too large (the limit is 100000 elements)");
}

TEST(LanguageTest, ReferencesAndChecksKnowTheLanguage) {
  const Expression parsed = MustParse(
      "l.all(e, e > limit) && has(inputs.flag) && int == type(n) && [a].map(x, x).size() > 0");
  std::vector<std::string> references;
  for (const auto& reference : parsed.References()) {
    std::string joined;
    for (const std::string& part : reference.path) joined += (joined.empty() ? "" : ".") + part;
    references.push_back(joined);
  }
  EXPECT_EQ(references, (std::vector<std::string>{"l", "limit", "inputs", "n", "a"}));
  std::vector<std::string> calls;
  for (const auto& call : parsed.Calls()) calls.push_back(call.name);
  EXPECT_EQ(calls, (std::vector<std::string>{"type"}));  // methods and macros are not calls

  Scope scope;
  const auto unknown = Check(MustParse("x.nosuchmethod()"), scope);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->column, 3);
  EXPECT_EQ(unknown->message, "unknown method 'nosuchmethod'");
  EXPECT_FALSE(Check(MustParse("dyn(1) == 1 && [1].exists(v, v == 1)"), scope).has_value());
}

}  // namespace
}  // namespace slipway::expr
