// Counting approvals: distinct approvers, their role, not the author, not expired.
#include <algorithm>
#include <map>

#include "policy/policy.h"

namespace slipway::policy {
namespace {

std::string Joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

int RoleRank(std::string_view role) {
  constexpr std::string_view kLadder[] = {"viewer", "developer", "releaser", "admin"};
  for (int i = 0; i < 4; ++i) {
    if (role == kLadder[i]) return i;
  }
  return -1;
}

Status MayApprove(const spec::ApprovalsSpec& spec, std::string_view approver, std::string_view role,
                  std::string_view author) {
  if (!spec.role.empty() && RoleRank(role) < RoleRank(spec.role)) {
    return PermissionDenied("approving needs the role " + spec.role + " or higher; '" +
                            std::string(approver) + "' has " + std::string(role));
  }
  if (spec.not_author && !author.empty() && approver == author) {
    return PermissionDenied("'" + std::string(approver) +
                            "' made this change and may not approve it (not-author)");
  }
  return Status::Ok();
}

ApprovalStatus CheckApprovals(const spec::ApprovalsSpec& spec, const std::vector<Approval>& given,
                              std::string_view author, Time now) {
  // The latest valid verdict of each approver counts (one may approve, then reject).
  std::vector<const Approval*> ordered;
  for (const Approval& approval : given) ordered.push_back(&approval);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Approval* a, const Approval* b) { return a->at < b->at; });
  std::map<std::string, const Approval*> latest;
  std::vector<std::string> order;
  for (const Approval* approval : ordered) {
    if (!MayApprove(spec, approval->approver, approval->role, author).ok()) continue;
    if (spec.expire_after && now - approval->at > *spec.expire_after) continue;
    if (!latest.contains(approval->approver)) order.push_back(approval->approver);
    latest[approval->approver] = approval;
  }
  ApprovalStatus status;
  for (const std::string& name : order) {
    const Approval& verdict = *latest[name];
    if (!verdict.approved) {
      status.rejected = true;
      status.message =
          "rejected by " + name + (verdict.comment.empty() ? "" : ": " + verdict.comment);
      return status;
    }
    status.counted.push_back(name);
  }
  const int count = static_cast<int>(status.counted.size());
  status.satisfied = count >= spec.count;
  status.message = std::to_string(std::min(count, spec.count)) + " of " +
                   std::to_string(spec.count) + " approvals" +
                   (count > 0 ? " (" + Joined(status.counted) + ")" : "");
  if (!spec.role.empty()) status.message += "; approvers need the role " + spec.role;
  if (spec.not_author && !author.empty())
    status.message += ", and may not be " + std::string(author);
  return status;
}

}  // namespace slipway::policy
