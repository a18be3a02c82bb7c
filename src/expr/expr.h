// The expression language used by pipeline `if:` conditions, `${{ … }}` templates and analysis
// conditions.
//
// It is CEL (google/cel-spec), with CEL's semantics:
//   - literals: ints (`42`, `0x2A`), uints (`42u`), doubles (`1.5`, `.5`, `1e3`), strings in
//     every CEL quoting ('…', "…", triple-quoted, raw r'…') with CEL's escapes, bytes
//     (b'\xff'), true/false/null; lists `[a, b]`, maps `{k: v}` (keys bool/int/uint/string; a
//     repeated key is an error); `Msg{f: v}` parses but evaluating it is an error (there are
//     no protobuf messages);
//   - names: variables (the activation's; a dotted variable name like "a.b" is found by CEL's
//     longest-prefix rule), `.name` (root scope); type names (`int`, `string`, `list`,
//     `google.protobuf.Duration`, …) evaluate to type values unless a variable shadows them;
//   - member access `a.b` (a map's key; `a.`b-c`` quoted), index `a["b"]` / `list[0]`, calls
//     `f(args…)`, receiver-style calls `x.f(args…)` and namespaced calls `ns.f(args…)`;
//   - `c ? a : b`, `||`, `&&` (both absorb an error when the other side decides), `!`, unary `-`;
//   - relations `==`, `!=` (heterogeneous equality), `<`, `<=`, `>`, `>=`, `in`, and arithmetic
//     `+ - * / %`, whose overloads are the standard library's (operators.h), as are the
//     functions (see IsBuiltinFunction);
//   - macros: has(a.b), e.all(x, p), e.exists(x, p), e.exists_one(x, p), e.map(x, t),
//     e.map(x, p, t), e.filter(x, p) over lists and maps (their keys), the two-variable forms
//     (all/exists/existsOne(i, v, p), transformList, transformMap, transformMapEntry) and
//     cel.bind(x, init, body); `dyn(x)` is x;
//   - errors are values: strict operators and calls propagate the first one; `&&`, `||`,
//     all() and exists() absorb them as CEL says.
// Precedence, lowest first: `?:`, `||`, `&&`, relations (incl. `in`), `+ -`, `* / %`, unary `!`
// and `-`, then member/index/call. One deviation: `a-b` (a '-' glued to two names) is an error
// suggesting `a['b-c']`, since it is nearly always a name like `needs.build-linux`.
// Bounds: the expression's length (kMaxExpressionLength) and nesting (kMaxDepth), and at run
// time the size of the strings, bytes, lists and maps it builds and the iterations of all its
// macros together (ast.h); going over one is an error naming the limit.
// Check type-checks as CEL does (Scope declares variables' types; undeclared ones are dyn).
// Not supported: optional values (`.?f`, `[?k]`, optional.of…), protobuf messages and enums, and
// a `container` for name resolution.
//
// Thread-safety: Expression and Value are immutable after construction and may be shared
// between threads; Evaluate is reentrant.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace slipway::expr {

// A CEL duration: seconds plus nanoseconds, both with the same sign (|nanos| < 1e9). The range
// is what int64 nanoseconds hold (about ±292 years, as in cel-go and the conformance tests);
// parsing or arithmetic outside it is an error.
struct Duration {
  int64_t seconds = 0;
  int32_t nanos = 0;
  friend bool operator==(const Duration&, const Duration&) = default;
  friend auto operator<=>(const Duration&, const Duration&) = default;
};

// A CEL timestamp: seconds and nanoseconds (0 ≤ nanos < 1e9) since 1970-01-01T00:00:00Z. CEL's
// range is 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z; outside it is an error.
struct Timestamp {
  int64_t seconds = 0;
  int32_t nanos = 0;
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// A runtime value: one of CEL's types null_type, bool, int, uint, double, string, bytes, list,
// map, google.protobuf.Duration, google.protobuf.Timestamp, or type (the value of `int`,
// `type(x)`, …). Lists and maps are values (shared, immutable).
class Value {
 public:
  // Orders map keys: by kind (bool < int < uint < string, the only key types CEL allows), then
  // by value. Lookups that should match across int/uint/double (CEL's heterogeneous equality:
  // `{1: 'a'}[1u]`) are done by the evaluator, not by this order.
  struct KeyLess {
    bool operator()(const Value& a, const Value& b) const;
  };
  using List = std::vector<Value>;
  using Map = std::map<Value, Value, KeyLess>;

  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(int64_t i) : data_(i) {}
  Value(int i) : data_(static_cast<int64_t>(i)) {}
  Value(double d) : data_(d) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(List l) : data_(std::make_shared<const List>(std::move(l))) {}
  Value(Map m) : data_(std::make_shared<const Map>(std::move(m))) {}
  Value(Duration d) : data_(d) {}
  Value(Timestamp t) : data_(t) {}
  // Named constructors where a C++ type would be ambiguous (size_t is uint64_t; bytes and type
  // names are strings).
  static Value Uint(uint64_t u);
  static Value Bytes(std::string bytes);
  static Value Type(std::string name);  // a type value: "int", "list", "google.protobuf.Duration"

