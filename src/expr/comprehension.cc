// has(), the comprehension macros and cel.bind (see macros.h for what each means).
#include <optional>
#include <string>
#include <utility>

#include "expr/evaluator.h"

namespace slipway::expr {
namespace {

using Result = Evaluator::Result;
using Locals = std::vector<std::pair<std::string, Result>>;

// Binds local variables for the lifetime of the scope.
class LocalScope {
 public:
  explicit LocalScope(Locals& locals) : locals_(locals) {}
  void Bind(std::string name, Result value) {
    locals_.emplace_back(std::move(name), std::move(value));
    ++count_;
  }
  ~LocalScope() { locals_.resize(locals_.size() - count_); }
  LocalScope(const LocalScope&) = delete;
  LocalScope& operator=(const LocalScope&) = delete;

 private:
  Locals& locals_;
  size_t count_ = 0;
};

Error NotBool(const Node& node, const Value& value) {
  return Error{node.column(), "no such overload: " + node.name() +
                                  "() expects a bool predicate, got " +
                                  std::string(value.type_name())};
}

// What a comprehension iterates: (element) or (index, element) of a list, (key) or (key, value)
// of a map.
struct Item {
  Value first;
  Value second;
};

}  // namespace

// Whether the map has the key; a missing key is false, never an error.
Result Evaluator::Has(const Node& node) {
  Result operand = Eval(*node.children()[0]->children()[0]);
  if (std::holds_alternative<Error>(operand)) return operand;
  const Value& value = std::get<Value>(operand);
  if (!value.is_map()) {
    return Error{node.column(), "has() does not apply to a value of type " +
                                    std::string(value.type_name()) + " (only to maps)"};
  }
  return Value(value.as_map().contains(Value(node.name())));
}

Result Evaluator::Comprehension(const Node& node) {
  Result range_result = Eval(*node.children()[0]);
  if (std::holds_alternative<Error>(range_result)) return range_result;
  const Value& range = std::get<Value>(range_result);
  const bool two = node.names().size() == 2;
  std::vector<Item> items;
  if (range.is_list()) {
    int64_t index = 0;
    for (const Value& element : range.as_list()) {
      items.push_back(two ? Item{Value(index++), element} : Item{element, Value()});
    }
  } else if (range.is_map()) {
    for (const auto& [key, value] : range.as_map()) items.push_back(Item{key, value});
  } else {
    return Error{node.column(),
                 node.name() + "() expects a list or a map, got " + std::string(range.type_name())};
  }

  const std::string& macro = node.name();
  const auto& children = node.children();
  const bool quantifier = macro == "all" || macro == "exists";
  const bool absorbing = macro == "exists";  // the predicate value that decides all()/exists()
  // map(x, t) and the transforms without a filter have one expression, a transform.
  const bool filtered = macro == "filter" || macro == "exists_one" || children.size() == 3;
  std::optional<Error> deferred;  // all()/exists(): the first error, if nothing decides
  int64_t matches = 0;
  Value::List list;
  Value::Map map;
  for (const Item& item : items) {
    if (++iterations_ > kMaxIterations) {
      return Error{node.column(), "too many comprehension iterations (the limit is " +
                                      std::to_string(kMaxIterations) + ")"};
    }
    LocalScope scope(locals_);
    scope.Bind(node.names()[0], item.first);
    if (two) scope.Bind(node.names()[1], item.second);
    Result result = Eval(*children[1]);
    const Value* value = std::get_if<Value>(&result);
    if (quantifier) {
      if (value != nullptr && value->is_bool() && value->as_bool() == absorbing) {
        return Value(absorbing);
      }
      if (!deferred) {
        if (value == nullptr) {
          deferred = std::get<Error>(result);
        } else if (!value->is_bool()) {
          deferred = NotBool(node, *value);
        }
      }
      continue;
    }
    if (value == nullptr) return result;
    if (filtered) {
      if (!value->is_bool()) return NotBool(node, *value);
      if (!value->as_bool()) continue;
      if (macro == "exists_one") {
        ++matches;
        continue;
      }
      if (macro == "filter") {
        list.push_back(item.first);
        continue;
      }
      result = Eval(*children[2]);
      value = std::get_if<Value>(&result);
      if (value == nullptr) return result;
    }
    if (macro == "transformMap") {
      map.insert_or_assign(item.first, *value);
    } else if (macro == "transformMapEntry") {
      if (!value->is_map()) {
        return Error{node.column(),
                     "transformMapEntry() expects a map, got " + std::string(value->type_name())};
      }
      for (const auto& [key, entry] : value->as_map()) {
        if (!map.emplace(key, entry).second) {
          return Error{node.column(),
                       "insert failed: key " + key.ToTemplateString() + " already exists"};
        }
      }
    } else {
      list.push_back(*value);
    }
    if (list.size() > kMaxListSize || map.size() > kMaxListSize) {
      return Error{node.column(), node.name() + "() result too large (the limit is " +
                                      std::to_string(kMaxListSize) + " elements)"};
    }
  }
  if (quantifier) {
    if (deferred) return *deferred;
    return Value(!absorbing);
  }
  if (macro == "exists_one") return Value(matches == 1);
  if (macro == "transformMap" || macro == "transformMapEntry") return Value(std::move(map));
  return Value(std::move(list));
}

// The initializer is evaluated once, before the body; an error in it surfaces only where the
// body uses the variable.
Result Evaluator::Bind(const Node& node) {
  Result init = Eval(*node.children()[0]);
  LocalScope scope(locals_);
  scope.Bind(node.names()[0], std::move(init));
  return Eval(*node.children()[1]);
}

}  // namespace slipway::expr
