// Job artifacts over HTTP: agents upload an attempt's archive (PUT, streamed to disk, never held
// in memory) and download the archives of the jobs theirs needs; users download a job's.
// Archives are tree archives (util/tree_archive.h) served as files, so downloads honour Range
// and cost no handler thread while they stream. Uploads are machinery of runs, not audited.
#include <algorithm>
#include <charconv>

#include "api/handlers.h"

namespace slipway::api {
namespace {

constexpr const char* kArchiveType = "application/vnd.slipway.tree-archive";

// A declared body over the store's limit is refused before a byte of it is read.
Status CheckDeclaredLength(const http::Request& request, uint64_t limit) {
  auto declared = request.Header("Content-Length");
  if (!declared) return Status::Ok();
  uint64_t length = 0;
  auto [end, ec] = std::from_chars(declared->data(), declared->data() + declared->size(), length);
  if (ec != std::errc() || end != declared->data() + declared->size()) return Status::Ok();
  if (length <= limit) return Status::Ok();
  return ResourceExhausted("the artifacts archive is " + std::to_string(length) +
                           " bytes, over the server's limit of " + std::to_string(limit) +
                           " bytes");
}

// "hello-12-test_linux_.slwa": a file name for any instance id.
std::string DownloadName(const store::Project& project, const store::Run& run,
                         std::string_view instance) {
  std::string name = project.name + "-" + std::to_string(run.number) + "-";
  for (char c : instance) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-' || c == '_';
    name += plain ? c : '_';
  }
  return name + ".slwa";
}

http::Response ArchiveFile(const http::Request& request, const engine::ArtifactStore::Archive& file,
                           const std::string& download_name) {
  http::Response response = http::Response::File(request, file.path.string(), kArchiveType);
  if (!download_name.empty()) {
    response.headers.Set("Content-Disposition", "attachment; filename=\"" + download_name + "\"");
  }
  return response;
}

// The archive of job {instance}'s successful attempt in run {number} of {project}.
Result<engine::ArtifactStore::Archive> JobArchive(ApiState& state, const http::Request& request,
                                                  std::string* download_name, int* attempt) {
  SLIPWAY_ASSIGN_OR_RETURN(store::Project project, ProjectOf(state, request));
  SLIPWAY_ASSIGN_OR_RETURN(store::Run run, RunOf(state, request, project));
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Job> jobs, state.store->ListJobs(run.id));
  const std::string_view instance = request.Param("instance");
  const std::string run_name = "run " + project.name + "/" + std::to_string(run.number);
  auto job = std::find_if(jobs.begin(), jobs.end(),
                          [&](const store::Job& j) { return j.instance_id == instance; });
  if (job == jobs.end()) {
    return NotFound(run_name + " has no job '" + std::string(instance) + "'");
  }
  const std::string job_name = "job '" + job->instance_id + "' of " + run_name;
  if (job->status != store::JobStatus::kSuccess) {
    return NotFound(
        job_name + " has no artifacts: only a job that succeeded keeps them (it is " +
        std::string(store::IsFinal(job->status) ? "finished without success" : "not finished") +
        ")");
  }
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<store::Attempt> attempts,
                           state.store->ListAttempts(job->id));
  for (const store::Attempt& a : attempts) {
    if (!a.finished || a.lost || a.outcome != runner::OutcomeName(runner::Outcome::kSuccess)) {
      continue;
    }
    if (state.context.artifacts == nullptr) break;
    if (auto archive = state.context.artifacts->Find(run, a.id)) {
      *download_name = DownloadName(project, run, job->instance_id);
      *attempt = a.number;
      return *archive;
    }
  }
  return NotFound(job_name + " kept no artifacts (it declares none, or none matched)");
}

}  // namespace

http::Response PutArtifacts(ApiState& state, http::Request& request) {
  store::Attempt attempt;
  std::string lease_token;
  if (Status own = OwnAttempt(state, request, &attempt, &lease_token); !own.ok()) {
    return http::Response::FromStatus(own);
  }
  if (state.context.artifacts != nullptr) {
    Status length = CheckDeclaredLength(request, state.context.artifacts->max_bytes());
    if (!length.ok()) return http::Response::FromStatus(length);
  }
  http::BodyReader* body = request.body_reader;
  auto stored = state.context.agents->PutArtifacts(
      attempt.id, lease_token,
      [body](char* data, size_t size) -> Result<size_t> { return body->Read(data, size); });
  if (!stored.ok()) return http::Response::FromStatus(stored.status());
  return JsonResponse(200, {{"files", stored->files},
                            {"directories", stored->directories},
                            {"symlinks", stored->symlinks},
                            {"file_bytes", stored->file_bytes}});
}

http::Response GetNeededArtifacts(ApiState& state, http::Request& request) {
  store::Attempt attempt;
  std::string lease_token;
  if (Status own = OwnAttempt(state, request, &attempt, &lease_token); !own.ok()) {
    return http::Response::FromStatus(own);
  }
  auto source = IdParam(request, "source");
  if (!source.ok()) return http::Response::FromStatus(source.status());
  auto archive = state.context.agents->OpenArtifacts(attempt.id, lease_token, *source);
  if (!archive.ok()) return http::Response::FromStatus(archive.status());
  return ArchiveFile(request, *archive, "");
}

http::Response GetJobArtifacts(ApiState& state, http::Request& request) {
  std::string download_name;
  int attempt = 0;
  auto archive = JobArchive(state, request, &download_name, &attempt);
  if (!archive.ok()) return http::Response::FromStatus(archive.status());
  http::Response response = ArchiveFile(request, *archive, download_name);
  response.headers.Set("X-Artifacts-Attempt", std::to_string(attempt));
  return response;
}

}  // namespace slipway::api
