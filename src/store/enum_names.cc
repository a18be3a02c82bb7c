#include "store/enum_names.h"

#include <array>
#include <utility>

namespace slipway::store {
namespace {

template <typename Enum, size_t N>
using NameTable = std::array<std::pair<Enum, const char*>, N>;

constexpr NameTable<RunStatus, 5> kRunStatuses = {{
    {RunStatus::kQueued, "queued"},
    {RunStatus::kRunning, "running"},
    {RunStatus::kSuccess, "success"},
    {RunStatus::kFailure, "failure"},
    {RunStatus::kCancelled, "cancelled"},
}};

constexpr NameTable<JobStatus, 10> kJobStatuses = {{
    {JobStatus::kWaiting, "waiting"},
    {JobStatus::kQueued, "queued"},
    {JobStatus::kRunning, "running"},
    {JobStatus::kSettling, "settling"},
    {JobStatus::kSuccess, "success"},
    {JobStatus::kFailure, "failure"},
    {JobStatus::kTimedOut, "timed_out"},
    {JobStatus::kInfra, "infra"},
    {JobStatus::kCancelled, "cancelled"},
    {JobStatus::kSkipped, "skipped"},
}};

constexpr NameTable<TokenKind, 3> kTokenKinds = {{
    {TokenKind::kUser, "user"},
    {TokenKind::kAgent, "agent"},
    {TokenKind::kRegistration, "registration"},
}};

constexpr NameTable<AlertStatus, 2> kAlertStatuses = {{
    {AlertStatus::kFiring, "firing"},
    {AlertStatus::kResolved, "resolved"},
}};

constexpr NameTable<IncidentStatus, 2> kIncidentStatuses = {{
    {IncidentStatus::kOpen, "open"},
    {IncidentStatus::kResolved, "resolved"},
}};

constexpr NameTable<Role, 4> kRoles = {{
    {Role::kViewer, "viewer"},
    {Role::kDeveloper, "developer"},
    {Role::kReleaser, "releaser"},
    {Role::kAdmin, "admin"},
}};

template <typename Enum, size_t N>
const char* NameOf(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> Parse(const NameTable<Enum, N>& table, std::string_view text) {
  for (const auto& [e, name] : table) {
    if (text == name) return e;
  }
  return std::nullopt;
}

}  // namespace

bool IsFinal(JobStatus status) {
  switch (status) {
    case JobStatus::kSuccess:
    case JobStatus::kFailure:
    case JobStatus::kTimedOut:
    case JobStatus::kInfra:
    case JobStatus::kCancelled:
    case JobStatus::kSkipped:
      return true;
    case JobStatus::kWaiting:
    case JobStatus::kQueued:
    case JobStatus::kRunning:
    case JobStatus::kSettling:
      return false;
  }
  return false;
}

const char* RoleName(Role role) { return NameOf(kRoles, role); }
std::optional<Role> ParseRole(std::string_view name) { return Parse(kRoles, name); }

const char* AlertStatusName(AlertStatus status) { return NameOf(kAlertStatuses, status); }
std::optional<AlertStatus> ParseAlertStatus(std::string_view name) {
  return Parse(kAlertStatuses, name);
}
const char* IncidentStatusName(IncidentStatus status) { return NameOf(kIncidentStatuses, status); }
std::optional<IncidentStatus> ParseIncidentStatus(std::string_view name) {
  return Parse(kIncidentStatuses, name);
}

const char* RunStatusText(RunStatus status) { return NameOf(kRunStatuses, status); }
std::optional<RunStatus> ParseRunStatus(std::string_view text) { return Parse(kRunStatuses, text); }

const char* JobStatusText(JobStatus status) { return NameOf(kJobStatuses, status); }
std::optional<JobStatus> ParseJobStatus(std::string_view text) { return Parse(kJobStatuses, text); }

const char* TokenKindText(TokenKind kind) { return NameOf(kTokenKinds, kind); }
std::optional<TokenKind> ParseTokenKind(std::string_view text) { return Parse(kTokenKinds, text); }

}  // namespace slipway::store
