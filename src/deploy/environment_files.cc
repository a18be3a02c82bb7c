#include "deploy/environment_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "util/fs.h"

namespace slipway::deploy {

namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

int64_t Millis(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}
std::chrono::system_clock::time_point FromMillis(int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

Json RevisionJson(const RevisionSpec& revision) {
  return {{"id", revision.id},
          {"digest", revision.digest},
          {"artifact_dir", revision.artifact_dir.string()},
          {"instances", revision.instances},
          {"env", revision.env}};
}

RevisionSpec RevisionFrom(const Json& json) {
  RevisionSpec revision;
  revision.id = json.value("id", "");
  revision.digest = json.value("digest", "");
  revision.artifact_dir = json.value("artifact_dir", "");
  revision.instances = json.value("instances", 1);
  if (json.contains("env") && json["env"].is_array()) {
    revision.env = json["env"].get<std::vector<std::pair<std::string, std::string>>>();
  }
  return revision;
}

}  // namespace

Result<EnvironmentFile> ReadEnvironmentFile(const fs::path& dir) {
  Result<std::string> text = ReadFile(dir / "environment.json", 16 << 20);
  if (!text.ok()) return text.status();
  const Json json = Json::parse(text.value(), nullptr, false);
  if (!json.is_object()) {
    return InvalidArgument((dir / "environment.json").string() + " is not a JSON object");
  }
  EnvironmentFile file;
  file.pipeline_file = json.value("pipeline_file", "");
  file.pipeline_yaml = json.value("pipeline_yaml", "");
  file.environment = json.value("environment", "");
  file.next_revision = json.value("next_revision", int64_t{1});
  file.next_deploy = json.value("next_deploy", int64_t{1});
  if (json.contains("stable") && json["stable"].is_object()) {
    file.stable = RevisionFrom(json["stable"]);
  }
  return file;
}

Status WriteEnvironmentFile(const fs::path& dir, const EnvironmentFile& file) {
  Json json = {{"pipeline_file", file.pipeline_file}, {"pipeline_yaml", file.pipeline_yaml},
               {"environment", file.environment},     {"next_revision", file.next_revision},
               {"next_deploy", file.next_deploy},     {"stable", nullptr}};
  if (file.stable) json["stable"] = RevisionJson(*file.stable);
  return WriteFileAtomic(dir / "environment.json", json.dump(2) + "\n");
}

std::string DeployRecordJson(const DeployRecord& record) {
  Json steps = Json::array();
  for (const StepRecord& step : record.steps) {
    steps.push_back({{"name", step.name},
                     {"started_ms", Millis(step.started)},
                     {"finished_ms", Millis(step.finished)},
                     {"outcome", step.outcome},
                     {"message", step.message}});
  }
  return Json{{"id", record.id},
              {"project", record.project},
              {"environment", record.environment},
              {"revision", record.revision},
              {"artifact", record.artifact},
              {"digest", record.digest},
              {"provenance", record.provenance},
              {"trigger", record.trigger},
              {"strategy", record.strategy},
              {"started_ms", Millis(record.started)},
              {"finished_ms", Millis(record.finished)},
              {"outcome", record.outcome},
              {"reason", record.reason},
              {"steps", steps},
              {"gate", record.gate},
              {"gate_json", record.gate_json}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

Status AppendDeployRecord(const fs::path& dir, const DeployRecord& record) {
  std::ofstream out(dir / "deploys.jsonl", std::ios::app);
  out << DeployRecordJson(record) << "\n";
  out.flush();
  if (!out) return Internal("cannot append to " + (dir / "deploys.jsonl").string());
  return Status::Ok();
}

std::vector<DeployRecord> ReadDeployRecords(const fs::path& dir) {
  std::vector<DeployRecord> records;
  std::ifstream in(dir / "deploys.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const Json json = Json::parse(line, nullptr, false);
    if (!json.is_object()) continue;
    DeployRecord record;
    record.id = json.value("id", int64_t{0});
    record.project = json.value("project", "");
    record.environment = json.value("environment", "");
    record.revision = json.value("revision", "");
    record.artifact = json.value("artifact", "");
    record.digest = json.value("digest", "");
    record.provenance = json.value("provenance", "");
    record.trigger = json.value("trigger", "");
    record.strategy = json.value("strategy", "");
    record.started = FromMillis(json.value("started_ms", int64_t{0}));
    record.finished = FromMillis(json.value("finished_ms", int64_t{0}));
    record.outcome = json.value("outcome", "");
    record.reason = json.value("reason", "");
    record.gate = json.value("gate", "");
    record.gate_json = json.value("gate_json", "");
    if (json.contains("steps") && json["steps"].is_array()) {
      for (const Json& step : json["steps"]) {
        record.steps.push_back({.name = step.value("name", ""),
                                .started = FromMillis(step.value("started_ms", int64_t{0})),
                                .finished = FromMillis(step.value("finished_ms", int64_t{0})),
                                .outcome = step.value("outcome", ""),
                                .message = step.value("message", "")});
      }
    }
    records.push_back(std::move(record));
  }
  return records;
}

EnvironmentLock::EnvironmentLock(const fs::path& dir, const char* name) {
  fd_ = ::open((dir / name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return;
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

EnvironmentLock::~EnvironmentLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace slipway::deploy
