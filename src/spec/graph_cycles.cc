// FindCycles: Tarjan's strongly connected components, then a breadth-first shortest cycle in each.
#include "spec/graph_cycles.h"

#include <algorithm>
#include <deque>
#include <map>

namespace slipway::spec::internal {
namespace {

// Tarjan's algorithm, iterative (a long chain of nodes must not overflow the stack); returns
// the component id of every node.
std::vector<size_t> Components(const Graph& graph, size_t* component_count) {
  const size_t n = graph.size();
  constexpr size_t kUnvisited = static_cast<size_t>(-1);
  std::vector<size_t> order(n, kUnvisited), low(n, 0), component(n, kUnvisited), stack;
  std::vector<bool> on_stack(n, false);
  size_t counter = 0, components = 0;
  std::vector<std::pair<size_t, size_t>> frames;  // node, next edge to look at
  for (size_t root = 0; root < n; ++root) {
    if (order[root] != kUnvisited) continue;
    frames.emplace_back(root, 0);
    order[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!frames.empty()) {
      auto& [v, edge] = frames.back();
      if (edge < graph[v].size()) {
        const size_t w = graph[v][edge++];
        if (order[w] == kUnvisited) {
          order[w] = low[w] = counter++;
          stack.push_back(w);
          on_stack[w] = true;
          frames.emplace_back(w, 0);  // invalidates v/edge; the loop re-reads them
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], order[w]);
        }
        continue;
      }
      const size_t done = v;
      frames.pop_back();
      if (!frames.empty()) {
        const size_t parent = frames.back().first;
        low[parent] = std::min(low[parent], low[done]);
      }
      if (low[done] == order[done]) {
        size_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component[w] = components;
        } while (w != done);
        ++components;
      }
    }
  }
  *component_count = components;
  return component;
}

// Shortest cycle from `start` back to itself inside its component (breadth-first).
std::vector<size_t> ShortestCycle(const Graph& graph, const std::vector<size_t>& component,
                                  size_t start) {
  std::map<size_t, size_t> parent;
  std::deque<size_t> queue = {start};
  while (!queue.empty()) {
    const size_t v = queue.front();
    queue.pop_front();
    for (size_t w : graph[v]) {
      if (component[w] != component[start]) continue;
      if (w == start) {
        std::vector<size_t> path = {start};
        for (size_t at = v; at != start; at = parent[at]) path.insert(path.begin() + 1, at);
        path.push_back(start);
        return path;
      }
      if (parent.emplace(w, v).second) queue.push_back(w);
    }
  }
  return {};
}

}  // namespace

std::vector<std::vector<size_t>> FindCycles(const Graph& graph) {
  size_t component_count = 0;
  const std::vector<size_t> component = Components(graph, &component_count);
  std::vector<bool> reported(component_count, false);
  std::vector<std::vector<size_t>> cycles;
  for (size_t i = 0; i < graph.size(); ++i) {
    if (reported[component[i]]) continue;
    std::vector<size_t> cycle = ShortestCycle(graph, component, i);
    if (cycle.empty()) continue;
    reported[component[i]] = true;
    cycles.push_back(std::move(cycle));
  }
  return cycles;
}

}  // namespace slipway::spec::internal
