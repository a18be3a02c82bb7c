#include "expr/uses.h"

#include <optional>
#include <utility>

namespace slipway::expr {
namespace {

// The path `node` names, if it is a reference chain; its root identifier's column in `column`.
std::optional<std::vector<std::string>> ReferencePath(const Node& node, int& column) {
  switch (node.kind()) {
    case Node::Kind::kIdent:
      column = node.column();
      return std::vector<std::string>{node.name()};
    case Node::Kind::kSelect: {
      auto path = ReferencePath(*node.children()[0], column);
      if (path) path->push_back(node.name());
      return path;
    }
    case Node::Kind::kIndex: {
      const Node& index = *node.children()[1];
      if (index.kind() != Node::Kind::kLiteral || !index.literal().is_string()) return std::nullopt;
      auto path = ReferencePath(*node.children()[0], column);
      if (path) path->push_back(index.literal().as_string());
      return path;
    }
    default:
      return std::nullopt;
  }
}

// Pre-order, children left to right: for this grammar that is source order of the uses.
void Collect(const Node& node, std::vector<Use>& uses) {
  int column = 0;
  if (auto path = ReferencePath(node, column)) {
    uses.push_back(Use{Use::Kind::kReference, std::move(*path), "", 0, column});
    return;
  }
  if (node.kind() == Node::Kind::kCall) {
    uses.push_back(Use{Use::Kind::kCall,
                       {},
                       node.name(),
                       static_cast<int>(node.children().size()),
                       node.column()});
  }
  for (const auto& child : node.children()) Collect(*child, uses);
}

}  // namespace

std::vector<Use> CollectUses(const Node& root) {
  std::vector<Use> uses;
  Collect(root, uses);
  return uses;
}

}  // namespace slipway::expr
