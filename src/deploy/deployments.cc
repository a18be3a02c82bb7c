// Deployments: environments this process deploys to, found again after restarts.
#include <fstream>

#include "deploy/deployments_impl.h"
#include "deploy/environment_plan.h"
#include "deploy/template_analyzer.h"
#include "util/fs.h"

namespace slipway::deploy {

namespace fs = std::filesystem;

Deployments::Deployments(DeploymentsOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.environments == nullptr) {
    impl_->file_ledger = MakeFileLedger(impl_->options.state_dir);
  }
  impl_->ledger = impl_->options.environments != nullptr ? impl_->options.environments
                                                         : impl_->file_ledger.get();
}

Deployments::~Deployments() = default;

namespace {

void CloseInterruptedDeploys(EnvironmentLedger& ledger, const std::string& project,
                             const std::string& environment) {
  Result<std::vector<DeployRecord>> records = ledger.Deploys(project, environment);
  if (!records.ok()) return;
  for (DeployRecord& record : records.value()) {
    if (record.outcome != "running") continue;
    record.outcome = "failed";
    record.reason = "interrupted: the slipway process deploying it stopped";
    record.finished = std::chrono::system_clock::now();
    (void)ledger.RecordDeploy(record);
  }
}

}  // namespace

Status NeverDeployed(const Status& lookup, const std::string& project,
                     const std::string& environment) {
  if (lookup.code() != StatusCode::kNotFound) return lookup;
  return NotFound("environment " + environment + " of project " + project +
                  " has never been deployed");
}

Status Deployments::Impl::Known(const std::string& project, const std::string& environment) {
  Status found = ledger->Load(project, environment).status();
  return found.ok() ? found : NeverDeployed(found, project, environment);
}

fs::path Deployments::Impl::DirOf(const std::string& project,
                                  const std::string& environment) const {
  return EnvironmentDir(options.state_dir, project, environment);
}

namespace {

Status BuildRouter(const DeploymentsOptions& options, Runtime& runtime) {
  runtime.router.reset();
  runtime.traffic = {};
  runtime.proxy_admin.reset();
  const std::optional<spec::RouterSpec>& router = runtime.environment->router;
  if (!router) return Status::Ok();
  if (router->proxy) {
    if (options.slipway_binary.empty()) {
      return FailedPrecondition("this deployer cannot start the built-in proxy");
    }
    Result<ProxyAdmin> admin = EnsureProxyProcess({.binary = options.slipway_binary,
                                                   .state_dir = runtime.dir / "proxy",
                                                   .listen = router->proxy->listen,
                                                   .sticky_cookie = router->proxy->sticky_cookie});
    if (!admin.ok()) return admin.status();
    runtime.router = MakeProxyRouter(admin.value());
    runtime.traffic = MakeProxyTrafficSource(admin.value());
    runtime.proxy_admin = admin.value();
    return Status::Ok();
  }
  if (router->haproxy) {
    HaproxyRouterOptions haproxy;
    haproxy.socket = router->haproxy->socket;
    haproxy.backend = router->haproxy->backend;
    haproxy.server_prefix = router->haproxy->server_prefix;
    haproxy.servers = router->haproxy->servers;
    haproxy.state_file = runtime.dir / "haproxy.json";
    SLIPWAY_ASSIGN_OR_RETURN(runtime.router, MakeHaproxyRouter(std::move(haproxy)));
  }
  return Status::Ok();
}

}  // namespace

Result<Runtime*> Deployments::Impl::Open(const std::string& project, const std::string& environment,
                                         const std::string& pipeline_file,
                                         const std::string& pipeline_yaml) {
  std::lock_guard lock(mutex);
  std::unique_ptr<Runtime>& slot = runtimes[{project, environment}];
  if (slot && slot->pipeline_yaml == pipeline_yaml && slot->target) return slot.get();
  auto runtime = std::make_unique<Runtime>();
  runtime->project = project;
  runtime->name = environment;
  runtime->dir = DirOf(project, environment);
  runtime->pipeline_yaml = pipeline_yaml;
  spec::LoadResult loaded = spec::ParsePipeline(pipeline_yaml, pipeline_file);
  if (!loaded.ok()) {
    return InvalidArgument("the pipeline declaring environment " + environment +
                           " does not load: " + loaded.diagnostics.front().ToString());
  }
  runtime->pipeline = std::move(*loaded.pipeline);
  runtime->environment = runtime->pipeline->FindEnvironment(environment);
  if (runtime->environment == nullptr) {
    return NotFound("environment " + environment + " is not declared in " + pipeline_file);
  }
  std::error_code ec;
  fs::create_directories(runtime->dir, ec);
  if (ec) return Internal("cannot create " + runtime->dir.string() + ": " + ec.message());
  // The old objects go first: a process target's supervisor must not run twice.
  if (slot) {
    runtime->owner = std::move(slot->owner);
    slot.reset();
  } else {
    runtime->owner = std::make_unique<EnvironmentLock>(runtime->dir, "owner.lock");
    if (!runtime->owner->locked()) {
      return FailedPrecondition("environment " + environment +
                                " is looked after by another slipway process (a server, a "
                                "`slipway run` deploying, or `slipway env reconcile --watch`)");
    }
    // No other process looks after it, so a deploy still "running" lost its process.
    CloseInterruptedDeploys(*ledger, project, environment);
  }
  SLIPWAY_ASSIGN_OR_RETURN(runtime->target, MakeTargetFor(*runtime->environment, runtime->dir));
  SLIPWAY_RETURN_IF_ERROR(BuildRouter(options, *runtime));
  slot = std::move(runtime);
  return slot.get();
}

