// Artifacts on the agent's side of a job: the archives of its needs unpacked into the
// workspace before the first step, and its own kept and uploaded after a successful attempt.
// Private to the agent.
#pragma once

#include <chrono>
#include <filesystem>

#include "agent/agent.h"
#include "runner/runner.h"

namespace slipway::agent {

// Downloads each archive of job.artifacts into `scratch` and extracts it into `workspace` at
// the paths the files had, in the order listed (a later archive's file replaces an earlier
// one's). Errors name the job instance whose artifacts could not be had; the workspace is
// then unusable (an attempt fails as an infra error).
// Downloads are retried as uploads are (below).
Status FetchNeededArtifacts(Transport& transport, const engine::JobAssignment& job,
                            const std::filesystem::path& workspace,
                            const std::filesystem::path& scratch, runner::LogSink& log,
                            const CancelToken& cancel, std::chrono::milliseconds retry_delay);

// After a successful attempt of a job with `artifacts:`: collects them as `slipway run` does
// (engine::CollectArtifacts), packs them into one archive in `scratch` and uploads it, retrying
// while the server cannot be reached (every `retry_delay`, for about a minute). Nothing matched:
// nothing is uploaded. When the artifacts cannot be kept, `report` turns into a failure (over
// the server's size limit, an unreadable file) or an infra error (the server unreachable),
// or cancelled when `cancel` fired meanwhile. A lost lease leaves `report` alone: it will
// not be reported.
void KeepArtifacts(Transport& transport, const engine::JobAssignment& job, const spec::Job& spec,
                   const std::filesystem::path& workspace, const std::filesystem::path& scratch,
                   runner::LogSink& log, const CancelToken& cancel,
                   std::chrono::milliseconds retry_delay, runner::AttemptReport* report);

}  // namespace slipway::agent
