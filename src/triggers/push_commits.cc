#include "triggers/push_commits.h"

#include <algorithm>
#include <string>
#include <utility>

namespace slipway::triggers::internal {

Status ReadCommits(const JsonObject& root, std::optional<int64_t> total_commits,
                   size_t provider_limit, PushEvent* event) {
  SLIPWAY_ASSIGN_OR_RETURN(std::vector<JsonObject> commits, root.ObjectList("commits"));
  std::vector<std::string> files;
  for (const JsonObject& commit : commits) {
    PushCommit summary;
    SLIPWAY_ASSIGN_OR_RETURN(summary.id, ShaField(commit, "id"));
    SLIPWAY_ASSIGN_OR_RETURN(auto message, commit.OptionalString("message"));
    summary.message = message.value_or("");
    event->commits.push_back(std::move(summary));
    for (const char* key : {"added", "modified", "removed"}) {
      SLIPWAY_ASSIGN_OR_RETURN(auto list, commit.OptionalStringList(key));
      if (!list) {
        event->changed_files_complete = false;
        continue;
      }
      for (std::string& file : *list) {
        if (!file.empty()) files.push_back(std::move(file));
      }
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  event->changed_files = std::move(files);
  const bool cut = total_commits ? *total_commits > static_cast<int64_t>(commits.size())
                                 : commits.size() >= provider_limit;
  if (cut) event->changed_files_complete = false;
  return Status::Ok();
}

Status CheckRef(const std::string& ref, const std::string& field) {
  if (!ref.starts_with("refs/") || ref.size() == 5) {
    // Quote a bounded prefix: the value comes from the sender and may be huge.
    const std::string shown = ref.size() > 80 ? ref.substr(0, 80) + "..." : ref;
    return InvalidArgument("field '" + field +
                           "' must be a full ref name such as refs/heads/main, not '" + shown +
                           "'");
  }
  return Status::Ok();
}

}  // namespace slipway::triggers::internal