Status Deployments::Impl::EnsureProxy(Runtime& runtime) {
  const std::optional<spec::RouterSpec>& router = runtime.environment->router;
  if (!router || !router->proxy) return Status::Ok();
  return EnsureProxyProcess({.binary = options.slipway_binary,
                             .state_dir = runtime.dir / "proxy",
                             .listen = router->proxy->listen,
                             .sticky_cookie = router->proxy->sticky_cookie})
      .status();
}

Result<Runtime*> Deployments::Impl::Adopt(const std::string& project,
                                          const std::string& environment) {
  {
    std::lock_guard lock(mutex);
    auto found = runtimes.find({project, environment});
    if (found != runtimes.end() && found->second) return found->second.get();
  }
  Result<DesiredState> desired = ledger->Load(project, environment);
  if (!desired.ok()) return NeverDeployed(desired.status(), project, environment);
  if (!fs::exists(DirOf(project, environment))) {
    return FailedPrecondition("environment " + environment + " of project " + project +
                              " was deployed from another host; what runs there is not here");
  }
  return Open(project, environment, desired->pipeline_file, desired->pipeline_yaml);
}

namespace {

// Another process's rollout is reached through a file in the environment's directory.
Status Signal(const fs::path& dir, const std::string& file, const std::string& text,
              const std::string& what) {
  if (!fs::exists(dir)) {
    return FailedPrecondition("cannot " + what + ": it was deployed from another host");
  }
  EnvironmentLock probe(dir);
  if (probe.locked()) return FailedPrecondition("no rollout is in progress to " + what);
  return WriteFileAtomic(dir / file, text);
}

}  // namespace

Status Deployments::Rollback(const std::string& project, const std::string& environment,
                             const std::string& reason) {
  {
    std::lock_guard lock(impl_->mutex);
    auto found = impl_->runtimes.find({project, environment});
    if (found != impl_->runtimes.end() && found->second && found->second->active) {
      return found->second->active->Abort(reason);
    }
  }
  SLIPWAY_RETURN_IF_ERROR(impl_->Known(project, environment));
  return Signal(impl_->DirOf(project, environment), "abort", reason, "roll back in " + environment);
}

Status Deployments::Approve(const std::string& project, const std::string& environment) {
  {
    std::lock_guard lock(impl_->mutex);
    auto found = impl_->runtimes.find({project, environment});
    if (found != impl_->runtimes.end() && found->second && found->second->active) {
      return found->second->active->Approve();
    }
  }
  SLIPWAY_RETURN_IF_ERROR(impl_->Known(project, environment));
  return Signal(impl_->DirOf(project, environment), "approve", "approved",
                "approve in " + environment);
}

std::optional<Deployments::PendingApproval> Deployments::AwaitingApproval(
    const std::string& project, const std::string& environment) {
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->runtimes.find({project, environment});
  if (found == impl_->runtimes.end() || !found->second || found->second->awaiting_approval == 0) {
    return std::nullopt;
  }
  return PendingApproval{found->second->awaiting_approval, found->second->awaiting_run_id};
}

Result<spec::ProtectionSpec> Deployments::Protection(const std::string& project,
                                                     const std::string& environment) {
  Result<DesiredState> desired = impl_->ledger->Load(project, environment);
  if (!desired.ok()) return NeverDeployed(desired.status(), project, environment);
  spec::LoadResult loaded = spec::ParsePipeline(desired->pipeline_yaml, desired->pipeline_file);
  if (!loaded.ok())
    return FailedPrecondition("the declaration of " + environment + " no longer loads");
  const spec::Environment* declared = loaded.pipeline->FindEnvironment(environment);
  if (declared == nullptr) return NotFound("environment " + environment + " is not declared");
  return declared->protection;
}