  bool is_null() const { return std::holds_alternative<std::monostate>(data_); }
  bool is_bool() const { return std::holds_alternative<bool>(data_); }
  bool is_int() const { return std::holds_alternative<int64_t>(data_); }
  bool is_uint() const { return std::holds_alternative<UintBox>(data_); }
  bool is_double() const { return std::holds_alternative<double>(data_); }
  bool is_string() const { return std::holds_alternative<std::string>(data_); }
  bool is_bytes() const { return std::holds_alternative<BytesBox>(data_); }
  bool is_list() const { return std::holds_alternative<std::shared_ptr<const List>>(data_); }
  bool is_map() const { return std::holds_alternative<std::shared_ptr<const Map>>(data_); }
  bool is_duration() const { return std::holds_alternative<Duration>(data_); }
  bool is_timestamp() const { return std::holds_alternative<Timestamp>(data_); }
  bool is_type() const { return std::holds_alternative<TypeBox>(data_); }

  // Accessors; calling the wrong one is a programming error (asserts).
  bool as_bool() const;
  int64_t as_int() const;
  uint64_t as_uint() const;
  double as_double() const;
  const std::string& as_string() const;
  const std::string& as_bytes() const;
  const List& as_list() const;
  const Map& as_map() const;
  Duration as_duration() const;
  Timestamp as_timestamp() const;
  const std::string& as_type() const;  // the type's name

  // CEL type name: "null_type", "bool", "int", "uint", "double", "string", "bytes", "list",
  // "map", "google.protobuf.Duration", "google.protobuf.Timestamp", "type".
  std::string_view type_name() const;

  // How a value is spliced into a `${{ }}` template: strings as-is, null as "",
  // booleans "true"/"false", numbers in their shortest round-trip form, lists and maps as JSON.
  std::string ToTemplateString() const;

  // CEL equality (heterogeneous): values of different types are unequal, except that int, uint
  // and double compare numerically; lists and maps compare element by element; NaN != NaN.
  friend bool operator==(const Value& a, const Value& b);

 private:
  struct UintBox {
    uint64_t value;
  };
  struct BytesBox {
    std::string bytes;
  };
  struct TypeBox {
    std::string name;
  };
  std::variant<std::monostate, bool, int64_t, double, std::string, std::shared_ptr<const List>,
               std::shared_ptr<const Map>, UintBox, BytesBox, Duration, Timestamp, TypeBox>
      data_;
};

// A JSON document as a value: booleans, strings, arrays (lists) and objects (maps keyed by
// string) as themselves, null as null, integers as int and other numbers as double. An integer
// past int64's range becomes a uint (kUint) or keeps its magnitude as a double (kDouble).
enum class LargeIntegers { kUint, kDouble };
Value ValueFromJson(const nlohmann::json& json, LargeIntegers large = LargeIntegers::kUint);

// A parse, check or evaluation error. `column` is 1-based within the expression text
// (0 when unknown), so callers can add it to where the expression sits in its file.
struct Error {
  int column = 0;
  std::string message;
};

// A CEL type, as the checker deduces it: dyn (unknown until evaluation), the primitives, list(T),
// map(K, V), type(T) (the type of a type value such as `int`), wrapper(T) (a T that may be null:
// a JSON field that is sometimes null) and type parameters (A, K, V in the library's signatures;
// they never leave the checker). Cheap to copy.
class Type {
 public:
  enum class Kind {
    kDyn,
    kNull,
    kBool,
    kInt,
    kUint,
    kDouble,
    kString,
    kBytes,
    kDuration,
    kTimestamp,
    kList,     // element()
    kMap,      // key(), value()
    kType,     // element(): the type it is the type of
    kWrapper,  // element(): kBool, kInt, kUint, kDouble, kString or kBytes
    kParam,    // param_name()
  };

  Type() = default;  // dyn
  // A type without parameters: kDyn … kTimestamp.
  static Type Of(Kind kind);
  static Type List(Type element);
  static Type Map(Type key, Type value);
  static Type TypeOf(Type type);
  static Type Wrapper(Type primitive);
  static Type Param(std::string name);
  // The type of `value`: a list or map literal's elements joined (dyn where they differ).
  static Type OfValue(const Value& value);

  Kind kind() const { return kind_; }
  bool is_dyn() const { return kind_ == Kind::kDyn; }
  const Type& element() const;  // kList, kType, kWrapper
  const Type& key() const;      // kMap
  const Type& value() const;    // kMap
  const std::string& param_name() const { return name_; }

