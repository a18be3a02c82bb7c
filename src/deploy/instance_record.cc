#include "deploy/instance_record.h"

#include <nlohmann/json.hpp>

#include "deploy/revision_json.h"
#include "util/fs.h"

namespace slipway::deploy {
namespace {

using nlohmann::json;

constexpr size_t kMaxRecordBytes = 4 << 20;

}  // namespace

Status WriteRevisionRecord(const std::filesystem::path& file, const RevisionRecord& record) {
  json instances = json::array();
  for (const InstanceRecord& instance : record.instances) {
    instances.push_back({{"index", instance.index},
                         {"pid", instance.pid},
                         {"pgid", instance.pid},  // setsid: the instance leads its group
                         {"start_time", instance.start_time},
                         {"port", instance.port},
                         {"ready", instance.ready}});
  }
  const json j = {{"version", 1},
                  {"applied_seq", record.applied_seq},
                  {"restarts", record.restarts},
                  {"crash_looping", record.crash_looping},
                  {"revision", RevisionSpecToJson(record.spec)},
                  {"instances", instances}};
  return WriteFileAtomic(file, j.dump(2) + "\n");
}

Result<RevisionRecord> ReadRevisionRecord(const std::filesystem::path& file) {
  SLIPWAY_ASSIGN_OR_RETURN(std::string text, ReadFile(file, kMaxRecordBytes));
  try {
    const json j = json::parse(text);
    if (j.at("version").get<int>() != 1) {
      return InvalidArgument(file.string() + ": unsupported version " + j.at("version").dump());
    }
    RevisionRecord record;
    record.spec = RevisionSpecFromJson(j.at("revision"));
    record.applied_seq = j.at("applied_seq").get<uint64_t>();
    record.restarts = j.at("restarts").get<int>();
    record.crash_looping = j.at("crash_looping").get<bool>();
    for (const json& instance : j.at("instances")) {
      record.instances.push_back({instance.at("index").get<int>(), instance.at("pid").get<pid_t>(),
                                  instance.at("start_time").get<uint64_t>(),
                                  instance.at("port").get<uint16_t>(),
                                  instance.at("ready").get<bool>()});
    }
    return record;
  } catch (const json::exception& e) {
    return InvalidArgument(file.string() + ": not a valid instance record: " + e.what());
  }
}

}  // namespace slipway::deploy
