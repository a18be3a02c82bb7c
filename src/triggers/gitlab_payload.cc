// GitLab's Push Hook and Tag Push Hook payloads (docs.gitlab.com, "Webhook events", push and
// tag events). What we read:
//   object_kind                              "push" or "tag_push"
//   ref, before, after                       the ref and its old/new commit
//   user_username (user_name when absent)    who pushed
//   project.path_with_namespace, .git_http_url   which repository
//   commits[].id, .message, .added, .modified, .removed   (at most 20 are listed)
//   total_commits_count                      how many commits were pushed in all
#include <optional>
#include <string>

#include "triggers/json_fields.h"
#include "triggers/push_commits.h"
#include "triggers/push_payload.h"

namespace slipway::triggers::internal {
namespace {

// GitLab lists the newest 20 commits of a push; total_commits_count has the real number.
constexpr size_t kGitLabCommitLimit = 20;

}  // namespace

Result<PushEvent> ParseGitLabPush(const nlohmann::json& json) {
  const JsonObject root(json, "");
  PushEvent event;
  SLIPWAY_ASSIGN_OR_RETURN(std::string kind, root.String("object_kind"));
  if (kind != "push" && kind != "tag_push") {
    return InvalidArgument("field 'object_kind' must be \"push\" or \"tag_push\" in a push hook");
  }
  SLIPWAY_ASSIGN_OR_RETURN(event.ref, root.String("ref"));
  SLIPWAY_RETURN_IF_ERROR(CheckRef(event.ref, "ref"));
  SLIPWAY_ASSIGN_OR_RETURN(event.before, ShaField(root, "before"));
  SLIPWAY_ASSIGN_OR_RETURN(event.after, ShaField(root, "after"));

  SLIPWAY_ASSIGN_OR_RETURN(auto username, root.OptionalString("user_username"));
  SLIPWAY_ASSIGN_OR_RETURN(auto name, root.OptionalString("user_name"));
  event.pusher = username && !username->empty() ? *username : name.value_or("");

  SLIPWAY_ASSIGN_OR_RETURN(JsonObject project, root.Object("project"));
  SLIPWAY_ASSIGN_OR_RETURN(event.repository, project.String("path_with_namespace"));
  SLIPWAY_ASSIGN_OR_RETURN(event.clone_url, project.String("git_http_url"));

  SLIPWAY_ASSIGN_OR_RETURN(auto total, root.OptionalInteger("total_commits_count"));
  SLIPWAY_RETURN_IF_ERROR(ReadCommits(root, total, kGitLabCommitLimit, &event));
  return event;
}

}  // namespace slipway::triggers::internal