Result<std::vector<DeployRecord>> Deployments::History(const std::string& project,
                                                       const std::string& environment) {
  Result<std::vector<DeployRecord>> records = impl_->ledger->Deploys(project, environment);
  if (!records.ok()) return NeverDeployed(records.status(), project, environment);
  // The deploy running here is fresher in memory than in the ledger.
  std::lock_guard lock(impl_->mutex);
  auto found = impl_->runtimes.find({project, environment});
  if (found != impl_->runtimes.end() && found->second && found->second->active_record) {
    const DeployRecord& active = *found->second->active_record;
    auto same = std::find_if(records->begin(), records->end(),
                             [&](const DeployRecord& r) { return r.id == active.id; });
    if (same != records->end()) {
      *same = active;
    } else {
      records->push_back(active);
    }
  }
  return records;
}

Result<std::vector<verify::AnalysisRecord>> Deployments::Analyses(const std::string& project,
                                                                  const std::string& environment) {
  SLIPWAY_RETURN_IF_ERROR(impl_->Known(project, environment));
  return ReadAnalyses(impl_->DirOf(project, environment) / "analyses");
}

Result<verify::AnalysisRecord> Deployments::Analysis(const std::string& project,
                                                     const std::string& environment,
                                                     const std::string& id) {
  return ReadAnalysis(impl_->DirOf(project, environment) / "analyses", id);
}

Status Deployments::Destroy(const std::string& project, const std::string& environment) {
  SLIPWAY_ASSIGN_OR_RETURN(Runtime * runtime, impl_->Adopt(project, environment));
  EnvironmentLock lock(runtime->dir);
  if (!lock.locked()) return FailedPrecondition("a rollout of " + environment + " is running");
  for (const std::string& revision : runtime->target->Revisions()) {
    SLIPWAY_RETURN_IF_ERROR(runtime->target->Remove(revision));
  }
  SLIPWAY_RETURN_IF_ERROR(StopProxyProcess(runtime->dir / "proxy"));
  const fs::path dir = runtime->dir;
  {
    std::lock_guard guard(impl_->mutex);
    impl_->runtimes.erase({project, environment});  // joins the target's supervisor
  }
  SLIPWAY_RETURN_IF_ERROR(impl_->ledger->Forget(project, environment));
  return RemoveTree(dir);
}

std::vector<std::pair<std::string, std::string>> Deployments::Environments() {
  std::vector<std::pair<std::string, std::string>> found;
  Result<std::vector<DesiredState>> states = impl_->ledger->Environments();
  if (!states.ok()) return found;
  for (const DesiredState& state : states.value()) {
    found.emplace_back(state.project, state.environment);
  }
  return found;
}

Result<EnvironmentStatus> Deployments::Describe(const std::string& project,
                                                const std::string& environment) {
  Result<Runtime*> adopted = impl_->Adopt(project, environment);
  EnvironmentStatus status;
  status.project = project;
  status.environment = environment;
  if (!adopted.ok() && adopted.status().code() == StatusCode::kFailedPrecondition) {
    // Another process looks after it: say what is recorded, and that it is busy elsewhere.
    SLIPWAY_ASSIGN_OR_RETURN(DesiredState desired, impl_->ledger->Load(project, environment));
    if (desired.stable) {
      status.stable_digest = desired.stable->digest;
      status.stable = RevisionState{.id = desired.stable->id,
                                    .desired = desired.stable->instances,
                                    .running = 0,
                                    .ready = 0,
                                    .restarts = 0,
                                    .crash_looping = false,
                                    .endpoints = {},
                                    .message = adopted.status().message()};
    }
    status.rollout_elsewhere = true;
    return status;
  }
  if (!adopted.ok()) return adopted.status();
  Runtime* runtime = adopted.value();
  SLIPWAY_ASSIGN_OR_RETURN(DesiredState desired, impl_->ledger->Load(project, environment));
  if (desired.stable) {
    status.stable_digest = desired.stable->digest;
    Result<RevisionState> seen = runtime->target->Inspect(desired.stable->id);
    if (seen.ok()) status.stable = seen.value();
  }
  if (runtime->router) {
    Result<std::vector<Backend>> routes = runtime->router->Observe();
    if (routes.ok()) {
      status.routes = routes.value();
    } else {
      status.router_error = routes.status().message();
    }
    if (runtime->traffic) {
      for (const Backend& backend : status.routes) {
        if (auto sample = runtime->traffic(backend.revision)) {
          status.traffic.emplace_back(backend.revision, *sample);
        }
      }
    }
  }
  {
    std::lock_guard lock(impl_->mutex);
    status.active = runtime->active_record;
    status.recent_drift.assign(runtime->drift.begin(), runtime->drift.end());
  }
  if (!status.active) status.rollout_elsewhere = !EnvironmentLock(runtime->dir).locked();
  return status;
}

runner::DeployOutcome Deployments::Deploy(const runner::DeployRequest& request) {
  return impl_->RunDeploy(request);
}

}  // namespace slipway::deploy
