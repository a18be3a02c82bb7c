#include "expr/macros.h"

#include <string_view>
#include <utility>

namespace slipway::expr {
namespace {

using NodePtr = std::unique_ptr<Node>;

// The comprehension macros: how many variables and how many expressions after them each takes.
struct Macro {
  std::string_view name;
  size_t variables;
  size_t min_exprs;
  size_t max_exprs;
};
constexpr Macro kMacros[] = {
    {"all", 1, 1, 1},           {"exists", 1, 1, 1},       {"exists_one", 1, 1, 1},
    {"map", 1, 1, 2},           {"filter", 1, 1, 1},       {"all", 2, 1, 1},
    {"exists", 2, 1, 1},        {"existsOne", 2, 1, 1},    {"exists_one", 2, 1, 1},
    {"transformList", 2, 1, 2}, {"transformMap", 2, 1, 2}, {"transformMapEntry", 2, 1, 2},
};

const Macro* FindMacro(std::string_view name, size_t args) {
  for (const Macro& m : kMacros) {
    if (m.name == name && args >= m.variables + m.min_exprs && args <= m.variables + m.max_exprs &&
        (m.variables == 1 || args > 2)) {
      return &m;
    }
  }
  return nullptr;
}

std::nullptr_t Fail(std::optional<Error>& error, int column, std::string message) {
  if (!error) error = Error{column, std::move(message)};
  return nullptr;
}

// `cel.index(N)`, `cel.iterVar(I, J)`, `cel.accuVar(I, J)` (literal ints): their internal name.
std::optional<std::string> BlockName(const NodePtr& target, const std::string& function,
                                     const std::vector<NodePtr>& args) {
  if (target->kind() != Node::Kind::kIdent || target->name() != "cel") return std::nullopt;
  const size_t arity = function == "index"                                ? 1
                       : (function == "iterVar" || function == "accuVar") ? 2
                                                                          : 0;
  if (arity == 0 || args.size() != arity) return std::nullopt;
  std::string name = function == "index" ? "@index" : function == "iterVar" ? "@it" : "@ac";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i]->kind() != Node::Kind::kLiteral || !args[i]->literal().is_int()) {
      return std::nullopt;
    }
    name += (i == 0 && arity == 1 ? "" : ":") + std::to_string(args[i]->literal().as_int());
  }
  return name;
}

}  // namespace

NodePtr MakeCall(std::string function, std::vector<NodePtr> args, int column,
                 std::optional<Error>& error) {
  if (function == "has") {
    if (args.size() != 1 || args[0]->kind() != Node::Kind::kSelect) {
      return Fail(error, column, "has() expects one field selection, like has(a.b)");
    }
    std::string field = args[0]->name();
    return Node::Make(Node::Kind::kHas, column, std::move(field), std::move(args));
  }
  return Node::Call(std::move(function), std::move(args), column);
}

NodePtr MakeMethod(NodePtr target, std::string function, std::vector<NodePtr> args, int column,
                   std::optional<Error>& error) {
  if (auto name = BlockName(target, function, args)) return Node::Ident(std::move(*name), column);
  if (target->kind() == Node::Kind::kIdent && target->name() == "cel" && function == "block") {
    if (args.size() != 2 || args[0]->kind() != Node::Kind::kList) {
      return Fail(error, column, "cel.block() expects a list literal and an expression");
    }
    std::vector<NodePtr> bindings = Node::ReleaseChildren(std::move(args[0]));
    NodePtr body = std::move(args[1]);
    for (size_t i = bindings.size(); i-- > 0;) {
      std::vector<NodePtr> children;
      children.push_back(std::move(bindings[i]));
      children.push_back(std::move(body));
      body = Node::Make(Node::Kind::kBind, column, "block", std::move(children),
                        {"@index" + std::to_string(i)});
    }
    return body;
  }
  const Macro* macro = FindMacro(function, args.size());
  // `x.all(a, b, p)` has two variables when `b` is a name too; else it is `all(a, …)` misused.
  if (macro != nullptr && macro->variables == 2 && macro->name != "transformList" &&
      macro->name != "transformMap" && macro->name != "transformMapEntry" &&
      args[1]->kind() != Node::Kind::kIdent) {
    macro = nullptr;
  }
  const bool is_bind = function == "bind" && target->kind() == Node::Kind::kIdent &&
                       target->name() == "cel" && args.size() == 3;
  if (macro != nullptr || is_bind) {
    const size_t variables = is_bind ? 1 : macro->variables;
    std::vector<std::string> names;
    for (size_t i = 0; i < variables; ++i) {
      if (args[i]->kind() != Node::Kind::kIdent) {
        return Fail(
            error, args[i]->column(),
            "argument " + std::to_string(i + 1) + " of " + function + "() must be a simple name");
      }
      names.push_back(args[i]->name());
    }
    if (names.size() == 2 && names[0] == names[1]) {
      return Fail(error, args[1]->column(),
                  "the two variables of " + function + "() must have different names");
    }
    std::vector<NodePtr> children;
    if (!is_bind) children.push_back(std::move(target));
    for (size_t i = variables; i < args.size(); ++i) children.push_back(std::move(args[i]));
    return Node::Make(is_bind ? Node::Kind::kBind : Node::Kind::kComprehension, column,
                      function == "existsOne" ? "exists_one" : std::move(function),
                      std::move(children), std::move(names));
  }
  std::vector<NodePtr> children;
  children.push_back(std::move(target));
  for (NodePtr& arg : args) children.push_back(std::move(arg));
  return Node::Make(Node::Kind::kMethod, column, std::move(function), std::move(children));
}

bool IsQualifiedName(const Node& node) {
  if (node.kind() == Node::Kind::kIdent) return true;
  return node.kind() == Node::Kind::kSelect && IsQualifiedName(*node.children()[0]);
}

std::string QualifiedName(const Node& node) {
  if (node.kind() == Node::Kind::kIdent) return node.name();
  return QualifiedName(*node.children()[0]) + "." + node.name();
}

}  // namespace slipway::expr
