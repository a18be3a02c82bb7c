// What `slipway run` shows while it runs: every job's masked lines, prefixed with the job
// (and its matrix values), written whole-line-at-a-time so jobs never interleave mid-line;
// and, with --log-dir, one full log file per job instance.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "engine/engine.h"

namespace slipway::cli {

class ConsoleObserver final : public engine::RunObserver {
 public:
  // `fd` receives live output (stdout, or stderr when stdout carries --json). `log_dir` may be
  // empty (no log files). `color`: prefix jobs in colour (a terminal).
  ConsoleObserver(int fd, std::filesystem::path log_dir, bool color);

  std::unique_ptr<runner::LogSink> OpenLog(const spec::JobInstance& instance, int attempt) override;
  void JobFinished(const engine::JobResult& result) override;

  // Writes `text` to the console as one unit.
  void Write(std::string_view text);

  // The log file of a job instance ("" without --log-dir): DIR/<job>.log, or for a matrix
  // cell DIR/<job>@<value>,<value>.log; unique per instance.
  std::string LogPath(const spec::JobInstance& instance);

 private:
  std::string PrefixFor(const std::string& instance_id);

  const int fd_;
  const std::filesystem::path log_dir_;
  const bool color_;
  std::mutex mutex_;  // guards writes to fd_ and the maps below
  std::map<std::string, std::string> prefixes_;
  std::map<std::string, std::string> log_files_;  // instance id → file name
  std::set<std::string> used_log_files_;
};

// The table printed at the end of a run: job, result, attempts, duration, and why.
std::string SummaryTable(const engine::RunResult& result, bool color);

// The machine-readable result (--json).
std::string ResultJson(const engine::RunResult& result);

}  // namespace slipway::cli
