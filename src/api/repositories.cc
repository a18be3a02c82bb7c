#include "api/repositories.h"

#include "api/json_io.h"
#include "triggers/triggers.h"

namespace slipway::api {
namespace {

// Whether `commit` is in the mirror (a diff of the commit with itself reads it and nothing
// else; kNotFound when the commit or the mirror is missing).
Result<bool> HasCommit(const std::filesystem::path& mirror, std::string_view commit) {
  auto diff = triggers::ChangedFiles(mirror, commit, commit);
  if (diff.ok()) return true;
  if (diff.status().code() == StatusCode::kNotFound) return false;
  return diff.status();
}

}  // namespace

Repositories::Repositories(std::filesystem::path data_dir, std::chrono::milliseconds timeout)
    : data_dir_(std::move(data_dir)), timeout_(timeout) {}

std::mutex& Repositories::LockFor(const std::string& repo) {
  std::lock_guard lock(mutex_);
  auto& slot = locks_[repo];
  if (!slot) slot = std::make_unique<std::mutex>();
  return *slot;
}

Result<std::string> Repositories::BranchHead(const std::string& repo, std::string_view branch) {
  triggers::PollOptions options{.data_dir = data_dir_, .timeout = timeout_};
  SLIPWAY_ASSIGN_OR_RETURN(triggers::PollResult listed,
                           triggers::PollRepository(repo, "", options));
  const Json refs = Json::parse(listed.refs_json, nullptr, /*allow_exceptions=*/false);
  const std::string ref = "refs/heads/" + std::string(branch);
  if (refs.is_object()) {
    auto it = refs.find(ref);
    if (it != refs.end() && it->is_string()) return it->get<std::string>();
  }
  return NotFound("branch '" + std::string(branch) + "' does not exist in " +
                  triggers::RedactUrl(repo));
}

Result<std::optional<std::string>> Repositories::FileAt(const std::string& repo,
                                                        std::string_view ref,
                                                        std::string_view commit,
                                                        std::string_view file) {
  triggers::PollOptions options{.data_dir = data_dir_, .timeout = timeout_};
  std::lock_guard lock(LockFor(repo));
  const std::filesystem::path mirror = triggers::MirrorPath(repo, options);
  SLIPWAY_ASSIGN_OR_RETURN(bool present, HasCommit(mirror, commit));
  // The pushed ref first (cheap, and what a webhook announces), then everything.
  std::vector<std::vector<std::string>> fetches;
  if (!ref.empty()) fetches.push_back({std::string(ref)});
  fetches.push_back({});
  for (const auto& refs : fetches) {
    if (present) break;
    SLIPWAY_RETURN_IF_ERROR(triggers::UpdateMirror(repo, refs, options).status());
    SLIPWAY_ASSIGN_OR_RETURN(present, HasCommit(mirror, commit));
  }
  if (!present) {
    return NotFound("commit " + std::string(commit) + " is not in the repository " +
                    triggers::RedactUrl(repo));
  }
  auto text = triggers::ReadFileAtCommit(mirror, commit, file);
  if (text.ok()) return std::optional<std::string>(std::move(*text));
  if (text.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
  return text.status();
}

Result<std::vector<std::string>> Repositories::ChangedFiles(const std::string& repo,
                                                            std::string_view from,
                                                            std::string_view to) {
  triggers::PollOptions options{.data_dir = data_dir_, .timeout = timeout_};
  std::lock_guard lock(LockFor(repo));
  return triggers::ChangedFiles(triggers::MirrorPath(repo, options), from, to);
}

}  // namespace slipway::api
