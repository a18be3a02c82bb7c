// CheckType's second half: deducing each node's type bottom-up and resolving every operator,
// function and method against the standard library's signatures (signatures.cc). Names were
// checked before (checker.cc), so an unknown name here is simply dyn.
//
// Deliberately lenient where CEL implementations differ and nothing is lost at run time: list
// and map literals with mixed element types, and `?:` with branches of different types, are
// dyn-typed instead of errors; functions without a signature (the caller's, math.greatest) take
// anything and return dyn.
#include <string>
#include <utility>
#include <vector>

#include "expr/ast.h"
#include "expr/macros.h"
#include "expr/operators.h"
#include "expr/type_rules.h"

namespace slipway::expr {
namespace {

using Kind = Type::Kind;

const char* InternalName(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::kNot:
      return "!_";
    case Node::Kind::kNegate:
      return "-_";
    case Node::Kind::kAnd:
      return "_&&_";
    case Node::Kind::kOr:
      return "_||_";
    case Node::Kind::kEqual:
      return "_==_";
    case Node::Kind::kNotEqual:
      return "_!=_";
    case Node::Kind::kLess:
      return "_<_";
    case Node::Kind::kLessEqual:
      return "_<=_";
    case Node::Kind::kGreater:
      return "_>_";
    case Node::Kind::kGreaterEqual:
      return "_>=_";
    case Node::Kind::kIn:
      return "@in";
    case Node::Kind::kAdd:
      return "_+_";
    case Node::Kind::kSubtract:
      return "_-_";
    case Node::Kind::kMultiply:
      return "_*_";
    case Node::Kind::kDivide:
      return "_/_";
    case Node::Kind::kModulo:
      return "_%_";
    case Node::Kind::kIndex:
      return "_[_]";
    default:
      return "";
  }
}

std::string TypeList(const std::vector<Type>& types) {
  std::string text;
  for (const Type& type : types) text += (text.empty() ? "" : ", ") + type.ToString();
  return "(" + text + ")";
}

bool IsMapLike(const Type& type) { return IsUnknown(type) || type.kind() == Kind::kMap; }

class TypeChecker {
 public:
  explicit TypeChecker(const Scope& scope) : scope_(scope) {}

  std::variant<Type, Error> Run(const Node& root) {
    Type type = Walk(root);
    if (error_) return *error_;
    return Substitute(type, {});  // what is left of empty literals' elements is dyn
  }

 private:
  Type Walk(const Node& node) {
    switch (node.kind()) {
      case Node::Kind::kLiteral:
        return Type::OfValue(node.literal());
      case Node::Kind::kIdent:
        return Ident(node);
      case Node::Kind::kSelect:
        return Select(node);
      case Node::Kind::kCall:
        return Call(node);
      case Node::Kind::kMethod:
        return Method(node);
      case Node::Kind::kConditional:
        return Conditional(node);
      case Node::Kind::kList:
        return Type::List(Common(node.children(), 0, 1));
      case Node::Kind::kMap:
        return MapLiteral(node);
      case Node::Kind::kMessage:
        return Fail(node.column(), "unsupported: message types ('" + node.name() + "{…}')");
      case Node::Kind::kHas:
        return Has(node);
      case Node::Kind::kComprehension:
        return Comprehension(node);
      case Node::Kind::kBind:
        return Bind(node);
      default:  // the operators, and index
        return Operator(node);
    }
  }

  Type Fail(int column, std::string message) {
    if (!error_) error_ = Error{column, std::move(message)};
    return Type();
  }

  // The overloads of `function` that take `args`: the result when they agree, dyn otherwise.
  Type Apply(std::string_view function, bool receiver, const std::vector<Type>& args, int column,
             std::string_view spelling) {
    const std::vector<Overload>* overloads = FindOverloads(function, receiver);
    if (overloads == nullptr) return Type();
    std::optional<Type> result;
    bool matched = false;
    for (const Overload& overload : *overloads) {
      if (overload.params.size() != args.size()) continue;
      Bindings bindings;
      bool fits = true;
      for (size_t i = 0; fits && i < args.size(); ++i) {
        fits = Assignable(overload.params[i], args[i], bindings);
      }
      if (!fits) continue;
      Type type = Substitute(overload.result, bindings);
      if (!matched) {
        result = std::move(type);
      } else if (result && !(*result == type)) {
        result = std::nullopt;  // several results: dyn
      }
      matched = true;
    }
    if (!matched) {
      return Fail(column, "found no matching overload for '" + std::string(spelling) +
                              "' applied to " + TypeList(args));
    }
    return result.value_or(Type());
  }

