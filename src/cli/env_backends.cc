#include "cli/env_backends.h"

#include <unistd.h>

#include "cli/local_paths.h"
#include "deploy/deploy.h"

namespace slipway::cli {

namespace {

namespace fs = std::filesystem;

Result<Json> ParsedJson(const std::string& text) {
  Json json = Json::parse(text, nullptr, false);
  if (json.is_discarded()) return Internal("unreadable environment state");
  return json;
}

class LocalEnvironments : public EnvironmentsBackend {
 public:
  explicit LocalEnvironments(fs::path state_dir)
      : deployments_(deploy::DeploymentsOptions{.state_dir = std::move(state_dir),
                                                .slipway_binary = SelfPath(),
                                                .registry = nullptr,
                                                .keys = {},
                                                .health = {},
                                                .ready_timeout = std::chrono::minutes(2)}) {}

  Result<Json> List(const std::string& project) override {
    Json out = Json::array();
    for (const auto& [owner, environment] : deployments_.Environments()) {
      if (project.empty() || owner == project) {
        out.push_back({{"project", owner}, {"environment", environment}});
      }
    }
    return out;
  }
  Result<Json> Describe(const std::string& project, const std::string& environment) override {
    SLIPWAY_ASSIGN_OR_RETURN(deploy::EnvironmentStatus status,
                             deployments_.Describe(project, environment));
    return ParsedJson(deploy::EnvironmentStatusJson(status));
  }
  Result<Json> History(const std::string& project, const std::string& environment) override {
    SLIPWAY_ASSIGN_OR_RETURN(auto records, deployments_.History(project, environment));
    return ParsedJson(deploy::DeployRecordsJson(records));
  }
  Result<Json> Analyses(const std::string& project, const std::string& environment) override {
    SLIPWAY_ASSIGN_OR_RETURN(auto records, deployments_.Analyses(project, environment));
    return ParsedJson(verify::AnalysisSummariesJson(records));
  }
  Result<Json> Analysis(const std::string& project, const std::string& environment,
                        const std::string& id) override {
    SLIPWAY_ASSIGN_OR_RETURN(auto record, deployments_.Analysis(project, environment, id));
    return ParsedJson(verify::AnalysisRecordJson(record));
  }
  slipway::Status Rollback(const std::string& project, const std::string& environment,
                           const std::string& reason) override {
    return deployments_.Rollback(project, environment, reason);
  }
  slipway::Status Approve(const std::string& project, const std::string& environment) override {
    return deployments_.Approve(project, environment);
  }
  slipway::Status Destroy(const std::string& project, const std::string& environment) override {
    return deployments_.Destroy(project, environment);
  }
  Result<Json> Reconcile() override {
    Json out = Json::array();
    for (const deploy::DriftEvent& event : deployments_.Reconcile()) {
      out.push_back({{"project", event.project},
                     {"environment", event.environment},
                     {"kind", event.kind},
                     {"message", event.message},
                     {"healed", event.healed}});
    }
    return out;
  }

  Result<Json> Gate(const std::string& project, const std::string& environment,
                    int64_t deploy) override {
    SLIPWAY_ASSIGN_OR_RETURN(Json records, History(project, environment));
    for (const Json& record : records) {
      if (record.value("id", int64_t{0}) != deploy) continue;
      // The API's shape: the deploy step's decision, or the promote one when no policy gated
      // the start, and `promote`.
      const Json promote = record.value("promote_gate", Json(nullptr));
      Json gate = record.value("gate", Json(nullptr));
      if (!gate.is_object()) gate = promote;
      if (!gate.is_object()) break;
      gate["promote"] = promote;
      return gate;
    }
    return NotFound("deploy " + std::to_string(deploy) + " of " + environment +
                    " has no gate decision (no policy applied, or no such deploy)");
  }
  slipway::Status Reject(const std::string&, const std::string&, const std::string&) override {
    return ServerOnly("rejecting a deploy");
  }
  Result<Json> Exempt(const std::string&, const std::string&, const std::string&,
                      const std::string&) override {
    return ServerOnly("an exemption");
  }
  Result<Json> Exemptions(const std::string&, const std::string&) override {
    return ServerOnly("exemptions");
  }
  Result<Json> ApproveExemption(const std::string&, const std::string&, int64_t) override {
    return ServerOnly("an exemption");
  }

 private:
  // Approvals and exemptions are given by people the server knows (their tokens).
  static slipway::Status ServerOnly(const std::string& what) {
    return FailedPrecondition(what + " needs a server (who asks is known by their token); " +
                              "`slipway run` deploys have none");
  }
  static fs::path SelfPath() {
    std::error_code ec;
    return fs::read_symlink("/proc/self/exe", ec);
  }
  deploy::Deployments deployments_;
};

class ServerEnvironments : public EnvironmentsBackend {
 public:
  explicit ServerEnvironments(std::unique_ptr<Api> api) : api_(std::move(api)) {}

