// `slipway gate explain|exempt|exemptions|approve-exemption` and `slipway env reject`: release
// gates (docs/policy.md) through the server's API or, for `explain --local`, the deploy records
// of `slipway run`.
#include <charconv>
#include <cstdio>

#include "cli/commands.h"
#include "cli/env_backends.h"

namespace slipway::cli {
namespace {

// "production.3" or "production 3" → (environment, deploy).
Result<std::pair<std::string, int64_t>> ParseDeploy(const std::vector<std::string>& positionals) {
  std::string environment = positionals[0], number;
  if (positionals.size() == 2) {
    number = positionals[1];
  } else if (const size_t dot = environment.rfind('.'); dot != std::string::npos) {
    number = environment.substr(dot + 1);
    environment.resize(dot);
  }
  int64_t id = 0;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), id);
  if (number.empty() || error != std::errc() || end != number.data() + number.size() || id <= 0) {
    return InvalidArgument(
        "expected a deploy as ENVIRONMENT.ID (production.3) or ENVIRONMENT ID, "
        "got '" +
        positionals[0] + (positionals.size() == 2 ? " " + positionals[1] : "") + "'");
  }
  return std::pair{environment, id};
}

void PrintExemption(const Json& exemption, const char* indent) {
  std::printf("%sEXEMPTION %lld by %s%s, until %s\n%s  justification: %s\n", indent,
              static_cast<long long>(exemption.value("id", int64_t{0})),
              Field(exemption, "requested_by").c_str(),
              Field(exemption, "approved_by").empty()
                  ? ""
                  : (", approved by " + Field(exemption, "approved_by")).c_str(),
              Field(exemption, "expires").c_str(), indent,
              Field(exemption, "justification").c_str());
}

// One decision: its policies and rules, the exemption that overrode it, its input document.
// `label` says which gate ("gate", "promotion gate").
void PrintDecision(const std::string& label, const std::string& environment, int64_t deploy,
                   const Json& gate) {
  const std::string decision = Field(gate, "decision");
  const char* shown = decision == "allow"      ? "ALLOWED"
                      : decision == "exempted" ? "DENIED, EXEMPTED"
                                               : "DENIED";
  std::printf("%s of %s.%lld: %s\n  input %s\n", label.c_str(), environment.c_str(),
              static_cast<long long>(deploy), shown, Field(gate, "input_digest").c_str());
  if (gate.contains("exemption") && gate["exemption"].is_object()) {
    PrintExemption(gate["exemption"], "  ⚠ ");
  }
  const Json& result = gate.contains("result") ? gate["result"] : Json::object();
  for (const Json& policy : result.value("policies", Json::array())) {
    std::printf("\n  policy %s (%s): %s\n", Field(policy, "name").c_str(),
                Field(policy, "mode").c_str(), policy.value("passed", false) ? "passed" : "FAILED");
    for (const Json& rule : policy.value("rules", Json::array())) {
      const bool passed = rule.value("passed", false);
      std::printf(
          "    %s %s\n      %s%s\n", passed ? "✔" : "✘", Field(rule, "rule").c_str(),
          Field(rule, "message").c_str(),
          Field(rule, "error").empty() ? "" : (" (error: " + Field(rule, "error") + ")").c_str());
    }
  }
  std::printf("\n  input document:\n%s\n", gate.value("input", Json::object())
                                               .dump(2, ' ', false, Json::error_handler_t::replace)
                                               .c_str());
}

// The deploy's gate (the top level: the deploy step's decision, or the promote step's when
// no policy gated the start) and, after it, its promotion gate (`promote`) when both ran;
// then the approvals.
void PrintGate(const std::string& environment, int64_t deploy, const Json& gate) {
  const bool top_is_promote = Field(gate, "step") == "promote";
  PrintDecision(top_is_promote ? "promotion gate" : "gate", environment, deploy, gate);
  if (!top_is_promote && gate.contains("promote") && gate["promote"].is_object()) {
    std::printf("\n");
    PrintDecision("promotion gate", environment, deploy, gate["promote"]);
  }
  for (const Json& approval : gate.value("approvals", Json::array())) {
    std::printf(
        "\n  %s by %s (%s) at %s%s\n", Field(approval, "verdict").c_str(),
        Field(approval, "approver").c_str(), Field(approval, "role").c_str(),
        Field(approval, "at").c_str(),
        Field(approval, "comment").empty() ? "" : (": " + Field(approval, "comment")).c_str());
  }
}

int Explain(const std::vector<std::string>& args) {
  EnvFlags flags;
  FlagSet set("slipway gate explain", "ENVIRONMENT.ID | ENVIRONMENT ID [flags]",
              "Shows a deploy's release gate: each policy, each rule with pass or fail and its\n"
              "message, the exemption that overrode a deny, approvals, and the input document the\n"
              "rules saw (with its sha256); then its promotion gate (policies `at: promote`),\n"
              "when one ran.");
  AddEnvFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 2)) return *exit;
  auto deploy = ParseDeploy(positionals);
  if (!deploy.ok()) return UsageError(deploy.status());
  auto backend = OpenEnvironments(flags);
  if (!backend.ok()) return UsageError(backend.status());
  auto gate = (*backend)->Gate(flags.project, deploy->first, deploy->second);
  if (!gate.ok()) return Fail(gate.status());
  if (flags.client.json) {
    PrintJson(*gate);
  } else {
    PrintGate(deploy->first, deploy->second, *gate);
  }
  return 0;
}