  Type Operator(const Node& node) {
    std::vector<Type> args;
    for (const auto& child : node.children()) args.push_back(Walk(*child));
    const char* spelling = node.kind() == Node::Kind::kIndex ? "[]" : OperatorSpelling(node.kind());
    return Apply(InternalName(node.kind()), false, args, node.column(), spelling);
  }

  const Type* FindLocal(std::string_view name) const {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
      if (it->first == name) return &it->second;
    }
    return nullptr;
  }

  const Type* FindVariable(std::string_view name) const {
    const auto it = scope_.variables.find(name);
    return it == scope_.variables.end() ? nullptr : &it->second;
  }

  Type Ident(const Node& node) {
    if (const Type* local = FindLocal(node.name())) return *local;
    if (const Type* variable = FindVariable(node.name())) return *variable;
    if (IsTypeName(node.name())) return Type::TypeOf(NamedType(node.name()));
    return Type();
  }

  // `a.b.c` is first looked up whole, then `a.b` with `.c` selected, …, as CEL resolves
  // qualified names; a macro variable `a` hides all of them.
  Type Select(const Node& node) {
    if (IsQualifiedName(node)) {
      std::vector<const Node*> chain;
      for (const Node* n = &node; n->kind() == Node::Kind::kSelect; n = n->children()[0].get()) {
        chain.push_back(n);
      }
      const Node& root = *chain.back()->children()[0];
      if (FindLocal(root.name()) == nullptr) {
        for (size_t i = 0; i < chain.size(); ++i) {  // chain[0] is the longest name
          const std::string name = QualifiedName(*chain[i]);
          const Type* variable = FindVariable(name);
          if (variable == nullptr && IsTypeName(name)) return Type::TypeOf(NamedType(name));
          if (variable == nullptr) continue;
          Type type = *variable;
          for (size_t j = i; j-- > 0;) type = Field(type, *chain[j]);  // the selections after it
          return type;
        }
      }
    }
    return Field(Walk(*node.children()[0]), node);
  }

  Type Field(const Type& operand, const Node& select) {
    if (IsUnknown(operand)) return Type();
    if (operand.kind() == Kind::kMap &&
        (IsUnknown(operand.key()) || operand.key().kind() == Kind::kString)) {
      return operand.value();
    }
    return Fail(select.column(), "cannot select field '" + select.name() +
                                     "' from a value of type " + operand.ToString());
  }

  Type Has(const Node& node) {
    const Type operand = Walk(*node.children()[0]->children()[0]);
    if (!IsMapLike(operand)) {
      return Fail(node.column(), "has() does not apply to a value of type " + operand.ToString() +
                                     " (only to maps)");
    }
    return Type::Of(Kind::kBool);
  }

  std::vector<Type> Arguments(const Node& node, size_t first) {
    std::vector<Type> args;
    for (size_t i = first; i < node.children().size(); ++i) {
      args.push_back(Walk(*node.children()[i]));
    }
    return args;
  }

  // The caller's functions return dyn; `dyn(x)` is dyn whatever x is.
  Type Call(const Node& node) {
    std::vector<Type> args = Arguments(node, 0);
    if (scope_.functions.contains(node.name())) return Type();
    return Apply(node.name(), false, args, node.column(), node.name());
  }

  // `x.f(…)`: a receiver-style call, or a namespaced global one (`math.abs(x)`) when `x` is a
  // qualified name that is no variable and the dotted name is a function.
  Type Method(const Node& node) {
    const Node& target = *node.children()[0];
    if (IsQualifiedName(target)) {
      const std::string qualified = QualifiedName(target) + "." + node.name();
      std::string root = qualified.substr(0, qualified.find('.'));
      const bool names_variable = FindLocal(root) != nullptr || FindVariable(root) != nullptr;
      if (!names_variable && scope_.functions.contains(qualified)) {
        Arguments(node, 1);
        return Type();
      }
      if (!names_variable && FindStandardFunction(qualified, false) != nullptr) {
        return Apply(qualified, false, Arguments(node, 1), node.column(), qualified);
      }
    }
    std::vector<Type> args = Arguments(node, 0);
    return Apply(node.name(), true, args, node.column(), node.name());
  }

