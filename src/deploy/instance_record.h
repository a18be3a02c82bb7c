// <state_dir>/<revision>/instances.json: what a ProcessTarget knows about one revision, so a
// new target (after a server restart) can adopt the instances. Internal to deploy.
//
// Format (version 1):
//   {"version":1, "applied_seq":3, "restarts":2, "crash_looping":false,
//    "revision":{"id":"r7","digest":"sha256:…","artifact_dir":"/…","instances":2,
//                "env":[["K","V"]]},
//    "instances":[{"index":0,"pid":1234,"pgid":1234,"start_time":987654,"port":40001,
//                  "ready":true}]}
// pid 0: the instance is not running (waiting for a restart, or given up). pgid is always the
// pid (each instance leads its own session and group); it is written for people reading the
// file, and not read back. start_time is field 22 of /proc/<pid>/stat.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <vector>

#include "deploy/deploy.h"
#include "util/status.h"

namespace slipway::deploy {

struct InstanceRecord {
  int index = 0;  // stable across restarts; names the log file
  pid_t pid = 0;
  uint64_t start_time = 0;
  uint16_t port = 0;
  bool ready = false;
};

struct RevisionRecord {
  RevisionSpec spec;
  uint64_t applied_seq = 0;  // orders Revisions()
  int restarts = 0;
  bool crash_looping = false;
  std::vector<InstanceRecord> instances;
};

// Written atomically (WriteFileAtomic).
Status WriteRevisionRecord(const std::filesystem::path& file, const RevisionRecord& record);
// InvalidArgument naming the file when it is not a valid record.
Result<RevisionRecord> ReadRevisionRecord(const std::filesystem::path& file);

}  // namespace slipway::deploy
