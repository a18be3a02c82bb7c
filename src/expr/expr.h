// The expression language used by pipeline `if:` conditions, `${{ … }}` templates and analysis
// conditions.
//
// It is a subset of CEL (google/cel-spec), with CEL's semantics:
//   - literals: single- or double-quoted strings, integers, doubles, true/false/null;
//   - member access `a.b`, index `a["b"]` / `list[0]`, function calls `f(args…)`, parentheses;
//   - `c ? a : b`, `||`, `&&` (both absorb an error when the other side decides), `!`;
//   - relations `==`, `!=`, `<`, `<=`, `>`, `>=` (ints and doubles compare numerically;
//     strings by code point; false < true), and `x in list`, `key in map`;
//   - arithmetic `+ - * / %` and unary `-` on int (64-bit; overflow and division by zero are
//     errors) or on double (IEEE), never mixing the two (`x * 100.0`, not `x * 100`);
//     `+` also concatenates strings and lists;
//   - built-in functions size(x), int(x), double(x), string(x) (see IsBuiltinFunction).
// Precedence, lowest first: `?:`, `||`, `&&`, relations (incl. `in`), `+ -`, `* / %`, unary `!`
// and `-`, then member/index/call. One deviation: `a-b` (a '-' glued to two names) is an error
// suggesting `a['b-c']`, since it is nearly always a name like `needs.build-linux`.
// Not yet: list and map literals, macros (has, all, exists…), methods, uint, bytes, timestamps.
// The public surface below is shaped so a later change can grow the language to full CEL
// (more types, operators, macros, a type-checker) without touching callers.
//
// Thread-safety: Expression and Value are immutable after construction and may be shared
// between threads; Evaluate is reentrant.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace slipway::expr {

// A runtime value. Maps are keyed by string (all a pipeline needs); lists and maps are values.
class Value {
 public:
  using List = std::vector<Value>;
  using Map = std::map<std::string, Value, std::less<>>;

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

  bool is_null() const { return std::holds_alternative<std::monostate>(data_); }
  bool is_bool() const { return std::holds_alternative<bool>(data_); }
  bool is_int() const { return std::holds_alternative<int64_t>(data_); }
  bool is_double() const { return std::holds_alternative<double>(data_); }
  bool is_string() const { return std::holds_alternative<std::string>(data_); }
  bool is_list() const { return std::holds_alternative<std::shared_ptr<const List>>(data_); }
  bool is_map() const { return std::holds_alternative<std::shared_ptr<const Map>>(data_); }

  // Accessors; calling the wrong one is a programming error (asserts).
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const;
  const List& as_list() const;
  const Map& as_map() const;

  // CEL type name: "null_type", "bool", "int", "double", "string", "list", "map".
  std::string_view type_name() const;

  // How a value is spliced into a `${{ }}` template: strings as-is, null as "",
  // booleans "true"/"false", numbers in their shortest round-trip form, lists and maps as JSON.
  std::string ToTemplateString() const;

  // CEL equality: same type and equal contents (int and double compare numerically).
  friend bool operator==(const Value& a, const Value& b);

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, std::shared_ptr<const List>,
               std::shared_ptr<const Map>>
      data_;
};

// A parse, check or evaluation error. `column` is 1-based within the expression text
// (0 when unknown), so callers can add it to where the expression sits in its file.
struct Error {
  int column = 0;
  std::string message;
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

// What names an expression may use. Check walks the expression and reports the first
// reference or call that is not defined.
struct Scope {
  // Returns an explanation when `path` is not defined (e.g. "matrix has no axis 'os'"),
  // std::nullopt when it is.
  std::function<std::optional<std::string>(const std::vector<std::string>& path)> check_reference;
  // Function names that may be called, with their arity (-1: one or more), besides the
  // built-ins.
  std::map<std::string, int, std::less<>> functions;
};
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
