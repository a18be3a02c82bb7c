// Where `slipway env` and `slipway rollback` find environments: the server's API, or (with
// --local) the environments `slipway run` deployed on this machine. Both answer with the
// same JSON (deploy::EnvironmentStatusJson, DeployRecordsJson), so printing is shared.
// Private to cli/.
#pragma once

#include <memory>
#include <string>

#include "cli/client.h"

namespace slipway::cli {

class EnvironmentsBackend {
 public:
  virtual ~EnvironmentsBackend() = default;
  virtual Result<Json> List(const std::string& project) = 0;  // [{"project","environment"}]
  virtual Result<Json> Describe(const std::string& project, const std::string& environment) = 0;
  virtual Result<Json> History(const std::string& project, const std::string& environment) = 0;
  // Analysis runs: the list (without measurements) and one with every measurement.
  virtual Result<Json> Analyses(const std::string& project, const std::string& environment) = 0;
  virtual Result<Json> Analysis(const std::string& project, const std::string& environment,
                                const std::string& id) = 0;
  virtual Status Rollback(const std::string& project, const std::string& environment,
                          const std::string& reason) = 0;
  virtual Status Approve(const std::string& project, const std::string& environment) = 0;
  virtual Status Destroy(const std::string& project, const std::string& environment) = 0;
  // Local only: one reconciler pass; the drift found.
  virtual Result<Json> Reconcile() = 0;

  // Release gates (docs/policy.md). The gate decision of one deploy: {"decision",
  // "input_digest","exemption","result","input"} (the server adds "approvals" and more).
  virtual Result<Json> Gate(const std::string& project, const std::string& environment,
                            int64_t deploy) = 0;
  // Server only: reject the deploy waiting for approvals; exemptions (ask, list, approve).
  virtual Status Reject(const std::string& project, const std::string& environment,
                        const std::string& comment) = 0;
  virtual Result<Json> Exempt(const std::string& project, const std::string& environment,
                              const std::string& justification, const std::string& duration) = 0;
  virtual Result<Json> Exemptions(const std::string& project, const std::string& environment) = 0;
  virtual Result<Json> ApproveExemption(const std::string& project, const std::string& environment,
                                        int64_t id) = 0;
};

struct EnvFlags {
  ClientFlags client;
  bool local = false;
  std::string state_dir;  // --state-dir, with --local
  std::string project;    // --project; locally defaults to the current directory's name
};
void AddEnvFlags(FlagSet& set, EnvFlags* flags);

Result<std::unique_ptr<EnvironmentsBackend>> OpenEnvironments(EnvFlags& flags);

}  // namespace slipway::cli