  Result<Json> List(const std::string& project) override { return api_->Get(Base(project)); }
  Result<Json> Describe(const std::string& project, const std::string& environment) override {
    return api_->Get(Base(project) + "/" + PathSegment(environment));
  }
  Result<Json> History(const std::string& project, const std::string& environment) override {
    return api_->Get(Base(project) + "/" + PathSegment(environment) + "/deploys");
  }
  Result<Json> Analyses(const std::string& project, const std::string& environment) override {
    return api_->Get(Base(project) + "/" + PathSegment(environment) + "/analyses");
  }
  Result<Json> Analysis(const std::string& project, const std::string& environment,
                        const std::string& id) override {
    return api_->Get(Base(project) + "/" + PathSegment(environment) + "/analyses/" +
                     PathSegment(id));
  }
  slipway::Status Rollback(const std::string& project, const std::string& environment,
                           const std::string& reason) override {
    return api_
        ->Post(Base(project) + "/" + PathSegment(environment) + "/rollback",
               Json{{"reason", reason}})
        .status();
  }
  slipway::Status Approve(const std::string& project, const std::string& environment) override {
    return api_->Post(Base(project) + "/" + PathSegment(environment) + "/approve", Json::object())
        .status();
  }
  slipway::Status Destroy(const std::string& project, const std::string& environment) override {
    return api_->Delete(Base(project) + "/" + PathSegment(environment)).status();
  }
  Result<Json> Reconcile() override {
    return FailedPrecondition("the server reconciles on its own; `reconcile` needs --local");
  }
  Result<Json> Gate(const std::string& project, const std::string& environment,
                    int64_t deploy) override {
    return api_->Get(Base(project) + "/" + PathSegment(environment) + "/deploys/" +
                     std::to_string(deploy) + "/gate");
  }
  slipway::Status Reject(const std::string& project, const std::string& environment,
                         const std::string& comment) override {
    return api_
        ->Post(Base(project) + "/" + PathSegment(environment) + "/reject",
               Json{{"comment", comment}})
        .status();
  }
  Result<Json> Exempt(const std::string& project, const std::string& environment,
                      const std::string& justification, const std::string& duration) override {
    return api_->Post(Base(project) + "/" + PathSegment(environment) + "/exemptions",
                      Json{{"justification", justification}, {"duration", duration}});
  }
  Result<Json> Exemptions(const std::string& project, const std::string& environment) override {
    return api_->Get(Base(project) + "/" + PathSegment(environment) + "/exemptions");
  }
  Result<Json> ApproveExemption(const std::string& project, const std::string& environment,
                                int64_t id) override {
    return api_->Post(Base(project) + "/" + PathSegment(environment) + "/exemptions/" +
                          std::to_string(id) + "/approve",
                      Json::object());
  }

 private:
  static std::string Base(const std::string& project) {
    return "/api/v1/projects/" + PathSegment(project) + "/environments";
  }
  std::unique_ptr<Api> api_;
};

// What `slipway run` names the project here: the git work tree's directory (else this one's).
std::string LocalProjectName() {
  std::error_code ec;
  const fs::path here = fs::current_path(ec);
  for (fs::path dir = here; !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / ".git", ec)) return dir.filename().string();
    if (dir == dir.root_path()) break;
  }
  return here.filename().string();
}

}  // namespace

void AddEnvFlags(FlagSet& set, EnvFlags* flags) {
  AddClientFlags(set, &flags->client);
  set.Bool("local", 0, &flags->local,
           "environments deployed by `slipway run` on this machine instead of a server's");
  set.String("state-dir", 0, &flags->state_dir, "DIR",
             "with --local: where they live (default: environments/ in $SLIPWAY_STATE_DIR, "
             "else in ~/.local/state/slipway)");
  set.String("project", 'p', &flags->project, "NAME",
             "the project (locally: default the name of the git work tree's directory, as "
             "`slipway run` names it)");
}

Result<std::unique_ptr<EnvironmentsBackend>> OpenEnvironments(EnvFlags& flags) {
  if (flags.local) {
    if (flags.project.empty()) flags.project = LocalProjectName();
    fs::path dir = flags.state_dir.empty() ? DefaultEnvironmentsDir() : fs::path(flags.state_dir);
    return std::unique_ptr<EnvironmentsBackend>(std::make_unique<LocalEnvironments>(dir));
  }
  if (!flags.state_dir.empty()) return InvalidArgument("--state-dir needs --local");
  if (flags.project.empty()) return InvalidArgument("--project is required (or use --local)");
  SLIPWAY_ASSIGN_OR_RETURN(auto api, Api::Connect(flags.client));
  return std::unique_ptr<EnvironmentsBackend>(std::make_unique<ServerEnvironments>(std::move(api)));
}

}  // namespace slipway::cli
