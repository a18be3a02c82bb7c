// Push payload parsers, one per payload shape. Gitea's push payload copies GitHub's (same field
// names for ref, before/after, repository, commits and their file lists), so one parser serves
// both; GitLab's differs (object_kind, project, user_username, total_commits_count).
#pragma once

#include <nlohmann/json.hpp>

#include "triggers/triggers.h"
#include "util/status.h"

namespace slipway::triggers::internal {

// GitHub's `push` event, or Gitea's (`provider` picks the few fields that differ). Fills
// everything but provider and delivery_id.
Result<PushEvent> ParseGitHubStylePush(Provider provider, const nlohmann::json& root);

// GitLab's Push Hook and Tag Push Hook.
Result<PushEvent> ParseGitLabPush(const nlohmann::json& root);

}  // namespace slipway::triggers::internal