  // CEL's spelling: "int", "list(string)", "map(string, dyn)", "google.protobuf.Timestamp",
  // "type(int)", "wrapper(int)", "null_type".
  std::string ToString() const;

  friend bool operator==(const Type& a, const Type& b);

 private:
  Type(Kind kind, std::vector<Type> params, std::string name = {});
  Kind kind_ = Kind::kDyn;
  std::shared_ptr<const std::vector<Type>> params_;
  std::string name_;
};

class Node;  // AST node; private to the module.

// A parsed expression. Cheap to copy (the tree is shared and immutable).
class Expression {
 public:
  // Parses `text`. Errors name the column and what was expected ("expected ')' at column 7").
  static std::variant<Expression, Error> Parse(std::string_view text);

  const std::string& text() const { return text_; }

  // Every context reference in the expression as a path of names: `needs.build.outputs.v`
  // → {"needs","build","outputs","v"}; `matrix["os"]` → {"matrix","os"}. Column of its start.
  struct Reference {
    std::vector<std::string> path;
    int column = 0;
  };
  std::vector<Reference> References() const;

  // Every function call: name and column.
  struct Call {
    std::string name;
    int column = 0;
  };
  std::vector<Call> Calls() const;

  const Node& root() const { return *root_; }

 private:
  Expression(std::string text, std::shared_ptr<const Node> root);
  std::string text_;
  std::shared_ptr<const Node> root_;
};

// Whether `name` is a built-in function: size, int, double or string, each with one argument.
// Built-ins need not be listed in Scope::functions or Activation::functions; a function of the
// same name there takes precedence.
bool IsBuiltinFunction(std::string_view name);

// What names an expression may use, and their types. Check walks the expression, reports the
// first reference or call that is not defined, then type-checks it as CEL does.
struct Scope {
  // Returns an explanation when `path` is not defined (e.g. "matrix has no axis 'os'"),
  // std::nullopt when it is.
  std::function<std::optional<std::string>(const std::vector<std::string>& path)> check_reference;
  // Function names that may be called, with their arity (-1: one or more), besides the
  // standard library's (built-ins have one argument; other library functions' arguments are
  // checked when evaluated). Methods (`x.f()`) must be the library's receiver-style functions.
  // Their results are dyn to the type-checker.
  std::map<std::string, int, std::less<>> functions;
  // Declared types of variables. A dotted name ("artifact.provenance.verified") declares the
  // type of that selection, found by CEL's longest-prefix rule for qualified names. A variable
  // that is not declared is dyn (check_reference decides whether it exists).
  std::map<std::string, Type, std::less<>> variables;
};

// Checks names (as Scope says) and types: every operator, function and method must have an
// overload for its operands' types (`1 + 'a'`: "found no matching overload for '+' applied to
// (int, string)"), fields are selected only from maps, comprehensions range over lists and
// maps. dyn operands match any overload. The expression's type when it checks.
std::variant<Type, Error> CheckType(const Expression& expression, const Scope& scope);
// CheckType without the result.
std::optional<Error> Check(const Expression& expression, const Scope& scope);

// Values and functions an evaluation sees.
struct Activation {
  // Top-level names: "env", "matrix", "needs", "inputs", "branch", "event", ...
  Value::Map variables;
  using Function = std::function<std::variant<Value, Error>(std::span<const Value> args)>;
  // Besides the built-ins; an entry here overrides a built-in of the same name.
  std::map<std::string, Function, std::less<>> functions;
};

// Evaluates. Accessing a missing map key yields an error ("no such key: 'x'"), as in CEL.
std::variant<Value, Error> Evaluate(const Expression& expression, const Activation& activation);

// Truthiness for `if:`: the expression must evaluate to a bool; anything else is an error.
std::variant<bool, Error> EvaluateCondition(const Expression& expression,
                                            const Activation& activation);

// A string with `${{ expr }}` parts. Literal text outside the braces is kept verbatim.
class Template {
 public:
  struct Part {
    std::string literal;                   // set when this part is literal text
    std::optional<Expression> expression;  // set when this part is an expression
    // 0-based offset of the part's start in the text. For an expression part that is where
    // the expression text starts (just after `${{`), so `offset + error.column` turns a column
    // from Check or Evaluate on `expression` into a 1-based column in the template.
    int offset = 0;
  };

  // Errors carry the column (1-based within the whole template text).
  static std::variant<Template, Error> Parse(std::string_view text);

  const std::vector<Part>& parts() const { return parts_; }
  bool has_expressions() const;

  // Expression parts evaluated and spliced with Value::ToTemplateString.
  std::variant<std::string, Error> Render(const Activation& activation) const;

 private:
  std::vector<Part> parts_;
};

}  // namespace slipway::expr
