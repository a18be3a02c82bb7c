// Names: macro variables, the activation's variables (including dotted ones, found by CEL's
// longest-prefix rule), type names, and field selection on maps.
#include <string>
#include <string_view>
#include <vector>

#include "expr/evaluator.h"
#include "expr/macros.h"

namespace slipway::expr {
namespace {

using Result = Evaluator::Result;

// The identifier and selections of a qualified name, root first.
std::vector<const Node*> Chain(const Node& node) {
  std::vector<const Node*> chain;
  for (const Node* n = &node;; n = n->children()[0].get()) {
    chain.insert(chain.begin(), n);
    if (n->kind() == Node::Kind::kIdent) return chain;
  }
}

std::string Join(const std::vector<const Node*>& chain, size_t count) {
  std::string name = chain[0]->name();
  for (size_t i = 1; i < count; ++i) name += "." + chain[i]->name();
  return name;
}

}  // namespace

const Result* Evaluator::FindLocal(const std::string& name) const {
  for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

Result Evaluator::Ident(const Node& node) {
  if (const Result* local = FindLocal(node.name())) return *local;
  const auto it = activation_.variables.find(Value(node.name()));
  if (it != activation_.variables.end()) return it->second;
  if (IsTypeName(node.name())) return Value::Type(node.name());
  return Error{node.column(), "undeclared reference to '" + node.name() + "'"};
}

Result Evaluator::Select(const Node& node) {
  if (IsQualifiedName(node)) {
    if (auto resolved = ResolveQualified(node)) return std::move(*resolved);
  }
  Result operand = Eval(*node.children()[0]);
  if (std::holds_alternative<Error>(operand)) return operand;
  return SelectField(std::get<Value>(operand), node);
}

Result Evaluator::SelectField(const Value& value, const Node& node) {
  if (!value.is_map()) {
    return Error{node.column(), "cannot select field '" + node.name() + "' from a value of type " +
                                    std::string(value.type_name())};
  }
  const auto it = value.as_map().find(Value(node.name()));
  if (it == value.as_map().end()) {
    return Error{node.column(), "no such key: '" + node.name() + "'"};
  }
  return it->second;
}

std::optional<Result> Evaluator::ResolveQualified(const Node& node) {
  const std::vector<const Node*> chain = Chain(node);
  const bool maybe_type = chain[0]->name() == "google";
  if ((!has_dotted_names_ && !maybe_type) || FindLocal(chain[0]->name()) != nullptr) {
    return std::nullopt;
  }
  for (size_t count = chain.size(); count >= 2; --count) {
    const std::string name = Join(chain, count);
    const auto it = activation_.variables.find(Value(name));
    if (it != activation_.variables.end()) {
      Value value = it->second;
      for (size_t i = count; i < chain.size(); ++i) {
        Result field = SelectField(value, *chain[i]);
        if (std::holds_alternative<Error>(field)) return field;
        value = std::move(std::get<Value>(field));
      }
      return value;
    }
    if (count == chain.size() && IsTypeName(name) &&
        !activation_.variables.contains(Value(chain[0]->name()))) {
      return Value::Type(name);
    }
  }
  return std::nullopt;
}

bool Evaluator::NamesValue(const Node& node) const {
  const std::vector<const Node*> chain = Chain(node);
  if (FindLocal(chain[0]->name()) != nullptr) return true;
  for (size_t count = 1; count <= (has_dotted_names_ ? chain.size() : 1); ++count) {
    if (activation_.variables.contains(Value(Join(chain, count)))) return true;
  }
  return false;
}

}  // namespace slipway::expr
