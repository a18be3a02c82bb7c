// FetchNeededArtifacts and KeepArtifacts: the agent's half of handing artifacts between jobs.
#include "agent/artifacts_transfer.h"

#include <string>

#include "util/cancel.h"
#include "util/tree_archive.h"

namespace slipway::agent {
namespace {

namespace fs = std::filesystem;

// About a minute of retries at the default delay: a server restart, not an outage.
constexpr int kTries = 120;

// Repeats `call` while the server cannot be reached, until it answers, `cancel` fires or the
// tries run out; returns the last status.
template <typename Call>
Status Retrying(const Call& call, const CancelToken& cancel, std::chrono::milliseconds delay) {
  Status status;
  for (int tries = 0; tries < kTries; ++tries) {
    status = call();
    if (status.code() != StatusCode::kUnavailable &&
        status.code() != StatusCode::kDeadlineExceeded) {
      return status;
    }
    if (cancel.WaitFor(delay)) return Cancelled("cancelled while transferring artifacts");
  }
  return status;
}

std::string Describe(const tree_archive::Summary& summary) {
  return std::to_string(summary.files) + " file(s), " + std::to_string(summary.file_bytes) +
         " bytes";
}

void Fail(runner::AttemptReport* report, runner::Outcome outcome, std::string reason,
          runner::LogSink& log) {
  report->outcome = outcome;
  report->reason = std::move(reason);
  log.Line("✘ " + report->reason);
}

}  // namespace

Status FetchNeededArtifacts(Transport& transport, const engine::JobAssignment& job,
                            const fs::path& workspace, const fs::path& scratch,
                            runner::LogSink& log, const CancelToken& cancel,
                            std::chrono::milliseconds retry_delay) {
  for (const engine::ArtifactRef& ref : job.artifacts) {
    const std::string whose = "the artifacts of '" + ref.instance_id + "'";
    const fs::path file = scratch / ("needs-" + std::to_string(ref.attempt_id) + ".slwa");
    Status got =
        Retrying([&] { return transport.GetArtifacts(job, ref, file); }, cancel, retry_delay);
    if (!got.ok()) return got.WithContext(whose);
    auto extracted = tree_archive::ExtractFile(file, workspace);
    std::error_code ec;
    fs::remove(file, ec);
    if (!extracted.ok()) return extracted.status().WithContext(whose);
    log.Line("artifacts: unpacked " + Describe(*extracted) + " from '" + ref.instance_id + "'");
  }
  return Status::Ok();
}

void KeepArtifacts(Transport& transport, const engine::JobAssignment& job, const spec::Job& spec,
                   const fs::path& workspace, const fs::path& scratch, runner::LogSink& log,
                   const CancelToken& cancel, std::chrono::milliseconds retry_delay,
                   runner::AttemptReport* report) {
  if (spec.artifacts.empty()) return;
  const std::vector<std::string> paths = engine::CollectArtifacts(spec.artifacts, workspace, log);
  if (paths.empty()) return;
  const fs::path archive = scratch / "artifacts.slwa";
  auto packed = tree_archive::WriteArchiveFile(archive, workspace, paths);
  std::error_code ec;
  if (!packed.ok()) {
    fs::remove(archive, ec);
    return Fail(report, runner::Outcome::kFailure,
                "artifacts: could not pack them: " + packed.status().message(), log);
  }
  const Status sent =
      Retrying([&] { return transport.PutArtifacts(job, archive, cancel); }, cancel, retry_delay);
  fs::remove(archive, ec);
  if (sent.ok()) {
    log.Line("artifacts: kept " + std::to_string(paths.size()) + " path(s) for dependent jobs (" +
             Describe(*packed) + ")");
    return;
  }
  switch (sent.code()) {
    case StatusCode::kFailedPrecondition:  // the lease is gone: nothing will be reported
      log.Line("warning: artifacts: not kept: " + sent.message());
      return;
    case StatusCode::kCancelled:
      return Fail(report, runner::Outcome::kCancelled, sent.message(), log);
    case StatusCode::kResourceExhausted:  // over the server's limit: retrying will not help
      return Fail(report, runner::Outcome::kFailure, sent.message(), log);
    default:
      return Fail(report, runner::Outcome::kInfra,
                  "could not upload the artifacts: " + sent.message(), log);
  }
}

}  // namespace slipway::agent
