// PushTrigger::Matches, with GitHub Actions' filter semantics:
// - branch filters apply only to branch pushes and tag filters only to tag pushes; once any
//   ref filter is set, a push of the other kind without its own filter does not match;
// - in a pattern list, `!pattern` excludes and the last matching entry decides;
// - `paths`: the push matches when any changed file is included; `paths-ignore`: it is
//   skipped only when every changed file is ignored.
#include <string_view>
#include <vector>

#include "spec/spec.h"
#include "util/glob.h"

namespace slipway::spec {
namespace {

// Whether the ordered pattern list selects `name` (last matching entry wins).
bool Selected(const std::vector<std::string>& patterns, std::string_view name) {
  bool selected = false;
  for (std::string_view pattern : patterns) {
    const bool negated = pattern.starts_with('!');
    if (negated) pattern.remove_prefix(1);
    if (glob::Match(pattern, name)) selected = !negated;
  }
  return selected;
}

bool RefFilterPasses(const std::vector<std::string>& include,
                     const std::vector<std::string>& ignore, std::string_view name) {
  if (!include.empty() && !Selected(include, name)) return false;
  if (!ignore.empty() && Selected(ignore, name)) return false;
  return true;
}

// Whether the ref passes the branch/tag filters.
bool RefMatches(const PushTrigger& push, std::string_view ref) {
  const bool branch_filters = !push.branches.empty() || !push.branches_ignore.empty();
  const bool tag_filters = !push.tags.empty() || !push.tags_ignore.empty();
  if (ref.starts_with("refs/tags/")) {
    if (branch_filters && !tag_filters) return false;
    return RefFilterPasses(push.tags, push.tags_ignore, ref.substr(10));
  }
  // A ref outside refs/heads/ and refs/tags/ is neither a branch nor a tag; a bare name is
  // taken as a branch, which is what `slipway run` has at hand.
  std::string_view branch = ref;
  if (ref.starts_with("refs/heads/")) {
    branch = ref.substr(11);
  } else if (ref.starts_with("refs/")) {
    return !branch_filters && !tag_filters;
  }
  if (tag_filters && !branch_filters) return false;
  return RefFilterPasses(push.branches, push.branches_ignore, branch);
}

}  // namespace

bool PushTrigger::Matches(std::string_view ref,
                          const std::vector<std::string>& changed_files) const {
  if (!RefMatches(*this, ref)) return false;
  if (changed_files.empty()) return true;  // unknown changes: path filters pass
  if (!paths.empty()) {
    bool any = false;
    for (const std::string& file : changed_files) any = any || Selected(paths, file);
    if (!any) return false;
  }
  if (!paths_ignore.empty()) {
    bool all_ignored = true;
    for (const std::string& file : changed_files) {
      all_ignored = all_ignored && Selected(paths_ignore, file);
    }
    if (all_ignored) return false;
  }
  return true;
}

}  // namespace slipway::spec
