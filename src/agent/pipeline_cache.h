// The pipelines an agent has run jobs of, parsed and expanded once. Private to the agent.
//
// A lease carries the run's whole pipeline file, and the agent needs one job of it; parsing and
// expanding the whole file for every job made the agent's share of a job grow with the
// pipeline (two parses of ~4,000 YAML lines per job for a 1,000-job pipeline, with the
// server's). Parsing depends only on the file's name and text, so entries are keyed by those
// (the text by its SHA-256): every run of the same pipeline shares one entry.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "spec/spec.h"

namespace slipway::agent {

// A parsed pipeline and its job instances. Immutable; `instances` point into `loaded`.
struct ParsedPipeline {
  spec::LoadResult loaded;
  std::vector<spec::JobInstance> instances;  // ExpandPipeline; empty when it does not load

  // The instance with id `instance_id`; null when there is none.
  const spec::JobInstance* Find(const std::string& instance_id) const;
};

// Bounded: at most `capacity` pipelines, the least recently used dropped first. Thread-safe;
// an entry handed out stays valid while it is held, even when the cache drops it.
class PipelineCache {
 public:
  explicit PipelineCache(size_t capacity = 8);
  ~PipelineCache();
  PipelineCache(const PipelineCache&) = delete;
  PipelineCache& operator=(const PipelineCache&) = delete;

  // `yaml` parsed as the pipeline `file`: from the cache, or parsed, expanded and cached.
  // A pipeline that does not load is cached too (its diagnostics do not change either).
  std::shared_ptr<const ParsedPipeline> Get(const std::string& file, const std::string& yaml);

  size_t size() const;
  uint64_t parses() const;  // how many Get calls had to parse (for tests)

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace slipway::agent
