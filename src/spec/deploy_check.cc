// The checks that need every environment: `promote-from` names an environment and forms no
// cycle, no two environments claim the same router address, and every deploy job deploys to an
// environment that can run its strategy.
#include <algorithm>
#include <map>

#include "spec/graph_cycles.h"
#include "spec/loader.h"
#include "util/hints.h"

namespace slipway::spec::internal {
namespace {

// Whether `name` is a key under `environments:`. For a name missing from the model, that means
// the environment failed to load: it is reported already, a reference to it is not.
bool IsDeclared(const LoadContext& context, std::string_view name) {
  const auto& names = context.environment_names;
  return std::find(names.begin(), names.end(), name) != names.end();
}

void CheckPromoteFrom(LoadContext& context, const Pipeline& pipeline) {
  std::map<std::string_view, size_t> index;
  for (size_t i = 0; i < pipeline.environments.size(); ++i) {
    index.emplace(pipeline.environments[i].name, i);
  }
  Graph graph(pipeline.environments.size());
  for (size_t i = 0; i < pipeline.environments.size(); ++i) {
    const Environment& environment = pipeline.environments[i];
    const std::vector<SourcePos>& positions = context.promote_from_positions[environment.name];
    for (size_t k = 0; k < environment.promote_from.size(); ++k) {
      const std::string& source = environment.promote_from[k];
      const SourcePos pos = k < positions.size() ? positions[k] : environment.pos;
      const std::string what = "environment '" + environment.name + "'";
      if (source == environment.name) {
        context.reader->Error(pos, what + " promotes from itself");
        continue;
      }
      if (auto it = index.find(source); it != index.end()) {
        graph[i].push_back(it->second);
        continue;
      }
      if (IsDeclared(context, source)) continue;
      std::vector<std::string> others;
      for (const std::string& name : context.environment_names) {
        if (name != environment.name) others.push_back(name);
      }
      context.reader->Error(pos,
                            what + " promotes from '" + source + "', which is not an environment",
                            DidYouMean(source, others));
    }
  }
  for (const std::vector<size_t>& cycle : FindCycles(graph)) {
    std::string path;
    for (size_t v : cycle) path += (path.empty() ? "" : " -> ") + pipeline.environments[v].name;
    const Environment& first = pipeline.environments[cycle.front()];
    const auto& sources = first.promote_from;
    const size_t entry =
        std::find(sources.begin(), sources.end(), pipeline.environments[cycle[1]].name) -
        sources.begin();
    const std::vector<SourcePos>& positions = context.promote_from_positions[first.name];
    context.reader->Error(entry < positions.size() ? positions[entry] : first.pos,
                          "cycle in promote-from: " + path,
                          "a release reaches each environment from the ones before it");
  }
}

// "0.0.0.0:8080" and "127.0.0.1:8080" cannot both be bound: a wildcard host clashes with
// every host on its port.
bool SameListenAddress(std::string_view a, std::string_view b) {
  if (a == b) return true;
  const size_t a_colon = a.rfind(':'), b_colon = b.rfind(':');
  if (a.substr(a_colon) != b.substr(b_colon)) return false;
  auto wildcard = [](std::string_view host) { return host == "0.0.0.0" || host == "[::]"; };
  return wildcard(a.substr(0, a_colon)) || wildcard(b.substr(0, b_colon));
}

void CheckRouterClashes(LoadContext& context, const Pipeline& pipeline) {
  const auto& environments = pipeline.environments;
  for (size_t i = 0; i < environments.size(); ++i) {
    if (!environments[i].router) continue;
    const RouterSpec& router = *environments[i].router;
    for (size_t j = 0; j < i; ++j) {
      if (!environments[j].router) continue;
      const RouterSpec& earlier = *environments[j].router;
      const std::string what = "environment '" + environments[i].name + "'";
      const std::string other = "environment '" + environments[j].name + "'";
      if (router.proxy && earlier.proxy &&
          SameListenAddress(router.proxy->listen, earlier.proxy->listen)) {
        context.reader->Error(router.proxy->pos,
                              what + " listens on " + router.proxy->listen + ", as " + other +
                                  " does on " + earlier.proxy->listen,
                              "give each environment's proxy an address of its own");
        break;
      }
      if (router.haproxy && earlier.haproxy && router.haproxy->socket == earlier.haproxy->socket &&
          router.haproxy->backend == earlier.haproxy->backend) {
        context.reader->Error(router.haproxy->pos,
                              what + " drives haproxy backend '" + router.haproxy->backend +
                                  "' on " + router.haproxy->socket + ", as " + other + " does",
                              "give each environment a backend of its own");
        break;
      }
    }
  }
}

}  // namespace

void CheckEnvironments(LoadContext& context, const Pipeline& pipeline) {
  CheckPromoteFrom(context, pipeline);
  CheckRouterClashes(context, pipeline);
}

void CheckDeploys(LoadContext& context, const Pipeline& pipeline) {
  for (const Job& job : pipeline.jobs) {
    if (!job.deploy) continue;
    const DeploySpec& deploy = *job.deploy;
    if (!context.deploy_environment_positions.count(job.name)) continue;  // reported already
    const Environment* environment = pipeline.FindEnvironment(deploy.environment);
    if (!environment) {
      if (IsDeclared(context, deploy.environment)) continue;
      std::string hint = DidYouMean(deploy.environment, context.environment_names);
      if (hint.empty()) {
        hint = context.environment_names.empty()
                   ? "declare it under environments:"
                   : "environments are " + JoinAlternatives(context.environment_names);
      }
      context.reader->Error(context.deploy_environment_positions[job.name],
                            "job '" + job.name + "' deploys to '" + deploy.environment +
                                "', which is not an environment",
                            std::move(hint));
      continue;
    }
    const auto& broken = context.broken_environments;
    if (environment->router ||
        std::find(broken.begin(), broken.end(), environment->name) != broken.end()) {
      continue;  // a router that failed to load is reported where it is
    }
    const StrategySpec& strategy = deploy.strategy;
    if (!strategy.canary && !strategy.blue_green) continue;
    const std::string name = strategy.canary ? "canary" : "blue-green";
    context.reader->Error(strategy.canary ? strategy.canary->pos : strategy.blue_green->pos,
                          "a " + name + " deploy shifts traffic, and environment '" +
                              environment->name + "' has no router",
                          "add router: with proxy: or haproxy: to environment '" +
                              environment->name + "', or use rolling");
  }
}

}  // namespace slipway::spec::internal
