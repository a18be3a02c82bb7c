// The analyzer of a deploy's analysis steps: `analysis: {}` is the health analysis; a named
// template of the pipeline's `analysis-templates:` runs through verify::RunAnalysis, its
// record kept under the environment's analyses/ as it goes. The analyzer may be called from
// several threads at once (a background analysis beside the steps' ones). Internal to
// src/deploy.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "deploy/deploy.h"
#include "spec/spec.h"
#include "verify/verify.h"

namespace slipway::deploy {

struct TemplateAnalyzerOptions {
  const spec::Pipeline* pipeline = nullptr;  // its analysis templates; required
  std::string project, environment;
  int64_t deploy_id = 0;
  std::filesystem::path analyses_dir;  // <environment dir>/analyses
  Target* target = nullptr;            // the canary's instances must stay ready
  Analyzer health;                     // for `analysis: {}`
  std::optional<ProxyAdmin> proxy;     // the environment's built-in proxy, when it has one
  // A line per analysis into the job's log; called from the rollout's thread and from a
  // background analysis' thread, so it must be thread-safe.
  std::function<void(const std::string&)> log;
  // Makes each metric's provider; unset = verify::MakeProvider with the environment's proxy
  // (tests pass fakes).
  verify::ProviderFactory providers;
};

Analyzer MakeTemplateAnalyzer(TemplateAnalyzerOptions options);

// The analysis records of an environment (oldest first), and one by id.
Result<std::vector<verify::AnalysisRecord>> ReadAnalyses(const std::filesystem::path& dir);
Result<verify::AnalysisRecord> ReadAnalysis(const std::filesystem::path& dir,
                                            const std::string& id);

}  // namespace slipway::deploy
