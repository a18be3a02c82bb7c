#include "deploy/environment_plan.h"

namespace slipway::deploy {

namespace {

HealthCheck CheckFor(const spec::HealthCheckSpec& spec) {
  HealthCheck check;
  if (!spec.http_path.empty()) {
    check.kind = HealthCheck::Kind::kHttp;
    check.http_path = spec.http_path;
  } else if (!spec.exec.empty()) {
    check.kind = HealthCheck::Kind::kExec;
    check.command = spec.exec;
  }
  check.interval = spec.interval;
  check.timeout = spec.timeout;
  check.failure_threshold = spec.failure_threshold;
  return check;
}

}  // namespace

StrategyPlan PlanFor(const spec::StrategySpec& strategy) {
  StrategyPlan plan;
  if (strategy.canary) {
    plan.kind = StrategyPlan::Kind::kCanary;
    for (const spec::CanaryStep& step : strategy.canary->steps) {
      CanaryStepPlan planned;
      planned.weight = step.weight;
      planned.pause = step.pause;
      planned.analysis = step.analysis;
      planned.analysis_args = step.analysis_args;
      switch (step.kind) {
        case spec::CanaryStep::Kind::kSetWeight:
          planned.kind = CanaryStepPlan::Kind::kSetWeight;
          break;
        case spec::CanaryStep::Kind::kPause:
          planned.kind = CanaryStepPlan::Kind::kPause;
          break;
        case spec::CanaryStep::Kind::kAnalysis:
          planned.kind = CanaryStepPlan::Kind::kAnalysis;
          break;
      }
      plan.steps.push_back(std::move(planned));
    }
    if (const auto& background = strategy.canary->analysis) {
      plan.background_analysis =
          StrategyPlan::BackgroundAnalysis{.template_name = background->template_name,
                                           .args = background->args,
                                           .start_after_step = background->start_after_step};
    }
  } else if (strategy.blue_green) {
    plan.kind = StrategyPlan::Kind::kBlueGreen;
    plan.pre_promotion_analysis = strategy.blue_green->pre_promotion_analysis;
    plan.pre_promotion_args = strategy.blue_green->pre_promotion_args;
    plan.scale_down_delay = strategy.blue_green->scale_down_delay;
    plan.auto_promote = strategy.blue_green->auto_promote;
  } else if (strategy.rolling) {
    plan.batch_size = strategy.rolling->batch_size;
    plan.max_unavailable = strategy.rolling->max_unavailable;
  }
  return plan;
}

std::string StrategyName(const StrategyPlan& plan) {
  switch (plan.kind) {
    case StrategyPlan::Kind::kCanary:
      return "canary";
    case StrategyPlan::Kind::kBlueGreen:
      return "blue-green";
    case StrategyPlan::Kind::kRolling:
      return "rolling";
  }
  return "unknown";
}

Result<std::unique_ptr<Target>> MakeTargetFor(const spec::Environment& environment,
                                              const std::filesystem::path& dir) {
  const spec::TargetSpec& target = environment.target;
  if (target.process) {
    const spec::ProcessTargetSpec& process = *target.process;
    ProcessTargetOptions options;
    options.state_dir = dir / "instances";
    options.command = process.command;
    options.working_directory = process.working_directory;
    options.env.assign(environment.variables.begin(), environment.variables.end());
    options.env.insert(options.env.end(), process.env.begin(), process.env.end());
    if (process.readiness) options.readiness = CheckFor(*process.readiness);
    if (process.liveness) options.liveness = CheckFor(*process.liveness);
    options.restart_backoff = process.restart_backoff;
    options.max_restarts = process.max_restarts;
    return MakeProcessTarget(std::move(options));
  }
  if (target.exec) {
    ExecTargetOptions options;
    options.state_dir = dir / "exec";
    options.apply = target.exec->apply;
    options.status = target.exec->status;
    options.remove = target.exec->remove;
    options.timeout = target.exec->timeout;
    options.environment = environment.name;
    options.env.assign(environment.variables.begin(), environment.variables.end());
    return MakeExecTarget(std::move(options));
  }
  return InvalidArgument("environment " + environment.name + " has no target");
}

int InstancesFor(const spec::Environment& environment) {
  return environment.target.process ? environment.target.process->instances : 1;
}

}  // namespace slipway::deploy
