// What an agent's workers share from job to job. Private to the agent.
#pragma once

#include <filesystem>

#include "agent/mirrors.h"
#include "agent/pipeline_cache.h"
#include "agent/sources.h"
#include "agent/sweeper.h"

namespace slipway::agent {

struct Workbench {
  explicit Workbench(const std::filesystem::path& work_dir)
      : mirrors(work_dir), sources(work_dir / "sources", &mirrors, &sweeper) {}

  // Declared first, destroyed last: the others hand it directories until they are gone.
  Sweeper sweeper;
  RepositoryMirrors mirrors;  // bare mirrors of the repositories, fetched on demand
  SourceSnapshots sources;    // commits checked out once, copied into each workspace
  PipelineCache pipelines;    // pipelines parsed once for all their jobs
};

}  // namespace slipway::agent