int Exempt(const std::vector<std::string>& args) {
  EnvFlags flags;
  std::string justification, duration = "1h";
  FlagSet set("slipway gate exempt", "ENVIRONMENT --justification TEXT [--for 2h] [flags]",
              "Asks for an emergency exemption (break-glass): until it expires, deploys to the\n"
              "environment go on although a policy denies them, and its SLO release freeze is\n"
              "lifted. Needs the releaser role; recorded in the audit trail. When the environment\n"
              "says `exemptions: {second-approval: true}` it is pending until another person\n"
              "approves it (slipway gate approve-exemption).");
  AddEnvFlags(set, &flags);
  set.String("justification", 'j', &justification, "TEXT", "why (required; recorded)");
  set.String("for", 0, &duration, "DURATION", "how long it lasts (default 1h)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  if (justification.find_first_not_of(" \t\r\n") == std::string::npos) {
    return UsageError(
        InvalidArgument("--justification is required: say why the gate may be "
                        "overridden"));
  }
  auto backend = OpenEnvironments(flags);
  if (!backend.ok()) return UsageError(backend.status());
  auto made = (*backend)->Exempt(flags.project, positionals[0], justification, duration);
  if (!made.ok()) return Fail(made.status());
  if (flags.client.json) {
    PrintJson(*made);
    return 0;
  }
  PrintExemption(*made, "⚠ ");
  std::printf("  state: %s\n", Field(*made, "state").c_str());
  return 0;
}

int ListExemptions(const std::vector<std::string>& args) {
  EnvFlags flags;
  FlagSet set("slipway gate exemptions", "ENVIRONMENT [flags]",
              "Lists an environment's emergency exemptions, newest first, with their state\n"
              "(pending a second approval, active, expired).");
  AddEnvFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto backend = OpenEnvironments(flags);
  if (!backend.ok()) return UsageError(backend.status());
  auto list = (*backend)->Exemptions(flags.project, positionals[0]);
  if (!list.ok()) return Fail(list.status());
  if (flags.client.json) {
    PrintJson(*list);
    return 0;
  }
  Table table({"ID", "STATE", "BY", "APPROVED BY", "EXPIRES", "JUSTIFICATION"});
  for (const Json& e : *list) {
    table.Add({std::to_string(e.value("id", int64_t{0})), Field(e, "state"),
               Field(e, "requested_by"), Field(e, "approved_by"), Field(e, "expires"),
               Field(e, "justification")});
  }
  table.Print();
  return 0;
}

int ApproveExemption(const std::vector<std::string>& args) {
  EnvFlags flags;
  FlagSet set("slipway gate approve-exemption", "ENVIRONMENT ID [flags]",
              "Gives an exemption that needs it its second approval (not by who asked for it).");
  AddEnvFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 2, 2)) return *exit;
  auto deploy = ParseDeploy(positionals);  // the same ENVIRONMENT ID shape
  if (!deploy.ok()) return UsageError(deploy.status());
  auto backend = OpenEnvironments(flags);
  if (!backend.ok()) return UsageError(backend.status());
  auto approved = (*backend)->ApproveExemption(flags.project, deploy->first, deploy->second);
  if (!approved.ok()) return Fail(approved.status());
  if (flags.client.json) {
    PrintJson(*approved);
  } else {
    PrintExemption(*approved, "⚠ ");
    std::printf("  state: %s\n", Field(*approved, "state").c_str());
  }
  return 0;
}

}  // namespace

int GateCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand(
      "gate",
      {{"explain", "show a deploy's gate: policies, rules, exemption, input document", Explain},
       {"exempt", "ask for an emergency exemption (break-glass) of an environment", Exempt},
       {"exemptions", "list an environment's exemptions", ListExemptions},
       {"approve-exemption", "give an exemption its second approval", ApproveExemption}},
      args);
}

int EnvRejectCommand(const std::vector<std::string>& args) {
  EnvFlags flags;
  std::string comment;
  FlagSet set("slipway env reject", "ENVIRONMENT [--comment TEXT] [flags]",
              "Rejects the deploy that waits for approvals (protection.approvals): it fails.");
  AddEnvFlags(set, &flags);
  set.String("comment", 'c', &comment, "TEXT", "why (recorded)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto backend = OpenEnvironments(flags);
  if (!backend.ok()) return UsageError(backend.status());
  if (Status done = (*backend)->Reject(flags.project, positionals[0], comment); !done.ok()) {
    return Fail(done);
  }
  std::printf("%s: rejected\n", positionals[0].c_str());
  return 0;
}

}  // namespace slipway::cli
