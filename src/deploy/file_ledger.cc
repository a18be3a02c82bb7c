// MakeFileLedger: environments' desired state and deploy records in files beside what runs
// (`slipway run`), and ImportFileLedger, which moves them into another ledger.
#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>

#include "deploy/deploy.h"
#include "deploy/environment_dir.h"
#include "deploy/ledger_json.h"
#include "util/fs.h"

namespace slipway::deploy {

namespace {

namespace fs = std::filesystem;

constexpr char kStateFile[] = "environment.json";
constexpr char kDeploysFile[] = "deploys.jsonl";
constexpr size_t kMaxStateBytes = 16 << 20;

Result<DesiredState> ReadState(const fs::path& dir) {
  Result<std::string> text = ReadFile(dir / kStateFile, kMaxStateBytes);
  if (!text.ok()) {
    return text.status().code() == StatusCode::kNotFound
               ? NotFound("no desired state in " + dir.string())
               : text.status();
  }
  Result<DesiredState> state = ParseDesiredStateJson(text.value());
  if (!state.ok())
    return InvalidArgument((dir / kStateFile).string() + ": " + state.status().message());
  return state;
}

// Every record, the last line of each id winning, oldest id first. Lines that do not parse are
// skipped (a torn last line after a crash).
std::vector<DeployRecord> ReadRecords(const fs::path& dir) {
  std::map<int64_t, DeployRecord> by_id;
  std::ifstream in(dir / kDeploysFile);
  std::string line;
  while (std::getline(in, line)) {
    Result<DeployRecord> record = ParseDeployRecordJson(line);
    if (record.ok()) by_id[record->id] = std::move(record.value());
  }
  std::vector<DeployRecord> records;
  for (auto& [id, record] : by_id) records.push_back(std::move(record));
  return records;
}

class FileLedger final : public EnvironmentLedger {
 public:
  explicit FileLedger(fs::path state_dir) : state_dir_(std::move(state_dir)) {}

  Result<DesiredState> Load(const std::string& project, const std::string& environment) override {
    std::lock_guard guard(mutex_);
    SLIPWAY_ASSIGN_OR_RETURN(DesiredState state, ReadState(DirOf(project, environment)));
    if (state.project.empty()) state.project = project;  // written before projects were kept
    return state;
  }

  Status Save(const DesiredState& state) override {
    std::lock_guard guard(mutex_);
    const fs::path dir = DirOf(state.project, state.environment);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Internal("cannot create " + dir.string() + ": " + ec.message());
    return WriteFileAtomic(dir / kStateFile, DesiredStateJson(state));
  }

  Status RecordDeploy(const DeployRecord& record) override {
    std::lock_guard guard(mutex_);
    const fs::path path = DirOf(record.project, record.environment) / kDeploysFile;
    std::ofstream out(path, std::ios::app);
    out << DeployRecordJson(record) << "\n";
    out.flush();
    if (!out) return Internal("cannot append to " + path.string());
    return Status::Ok();
  }

  Result<std::vector<DeployRecord>> Deploys(const std::string& project,
                                            const std::string& environment) override {
    std::lock_guard guard(mutex_);
    const fs::path dir = DirOf(project, environment);
    SLIPWAY_RETURN_IF_ERROR(ReadState(dir).status());
    return ReadRecords(dir);
  }

  Result<std::vector<DesiredState>> Environments() override {
    std::lock_guard guard(mutex_);
    std::vector<DesiredState> found;
    std::error_code ec;
    for (const auto& project : fs::directory_iterator(state_dir_, ec)) {
      if (!project.is_directory()) continue;
      for (const auto& environment : fs::directory_iterator(project.path(), ec)) {
        Result<DesiredState> state = ReadState(environment.path());
        if (!state.ok()) continue;
        if (state->project.empty()) state->project = project.path().filename().string();
        found.push_back(std::move(state.value()));
      }
    }
    std::sort(found.begin(), found.end(), [](const DesiredState& a, const DesiredState& b) {
      return std::tie(a.project, a.environment) < std::tie(b.project, b.environment);
    });
    return found;
  }

  Status Forget(const std::string& project, const std::string& environment) override {
    std::lock_guard guard(mutex_);
    const fs::path dir = DirOf(project, environment);
    SLIPWAY_RETURN_IF_ERROR(ReadState(dir).status());
    std::error_code ec;
    fs::remove(dir / kDeploysFile, ec);
    if (!fs::remove(dir / kStateFile, ec) || ec) {
      return Internal("cannot remove " + (dir / kStateFile).string() + ": " + ec.message());
    }
    return Status::Ok();
  }

 private:
  fs::path DirOf(const std::string& project, const std::string& environment) const {
    return EnvironmentDir(state_dir_, project, environment);
  }

  const fs::path state_dir_;
  std::mutex mutex_;  // one writer of a file at a time within this process
};

}  // namespace

std::unique_ptr<EnvironmentLedger> MakeFileLedger(fs::path state_dir) {
  return std::make_unique<FileLedger>(std::move(state_dir));
}

Result<int> ImportFileLedger(const fs::path& state_dir, EnvironmentLedger& into) {
  FileLedger files(state_dir);
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<DesiredState> states, files.Environments());
  int moved = 0;
  for (const DesiredState& state : states) {
    const fs::path dir = EnvironmentDir(state_dir, state.project, state.environment);
    Result<DesiredState> known = into.Load(state.project, state.environment);
    if (known.ok()) continue;  // the ledger's copy wins; the files stay for a human to look at
    if (known.status().code() != StatusCode::kNotFound) return known.status();
    for (const DeployRecord& record : ReadRecords(dir)) {
      SLIPWAY_RETURN_IF_ERROR(into.RecordDeploy(record));
    }
    SLIPWAY_RETURN_IF_ERROR(into.Save(state));  // last: an interrupted import is redone
    std::error_code ec;
    fs::rename(dir / kDeploysFile, dir / (std::string(kDeploysFile) + ".imported"), ec);
    fs::rename(dir / kStateFile, dir / (std::string(kStateFile) + ".imported"), ec);
    if (ec)
      return Internal("imported " + dir.string() + " but cannot rename its files: " + ec.message());
    ++moved;
  }
  return moved;
}

}  // namespace slipway::deploy