  Type Conditional(const Node& node) {
    Require(Type::Of(Kind::kBool), Walk(*node.children()[0]), node.column(),
            "the condition of '?:'");
    const Type then = Walk(*node.children()[1]);
    const Type other = Walk(*node.children()[2]);
    return Join(then, other).value_or(Type());
  }

  void Require(const Type& expected, const Type& got, int column, std::string_view what) {
    Bindings bindings;
    if (!Assignable(expected, got, bindings)) {
      Fail(column,
           std::string(what) + " must be " + expected.ToString() + ", not " + got.ToString());
    }
  }

  // The common type of children first, first + step, …: dyn when they differ, EmptyElement()
  // when there are none.
  Type Common(const std::vector<std::unique_ptr<Node>>& children, size_t first, size_t step) {
    std::optional<Type> common;
    bool mixed = false;
    for (size_t i = first; i < children.size(); i += step) {
      const Type type = Walk(*children[i]);
      if (!common) {
        common = type;
      } else if (auto joined = Join(*common, type)) {
        common = *joined;
      } else {
        mixed = true;
      }
    }
    return mixed ? Type() : common.value_or(EmptyElement());
  }

  Type MapLiteral(const Node& node) {
    const Type key = Common(node.children(), 0, 2);
    switch (key.kind()) {
      case Kind::kDyn:
      case Kind::kParam:
      case Kind::kBool:
      case Kind::kInt:
      case Kind::kUint:
      case Kind::kString:
        break;
      default:
        return Fail(node.column(),
                    "a map key must be a bool, int, uint or string, not " + key.ToString());
    }
    return Type::Map(key, Common(node.children(), 1, 2));
  }

  Type Bind(const Node& node) {
    Type init = Walk(*node.children()[0]);
    locals_.emplace_back(node.names()[0], std::move(init));
    Type body = Walk(*node.children()[1]);
    locals_.pop_back();
    return body;
  }

  // A comprehension's variables: over a list its elements (with two variables index and
  // element), over a map its keys (key and value).
  std::optional<std::pair<Type, Type>> RangeVariables(const Type& range) {
    if (IsUnknown(range)) return std::pair{Type(), Type()};
    if (range.kind() == Kind::kList) return std::pair{Type::Of(Kind::kInt), range.element()};
    if (range.kind() == Kind::kMap) return std::pair{range.key(), range.value()};
    return std::nullopt;
  }

  Type Comprehension(const Node& node) {
    const std::string& macro = node.name();
    const Type range = Walk(*node.children()[0]);
    const auto variables = RangeVariables(range);
    if (!variables) {
      return Fail(node.column(), macro + "() cannot range over a value of type " +
                                     range.ToString() + " (only over lists and maps)");
    }
    const bool two = node.names().size() == 2;
    const Type first = two || range.kind() != Kind::kList ? variables->first : variables->second;
    locals_.emplace_back(node.names()[0], first);
    if (two) locals_.emplace_back(node.names()[1], variables->second);
    const size_t count = node.children().size();
    // all/exists/exists_one/filter have a predicate; the rest a transform and maybe a filter.
    const bool predicate_only =
        macro == "all" || macro == "exists" || macro == "exists_one" || macro == "filter";
    const bool has_filter = predicate_only || count == 3;
    if (has_filter) {
      const Node& predicate = *node.children()[1];
      Require(Type::Of(Kind::kBool), Walk(predicate), predicate.column(),
              "the predicate of " + macro + "()");
    }
    const Type transform = predicate_only ? Type() : Walk(*node.children()[count - 1]);
    locals_.resize(locals_.size() - (two ? 2 : 1));
    if (macro == "filter") return Type::List(first);
    if (predicate_only) return Type::Of(Kind::kBool);
    if (macro == "transformMap") return Type::Map(first, transform);
    if (macro == "transformMapEntry") {
      if (!IsMapLike(transform)) {
        return Fail(node.column(),
                    "transformMapEntry() expects a map, got " + transform.ToString());
      }
      return IsUnknown(transform) ? Type::Map(Type(), Type()) : transform;
    }
    return Type::List(transform);  // map, transformList
  }

  const Scope& scope_;
  std::vector<std::pair<std::string, Type>> locals_;
  std::optional<Error> error_;
};

}  // namespace

std::variant<Type, Error> DeduceType(const Node& root, const Scope& scope) {
  return TypeChecker(scope).Run(root);
}

}  // namespace slipway::expr
