// GitHub's push event payload (docs.github.com, "Webhook events and payloads", push), which
// Gitea's push payload imitates field for field. What we read:
//   ref, before, after                       the ref and its old/new commit
//   deleted, forced                          GitHub only: the push deleted / rewrote the ref
//   repository.full_name, .clone_url         which repository
//   pusher.name (GitHub), pusher.login or .username (Gitea), sender.login   who pushed
//   commits[].id, .message, .added, .modified, .removed
//   total_commits                            Gitea only: how many commits were pushed in all
#include <array>
#include <optional>
#include <span>
#include <string>

#include "triggers/json_fields.h"
#include "triggers/push_commits.h"
#include "triggers/push_payload.h"

namespace slipway::triggers::internal {
namespace {

// GitHub lists at most 2048 commits in a push event.
constexpr size_t kGitHubCommitLimit = 2048;

Result<std::string> Pusher(Provider provider, const JsonObject& root) {
  SLIPWAY_ASSIGN_OR_RETURN(auto pusher, root.OptionalObject("pusher"));
  if (pusher) {
    static constexpr std::array<const char*, 1> kGitHubKeys = {"name"};
    static constexpr std::array<const char*, 2> kGiteaKeys = {"login", "username"};
    const std::span<const char* const> keys = provider == Provider::kGitHub
                                                  ? std::span<const char* const>(kGitHubKeys)
                                                  : std::span<const char* const>(kGiteaKeys);
    for (const char* key : keys) {
      SLIPWAY_ASSIGN_OR_RETURN(auto name, pusher->OptionalString(key));
      if (name && !name->empty()) return std::move(*name);
    }
  }
  SLIPWAY_ASSIGN_OR_RETURN(auto sender, root.OptionalObject("sender"));
  if (sender) {
    SLIPWAY_ASSIGN_OR_RETURN(auto login, sender->OptionalString("login"));
    if (login) return std::move(*login);
  }
  return std::string();
}

}  // namespace

Result<PushEvent> ParseGitHubStylePush(Provider provider, const nlohmann::json& json) {
  const JsonObject root(json, "");
  PushEvent event;
  SLIPWAY_ASSIGN_OR_RETURN(event.ref, root.String("ref"));
  SLIPWAY_RETURN_IF_ERROR(CheckRef(event.ref, "ref"));
  SLIPWAY_ASSIGN_OR_RETURN(event.before, ShaField(root, "before"));
  SLIPWAY_ASSIGN_OR_RETURN(event.after, ShaField(root, "after"));
  SLIPWAY_ASSIGN_OR_RETURN(JsonObject repository, root.Object("repository"));
  SLIPWAY_ASSIGN_OR_RETURN(event.repository, repository.String("full_name"));
  SLIPWAY_ASSIGN_OR_RETURN(event.clone_url, repository.String("clone_url"));
  SLIPWAY_ASSIGN_OR_RETURN(event.pusher, Pusher(provider, root));

  SLIPWAY_ASSIGN_OR_RETURN(auto forced, root.OptionalBool("forced"));
  event.forced = forced.value_or(false);
  SLIPWAY_ASSIGN_OR_RETURN(auto deleted, root.OptionalBool("deleted"));
  if (deleted.value_or(false)) event.after = std::string(event.before.size(), '0');

  std::optional<int64_t> total;
  if (provider == Provider::kGitea) {
    SLIPWAY_ASSIGN_OR_RETURN(total, root.OptionalInteger("total_commits"));
  }
  SLIPWAY_RETURN_IF_ERROR(ReadCommits(root, total, kGitHubCommitLimit, &event));
  // A forced push's commit list describes the new history, not what changed since `before`.
  if (event.forced) event.changed_files_complete = false;
  return event;
}

}  // namespace slipway::triggers::internal
