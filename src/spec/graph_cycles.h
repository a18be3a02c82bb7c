// Cycles in a small directed graph: shared by the `needs` DAG of jobs and the `promote-from`
// order of environments. Internal to src/spec.
#pragma once

#include <cstddef>
#include <vector>

namespace slipway::spec::internal {

// node index → indexes of the nodes it points to (a job → the jobs it needs).
using Graph = std::vector<std::vector<size_t>>;

// One cycle per strongly connected component that has one, in the order of each component's
// lowest node index: the shortest cycle through that node, as [start, …, start]. Self-loops
// are not reported (callers reject them on their own, with a clearer message).
// Iterative, so a long chain of nodes cannot overflow the stack.
std::vector<std::vector<size_t>> FindCycles(const Graph& graph);

}  // namespace slipway::spec::internal
