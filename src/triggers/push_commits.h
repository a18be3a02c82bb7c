// The commit list of a push payload: ids, messages, and the union of their file lists. All
// three providers list commits with the same keys (id, message, added, modified, removed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "triggers/json_fields.h"
#include "triggers/triggers.h"
#include "util/status.h"

namespace slipway::triggers::internal {

// Reads `root.commits` into event->commits and event->changed_files (sorted, unique), and sets
// event->changed_files_complete to false when a commit lacks its file lists or when the list
// was cut: `total_commits` (the provider's count of all pushed commits, when it sends one) is
// larger than the list, or, without a count, the list is as long as `provider_limit` (the most
// commits the provider ever lists).
Status ReadCommits(const JsonObject& root, std::optional<int64_t> total_commits,
                   size_t provider_limit, PushEvent* event);

// Checks that `ref` is a full ref name; errors name `field`.
Status CheckRef(const std::string& ref, const std::string& field);

}  // namespace slipway::triggers::internal
