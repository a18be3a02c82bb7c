// `environments:` — where deploy jobs deploy to: each environment's target, router,
// promotion order, protection rules and variables. Checks that need every environment (names
// in `promote-from`, cycles) are in deploy_check.cc.
#include <algorithm>
#include <cctype>
#include <utility>

#include "spec/analysis_fields.h"
#include "spec/environment_fields.h"
#include "util/hints.h"
#include "util/time_zone.h"

namespace slipway::spec::internal {
namespace {

const std::vector<std::string> kEnvironmentKeys = {"target",     "router",    "promote-from",
                                                   "protection", "self-heal", "variables"};

constexpr int64_t kMaxApprovals = 100;
constexpr Duration kMaxExemption = std::chrono::hours(24 * 7);
// The token roles of the server (store::Role), lowest first.
const std::vector<std::string> kRoles = {"viewer", "developer", "releaser", "admin"};

// Names usable from a shell ($NAME), as in `env:`.
bool IsVariableName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::optional<std::string> ReadCron(LoadContext& context, const Field& field) {
  auto text = context.reader->String(field);
  if (!text) return std::nullopt;
  if (auto error = CronError(*text)) {
    context.reader->Error(field.pos, "invalid cron '" + *text + "': " + *error);
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> ReadTimeZone(LoadContext& context, const Field& field) {
  auto name = context.reader->String(field);
  if (!name) return std::nullopt;
  // Only the name's shape: whether the zone exists depends on the tz database of the machine
  // that applies the window, so an unknown but well-formed name is reported then, not here.
  if (!IsTimeZoneName(*name)) {
    context.reader->Error(field.pos, "'" + *name + "' is not a time zone name",
                          "use an IANA name such as Europe/Berlin, America/New_York or UTC");
    return std::nullopt;
  }
  return name;
}

std::optional<DeployWindow> ReadWindow(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "deploy window", {"cron", "time-zone"});
  if (!map) return std::nullopt;
  DeployWindow window;
  window.pos = field.pos;
  bool ok = true;
  const Field* cron = reader.Require(*map, "cron", "deploy window");
  ok &= cron && Store(ReadCron(context, *cron), &window.cron);
  if (const Field* zone = map->Find("time-zone")) {
    ok &= Store(ReadTimeZone(context, *zone), &window.time_zone);
  }
  if (!ok) return std::nullopt;
  return window;
}

std::vector<std::string> ReadBranches(LoadContext& context, const Field& field) {
  std::vector<std::string> branches;
  auto items = context.reader->StringOrListFields(field);
  if (!items) return branches;
  if (items->empty()) {
    context.reader->Error(field.pos, "'branches' must not be empty",
                          "remove it to allow every branch");
  }
  for (const Field& item : *items) {
    auto pattern = context.reader->String(item);
    if (!pattern) continue;
    if (pattern->starts_with('!')) {
      // Which branches may deploy is an allow-list; an exception is easier to get wrong
      // than to list what is allowed.
      context.reader->Error(item.pos, "protection branches cannot be negated",
                            "list the branches that may deploy");
      continue;
    }
    CheckGlob(context, item, *pattern, /*negatable=*/false);
    branches.push_back(std::move(*pattern));
  }
  return branches;
}

// `approvals: N` or `approvals: {count, role, not-author, expire-after}`.
std::optional<ApprovalsSpec> ReadApprovals(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  ApprovalsSpec approvals;
  approvals.pos = field.key_pos;
  if (!field.node.IsMap()) {
    auto count = reader.Int(field, 0, kMaxApprovals);
    if (!count) return std::nullopt;
    approvals.count = static_cast<int>(*count);
    return approvals;
  }
  auto map = reader.Map(field, "approvals", {"count", "role", "not-author", "expire-after"});
  if (!map) return std::nullopt;
  bool ok = true;
  const Field* count = reader.Require(*map, "count", "approvals");
  ok &= count && Store(reader.Int(*count, 1, kMaxApprovals), &approvals.count);
  if (const Field* role = map->Find("role")) {
    ok &= Store(ReadChoice(context, *role, kRoles), &approvals.role);
  }
  if (const Field* not_author = map->Find("not-author")) {
    ok &= Store(reader.Bool(*not_author), &approvals.not_author);
  }
  if (const Field* expire = map->Find("expire-after")) {
    ok &= Store(ReadDuration(context, *expire), &approvals.expire_after);
  }
  if (!ok) return std::nullopt;
  return approvals;
}

// `exemptions: {second-approval, max-duration}`.
std::optional<ExemptionsSpec> ReadExemptions(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  ExemptionsSpec exemptions;
  exemptions.pos = field.key_pos;
  auto map = reader.Map(field, "exemptions", {"second-approval", "max-duration"});
  if (!map) return std::nullopt;
  bool ok = true;
  if (const Field* second = map->Find("second-approval")) {
    ok &= Store(reader.Bool(*second), &exemptions.second_approval);
  }
  if (const Field* max = map->Find("max-duration")) {
    auto duration = ReadDuration(context, *max);
    if (duration && (*duration < std::chrono::minutes(1) || *duration > kMaxExemption)) {
      reader.Error(max->pos, "an exemption's max-duration must be between 1m and 7d",
                   "break-glass is for emergencies: keep it short");
      duration.reset();
    }
    ok &= Store(duration, &exemptions.max_duration);
  }
  if (!ok) return std::nullopt;
  return exemptions;
}

ProtectionSpec ReadProtection(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  ProtectionSpec protection;
  protection.pos = field.key_pos;
  auto map = reader.Map(field, "protection", {"branches", "windows", "approvals", "exemptions"});
  if (!map) return protection;
  if (const Field* branches = map->Find("branches")) {
    protection.branches = ReadBranches(context, *branches);
  }
  if (const Field* windows = map->Find("windows")) {
    auto items = reader.List(*windows, "a list of {cron, time-zone} windows");
    if (items && items->empty()) {
      reader.Error(windows->pos, "'windows' must not be empty", "remove it to allow any time");
    }
    for (const Field& item : items.value_or(std::vector<Field>{})) {
      if (auto window = ReadWindow(context, item)) protection.windows.push_back(std::move(*window));
    }
  }
  if (const Field* approvals = map->Find("approvals")) {
    if (auto value = ReadApprovals(context, *approvals)) protection.approvals = std::move(*value);
  }
  if (const Field* exemptions = map->Find("exemptions")) {
    if (auto value = ReadExemptions(context, *exemptions)) {
      protection.exemptions = std::move(*value);
    }
  }
  return protection;
}

void ReadPromoteFrom(LoadContext& context, const Field& field, Environment& environment) {
  auto items = context.reader->StringOrListFields(field);
  if (!items) return;
  std::vector<SourcePos>& positions = context.promote_from_positions[environment.name];
  for (const Field& item : *items) {
    auto name = context.reader->String(item);
    // Listing an environment twice means nothing more than listing it once.
    if (!name || std::find(environment.promote_from.begin(), environment.promote_from.end(),
                           *name) != environment.promote_from.end()) {
      continue;
    }
    environment.promote_from.push_back(std::move(*name));
    positions.push_back(item.pos);
  }
}

// Reports a `${{ }}` in `text` (see environment_fields.h); returns whether there was one.
bool ReportTemplate(LoadContext& context, const Field& field, std::string_view text) {
  if (text.find("${{") == std::string_view::npos) return false;
  context.reader->Error(field.pos, "'${{ }}' is not expanded in environment settings",
                        "they are applied outside any run; pass run values to the deploy job's "
                        "artifact instead");
  return true;
}

// The serving and the new revision run side by side during a rollout, so an haproxy backend
// needs a server slot for every instance of both.
void CheckHaproxySlots(LoadContext& context, const Environment& environment) {
  if (!environment.target.process || !environment.router || !environment.router->haproxy) return;
  const HaproxyRouterSpec& haproxy = *environment.router->haproxy;
  const int needed = 2 * environment.target.process->instances;
  if (haproxy.servers >= needed) return;
  context.reader->Error(
      haproxy.pos,
      "haproxy backend '" + haproxy.backend + "' has " + std::to_string(haproxy.servers) +
          " server slots; environment '" + environment.name + "' needs " + std::to_string(needed) +
          " (its instances, twice: two revisions run during a rollout)",
      "set servers (and server-template in haproxy.cfg) to at least " + std::to_string(needed));
}

std::optional<Environment> ReadEnvironment(LoadContext& context, const Field& entry) {
  Reader& reader = *context.reader;
  Environment environment;
  environment.name = entry.key;
  environment.pos = entry.key_pos;
  if (!IsValidName(environment.name)) {
    reader.Error(entry.key_pos, "invalid environment name '" + environment.name + "'",
                 "use letters, digits, '_' and '-', starting with a letter or '_'");
  }
  const std::string what = "environment '" + environment.name + "'";
  auto map = reader.Map(entry, what, kEnvironmentKeys);
  if (!map) return std::nullopt;
  bool ok = true;
  if (const Field* target = map->Find("target")) {
    auto value = ReadTarget(context, *target);
    ok = value.has_value();
    if (value) environment.target = std::move(*value);
  } else {
    reader.Error(entry.key_pos, what + " has no target",
                 "add target: with process: or exec: to say where it runs");
    ok = false;
  }
  if (const Field* router = map->Find("router")) {
    environment.router = ReadRouter(context, *router);
    ok = ok && environment.router.has_value();
  }
  if (const Field* promote = map->Find("promote-from")) {
    ReadPromoteFrom(context, *promote, environment);
  }
  if (const Field* protection = map->Find("protection")) {
    environment.protection = ReadProtection(context, *protection);
  }
  if (const Field* heal = map->Find("self-heal")) {
    if (auto value = reader.Bool(*heal)) environment.self_heal = *value;
  }
  if (const Field* variables = map->Find("variables")) {
    if (auto values = ReadLiteralValues(context, *variables)) {
      environment.variables = std::move(*values);
    }
  }
  if (ok) {
    CheckHaproxySlots(context, environment);
  } else {
    context.broken_environments.push_back(environment.name);
  }
  return environment;
}

}  // namespace

std::optional<std::string> ReadLiteral(LoadContext& context, const Field& field) {
  auto text = context.reader->String(field);
  if (!text || ReportTemplate(context, field, *text)) return std::nullopt;
  return text;
}

std::optional<std::string> ReadNonEmpty(LoadContext& context, const Field& field) {
  auto text = ReadLiteral(context, field);
  if (text && text->find_first_not_of(" \t\r\n") == std::string::npos) {
    context.reader->Error(field.pos, "'" + field.key + "' must not be empty");
    return std::nullopt;
  }
  return text;
}

bool ReadEnvironmentNames(LoadContext& context, const std::vector<Field>& items,
                          std::string_view referrer, std::vector<std::string>& names) {
  const std::vector<std::string>& declared = context.environment_names;
  bool ok = true;
  for (const Field& item : items) {
    auto name = context.reader->String(item);
    if (!name) {
      ok = false;
      continue;
    }
    if (std::find(declared.begin(), declared.end(), *name) == declared.end()) {
      std::string hint = DidYouMean(*name, declared);
      if (hint.empty()) {
        hint = declared.empty() ? "declare it under environments:"
                                : "environments are " + JoinAlternatives(declared);
      }
      context.reader->Error(
          item.pos, std::string(referrer) + " names '" + *name + "', which is not an environment",
          std::move(hint));
      ok = false;
      continue;
    }
    if (std::find(names.begin(), names.end(), *name) == names.end()) names.push_back(*name);
  }
  return ok;
}

std::optional<NamedValues> ReadLiteralValues(LoadContext& context, const Field& field) {
  auto map = context.reader->Map(field, field.key);
  if (!map) return std::nullopt;
  NamedValues values;
  for (const Field& entry : map->entries()) {
    if (!IsVariableName(entry.key)) {
      context.reader->Error(entry.key_pos, "invalid environment variable name '" + entry.key + "'",
                            "use letters, digits and '_', not starting with a digit");
      continue;
    }
    auto text = context.reader->ScalarText(entry);
    if (!text) continue;
    if (ReportTemplate(context, entry, *text)) continue;
    values.emplace_back(entry.key, std::move(*text));
  }
  return values;
}

std::vector<Environment> ReadEnvironments(LoadContext& context, const Field& field) {
  std::vector<Environment> environments;
  if (field.node.IsNull()) {
    context.reader->Error(field.key_pos, "'environments' is empty",
                          "define an environment, or remove the key");
    return environments;
  }
  auto map = context.reader->Map(field, "environments");
  if (!map) return environments;
  if (map->entries().empty() && field.node.size() == 0) {
    context.reader->Error(field.pos, "'environments' is empty",
                          "define an environment, or remove the key");
  }
  for (const Field& entry : map->entries()) context.environment_names.push_back(entry.key);
  for (const Field& entry : map->entries()) {
    if (auto environment = ReadEnvironment(context, entry)) {
      environments.push_back(std::move(*environment));
    }
  }
  return environments;
}

}  // namespace slipway::spec::internal
