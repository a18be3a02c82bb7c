// CheckNeeds: every `needs` entry names another job, and the jobs form a DAG. A cycle is
// reported once per strongly connected component, as the shortest cycle through its
// earliest job, at that job's `needs` entry that starts the cycle.
#include <algorithm>
#include <deque>
#include <map>

#include "util/hints.h"
#include "spec/loader.h"

namespace slipway::spec::internal {
namespace {

using Graph = std::vector<std::vector<size_t>>;  // job index → indexes of the jobs it needs

// Tarjan's algorithm, iterative (a long chain of jobs must not overflow the stack); returns
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

void CheckNeeds(LoadContext& context, const Pipeline& pipeline) {
  std::map<std::string_view, size_t> index;
  for (size_t i = 0; i < pipeline.jobs.size(); ++i) index.emplace(pipeline.jobs[i].name, i);

  Graph graph(pipeline.jobs.size());
  for (size_t i = 0; i < pipeline.jobs.size(); ++i) {
    const Job& job = pipeline.jobs[i];
    const std::vector<SourcePos>& positions = context.needs_positions[job.name];
    for (size_t k = 0; k < job.needs.size(); ++k) {
      const std::string& target = job.needs[k];
      const SourcePos pos = k < positions.size() ? positions[k] : job.pos;
      if (target == job.name) {
        context.reader->Error(pos, "job '" + job.name + "' needs itself");
        continue;
      }
      if (auto it = index.find(target); it != index.end()) {
        graph[i].push_back(it->second);
        continue;
      }
      const auto& names = context.job_names;
      if (std::find(names.begin(), names.end(), target) != names.end()) continue;  // broken job
      std::vector<std::string> others;
      for (const std::string& name : names) {
        if (name != job.name) others.push_back(name);
      }
      context.reader->Error(pos,
                            "job '" + job.name + "' needs '" + target + "', which is not a job",
                            DidYouMean(target, others));
    }
  }

  size_t component_count = 0;
  const std::vector<size_t> component = Components(graph, &component_count);
  std::vector<bool> reported(component_count, false);
  for (size_t i = 0; i < graph.size(); ++i) {  // file order: the earliest job starts the path
    if (reported[component[i]]) continue;
    std::vector<size_t> cycle = ShortestCycle(graph, component, i);
    if (cycle.empty()) continue;
    reported[component[i]] = true;
    std::string path;
    for (size_t v : cycle) path += (path.empty() ? "" : " -> ") + pipeline.jobs[v].name;
    const Job& first = pipeline.jobs[i];
    const auto& needs = first.needs;
    const size_t entry =
        std::find(needs.begin(), needs.end(), pipeline.jobs[cycle[1]].name) - needs.begin();
    const std::vector<SourcePos>& positions = context.needs_positions[first.name];
    context.reader->Error(entry < positions.size() ? positions[entry] : first.pos,
                          "cycle in needs: " + path);
  }
}

}  // namespace slipway::spec::internal
