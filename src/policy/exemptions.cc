// Emergency exemptions: checked when requested, when a second person approves them, and when a
// gate looks for one.
#include "policy/policy.h"
#include "util/duration_format.h"

namespace slipway::policy {

ExemptionState StateOf(const Exemption& exemption, Time now) {
  if (now >= exemption.expires) return ExemptionState::kExpired;
  if (exemption.needs_second_approval && exemption.approved_by.empty()) {
    return ExemptionState::kPending;
  }
  return ExemptionState::kActive;
}

const char* ExemptionStateName(ExemptionState state) {
  switch (state) {
    case ExemptionState::kPending:
      return "pending";
    case ExemptionState::kActive:
      return "active";
    case ExemptionState::kExpired:
      return "expired";
  }
  return "expired";
}

Result<Exemption> NewExemption(const spec::ExemptionsSpec& spec, std::string project,
                               std::string environment, std::string requested_by,
                               std::string justification, std::chrono::milliseconds duration,
                               Time now) {
  if (justification.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument(
        "an exemption needs a written justification (why the gate may be "
        "overridden now)");
  }
  if (justification.size() > kMaxJustificationBytes) {
    return InvalidArgument("the justification is " + std::to_string(justification.size()) +
                           " bytes; at most " + std::to_string(kMaxJustificationBytes) +
                           " are kept");
  }
  if (duration <= std::chrono::milliseconds(0) || duration > spec.max_duration) {
    return InvalidArgument("an exemption of " + environment + " lasts more than 0 and at most " +
                           FormatDuration(spec.max_duration) + " (protection.exemptions." +
                           "max-duration); asked for " + FormatDuration(duration));
  }
  Exemption exemption;
  exemption.project = std::move(project);
  exemption.environment = std::move(environment);
  exemption.requested_by = std::move(requested_by);
  exemption.justification = std::move(justification);
  exemption.created = now;
  exemption.expires = now + duration;
  exemption.needs_second_approval = spec.second_approval;
  return exemption;
}

Status MaySecondApprove(const Exemption& exemption, std::string_view approver, Time now) {
  if (!exemption.needs_second_approval) {
    return FailedPrecondition("exemption " + std::to_string(exemption.id) +
                              " needs no second approval");
  }
  if (!exemption.approved_by.empty()) {
    return FailedPrecondition("exemption " + std::to_string(exemption.id) +
                              " was already approved by " + exemption.approved_by);
  }
  if (now >= exemption.expires) {
    return FailedPrecondition("exemption " + std::to_string(exemption.id) + " expired");
  }
  if (approver == exemption.requested_by) {
    return PermissionDenied("the second approval of exemption " + std::to_string(exemption.id) +
                            " must come from someone other than " + exemption.requested_by +
                            ", who asked for it");
  }
  return Status::Ok();
}

const Exemption* ActiveExemption(const std::vector<Exemption>& exemptions, Time now) {
  const Exemption* best = nullptr;
  for (const Exemption& exemption : exemptions) {
    if (StateOf(exemption, now) != ExemptionState::kActive) continue;
    if (best == nullptr || exemption.expires > best->expires) best = &exemption;
  }
  return best;
}

}  // namespace slipway::policy
