#include "expr/uses.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "expr/macros.h"
#include "expr/operators.h"

namespace slipway::expr {
namespace {

class Collector {
 public:
  // Pre-order, children left to right: source order of the uses, except that a method's
  // receiver comes before its name.
  void Collect(const Node& node) {
    int column = 0;
    if (auto path = ReferencePath(node, column)) {
      if (!IsTypeName(JoinPath(*path))) {
        uses_.push_back(Use{Use::Kind::kReference, std::move(*path), "", 0, column});
      }
      return;
    }
    const auto& children = node.children();
    switch (node.kind()) {
      case Node::Kind::kCall:
        uses_.push_back(Use{
            Use::Kind::kCall, {}, node.name(), static_cast<int>(children.size()), node.column()});
        break;
      case Node::Kind::kMethod:
        if (IsNamespacedFunction(node)) {
          uses_.push_back(Use{Use::Kind::kCall,
                              {},
                              QualifiedName(*children[0]) + "." + node.name(),
                              static_cast<int>(children.size() - 1),
                              node.column()});
          for (size_t i = 1; i < children.size(); ++i) Collect(*children[i]);
          return;
        }
        uses_.push_back(Use{Use::Kind::kMethod,
                            {},
                            node.name(),
                            static_cast<int>(children.size() - 1),
                            node.column()});
        break;
      case Node::Kind::kHas:
        Collect(*children[0]->children()[0]);
        return;
      case Node::Kind::kComprehension:
        Collect(*children[0]);
        bound_.insert(bound_.end(), node.names().begin(), node.names().end());
        for (size_t i = 1; i < children.size(); ++i) Collect(*children[i]);
        bound_.resize(bound_.size() - node.names().size());
        return;
      case Node::Kind::kBind:
        Collect(*children[0]);
        bound_.push_back(node.names()[0]);
        Collect(*children[1]);
        bound_.pop_back();
        return;
      default:
        break;
    }
    for (const auto& child : children) Collect(*child);
  }

  std::vector<Use> Take() { return std::move(uses_); }

 private:
  // The path `node` names, if it is a reference chain; its root identifier's column in `column`.
  std::optional<std::vector<std::string>> ReferencePath(const Node& node, int& column) const {
    switch (node.kind()) {
      case Node::Kind::kIdent:
        if (std::find(bound_.begin(), bound_.end(), node.name()) != bound_.end()) {
          return std::nullopt;
        }
        column = node.column();
        return std::vector<std::string>{node.name()};
      case Node::Kind::kSelect: {
        auto path = ReferencePath(*node.children()[0], column);
        if (path) path->push_back(node.name());
        return path;
      }
      case Node::Kind::kIndex: {
        const Node& index = *node.children()[1];
        if (index.kind() != Node::Kind::kLiteral || !index.literal().is_string()) {
          return std::nullopt;
        }
        auto path = ReferencePath(*node.children()[0], column);
        if (path) path->push_back(index.literal().as_string());
        return path;
      }
      default:
        return std::nullopt;
    }
  }

  // `math.greatest(…)`: a method on a qualified name whose dotted spelling is a standard
  // function, and whose root is not a macro variable.
  bool IsNamespacedFunction(const Node& node) const {
    const Node& target = *node.children()[0];
    if (!IsQualifiedName(target)) return false;
    const std::string qualified = QualifiedName(target);
    const std::string root = qualified.substr(0, qualified.find('.'));
    if (std::find(bound_.begin(), bound_.end(), root) != bound_.end()) return false;
    return FindStandardFunction(qualified + "." + node.name(), false) != nullptr;
  }

  static std::string JoinPath(const std::vector<std::string>& path) {
    std::string joined;
    for (const std::string& part : path) joined += (joined.empty() ? "" : ".") + part;
    return joined;
  }

  std::vector<Use> uses_;
  std::vector<std::string> bound_;  // variables of the enclosing macros and binds
};

}  // namespace

std::vector<Use> CollectUses(const Node& root) {
  Collector collector;
  collector.Collect(root);
  return collector.Take();
}

}  // namespace slipway::expr
