// From the environment file's model (spec/) to the deploy module's options. Internal.
#pragma once

#include <filesystem>

#include "deploy/deploy.h"
#include "spec/spec.h"

namespace slipway::deploy {

StrategyPlan PlanFor(const spec::StrategySpec& strategy);
std::string StrategyName(const StrategyPlan& plan);

// The target the environment declares, with its state under `dir`.
Result<std::unique_ptr<Target>> MakeTargetFor(const spec::Environment& environment,
                                              const std::filesystem::path& dir);

// The environment's declared instance count (1 for exec targets, which decide themselves).
int InstancesFor(const spec::Environment& environment);

}  // namespace slipway::deploy
