// The analyses deploy jobs ask for: each names a template of `analysis-templates:`, gives only
// arguments it declares and every argument without a default, and measures proxy telemetry
// only where the environment routes through the built-in proxy.
#include <algorithm>

#include "spec/loader.h"
#include "util/hints.h"

namespace slipway::spec::internal {
namespace {

void CheckUse(LoadContext& context, const Pipeline& pipeline, const Job& job,
              const std::string& name, const NamedValues& args, SourcePos pos) {
  if (name.empty()) return;  // the health checks
  const AnalysisTemplate* analysis = pipeline.FindAnalysisTemplate(name);
  const auto& names = context.analysis_template_names;
  if (!analysis) {
    if (std::find(names.begin(), names.end(), name) != names.end()) return;  // reported there
    std::string hint = DidYouMean(name, names);
    if (hint.empty()) {
      hint = names.empty() ? "declare it under analysis-templates:"
                           : "templates are " + JoinAlternatives(names);
    }
    context.reader->Error(
        pos, "job '" + job.name + "' uses analysis template '" + name + "', which is not declared",
        hint);
    return;
  }
  for (const auto& [arg, value] : args) {
    const bool declared = std::any_of(analysis->args.begin(), analysis->args.end(),
                                      [&](const auto& declared) { return declared.first == arg; });
    if (!declared) {
      context.reader->Error(pos, "analysis template '" + name + "' has no argument '" + arg + "'");
    }
  }
  for (const auto& [arg, default_value] : analysis->args) {
    const bool given = std::any_of(args.begin(), args.end(),
                                   [&](const auto& given) { return given.first == arg; });
    if (default_value.empty() && !given) {
      context.reader->Error(pos, "analysis template '" + name + "' needs argument '" + arg + "'",
                            "add args: {" + arg + ": VALUE}");
    }
  }
  const Environment* environment = pipeline.FindEnvironment(job.deploy->environment);
  if (!environment || !environment->router || environment->router->proxy) return;
  for (const AnalysisMetric& metric : analysis->metrics) {
    if (metric.provider.proxy) {
      context.reader->Error(pos,
                            "metric '" + metric.name + "' of analysis template '" + name +
                                "' reads the built-in proxy, and environment '" +
                                environment->name + "' routes through haproxy",
                            "measure it with prometheus, http or exec instead");
    }
  }
}

}  // namespace

void CheckAnalysisUses(LoadContext& context, const Pipeline& pipeline) {
  for (const Job& job : pipeline.jobs) {
    if (!job.deploy) continue;
    const StrategySpec& strategy = job.deploy->strategy;
    if (strategy.canary) {
      for (const CanaryStep& step : strategy.canary->steps) {
        if (step.kind != CanaryStep::Kind::kAnalysis) continue;
        CheckUse(context, pipeline, job, step.analysis, step.analysis_args, step.analysis_pos);
      }
      if (const auto& background = strategy.canary->analysis) {
        CheckUse(context, pipeline, job, background->template_name, background->args,
                 background->pos);
      }
    }
    if (strategy.blue_green) {
      const BlueGreenStrategy& blue_green = *strategy.blue_green;
      CheckUse(context, pipeline, job, blue_green.pre_promotion_analysis,
               blue_green.pre_promotion_args, blue_green.pre_promotion_pos);
    }
  }
}

}  // namespace slipway::spec::internal
