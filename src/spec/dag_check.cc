// CheckNeeds: every `needs` entry names another job, and the jobs form a DAG. A cycle is
// reported once per strongly connected component, as the shortest cycle through its
// earliest job, at that job's `needs` entry that starts the cycle.
#include <algorithm>
#include <map>

#include "spec/graph_cycles.h"
#include "spec/loader.h"
#include "util/hints.h"

namespace slipway::spec::internal {

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

  for (const std::vector<size_t>& cycle : FindCycles(graph)) {  // the earliest job first
    const size_t i = cycle.front();
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
