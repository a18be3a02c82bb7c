// `slipway env list|status|history|rollback|approve|reconcile` and `slipway rollback ENV`.
#include <cstdio>
#include <thread>

#include "cli/env_backends.h"
#include "util/cancel.h"
#include "util/signal_watcher.h"

namespace slipway::cli {
namespace {

std::string Percent(uint64_t part, uint64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
  return text;
}

std::string Endpoints(const Json& list) {
  std::string text;
  for (const Json& endpoint : list) text += (text.empty() ? "" : " ") + endpoint.get<std::string>();
  return text;
}

void PrintStatus(const Json& status) {
  std::printf("%s (project %s)\n", Field(status, "environment").c_str(),
              Field(status, "project").c_str());
  const Json& stable = status["stable"];
  if (stable.is_object()) {
    std::printf("  stable   %s %s  %d/%d ready, %d restarts%s\n", Field(stable, "revision").c_str(),
                Field(stable, "digest").c_str(), stable.value("ready", 0),
                stable.value("desired", 0), stable.value("restarts", 0),
                stable.value("crash_looping", false) ? ", CRASH-LOOPING" : "");
  } else {
    std::printf("  stable   (none running)\n");
  }
  for (const Json& route : status["routes"]) {
    std::printf("  route    %-4s %3d%%  %s\n", Field(route, "revision").c_str(),
                route.value("weight", 0), Endpoints(route["endpoints"]).c_str());
  }
  if (!Field(status, "router_error").empty()) {
    std::printf("  router   cannot be read: %s\n", Field(status, "router_error").c_str());
  }
  for (const Json& traffic : status["traffic"]) {
    const uint64_t requests = traffic.value("requests", uint64_t{0});
    const uint64_t errors = traffic.value("errors", uint64_t{0});
    std::printf("  traffic  %-4s %llu requests, %llu 5xx (%s)\n",
                Field(traffic, "revision").c_str(), static_cast<unsigned long long>(requests),
                static_cast<unsigned long long>(errors), Percent(errors, requests).c_str());
  }
  if (status["active"].is_object()) {
    const Json& active = status["active"];
    const Json& steps = active["steps"];
    std::printf("  rollout  %s (%s) of %s: %s\n", Field(active, "revision").c_str(),
                Field(active, "strategy").c_str(), Field(active, "artifact").c_str(),
                steps.empty() ? "starting" : Field(steps.back(), "name").c_str());
  } else if (status.value("rollout_elsewhere", false)) {
    std::printf("  rollout  in progress in another process\n");
  }
  for (const Json& drift : status["drift"]) {
    std::printf("  drift    %s %s: %s%s\n", Field(drift, "at").c_str(),
                Field(drift, "kind").c_str(), Field(drift, "message").c_str(),
                drift.value("healed", false) ? " (healed)" : "");
  }
}

void PrintHistory(const Json& records) {
  Table table(
      {"DEPLOY", "REVISION", "STRATEGY", "OUTCOME", "GATE", "BY", "STARTED", "TOOK", "REASON"});
  for (const Json& record : records) {
    // An exempted gate stands out: someone overrode a policy (slipway gate explain ENV.ID).
    auto decision = [&](const char* key) -> std::string {
      const Json& gate = record.contains(key) ? record[key] : Json(nullptr);
      const std::string name = gate.is_object() ? Field(gate, "decision") : "";
      return name == "exempted" ? "EXEMPTED" : name;
    };
    const std::string at_deploy = decision("gate"), at_promote = decision("promote_gate");
    const std::string gate = at_promote.empty()  ? at_deploy
                             : at_deploy.empty() ? "promote " + at_promote
                                                 : at_deploy + ", promote " + at_promote;
    table.Add({std::to_string(record.value("id", 0)), Field(record, "revision"),
               Field(record, "strategy"), Field(record, "outcome"), gate,
               Field(record, "triggered_by"), Ago(record["started"]),
               Elapsed(record["started"], record["finished"]), Field(record, "reason")});
  }
  table.Print();
}

// Shared shape of the ENV-taking subcommands.
int WithEnvironment(
    const std::string& command, const char* summary, const std::vector<std::string>& args,
    const std::function<int(EnvironmentsBackend&, EnvFlags&, const std::string&)>& body,
    const std::function<void(FlagSet&)>& extra_flags = {}) {
  EnvFlags flags;
  FlagSet set(command, "ENVIRONMENT [flags]", summary);
  AddEnvFlags(set, &flags);
  if (extra_flags) extra_flags(set);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto backend = OpenEnvironments(flags);
  if (!backend.ok())
    return backend.status().code() == StatusCode::kInvalidArgument ? UsageError(backend.status())
                                                                   : Fail(backend.status());
  return body(**backend, flags, positionals[0]);
}

int StatusCommand(const std::vector<std::string>& args) {
  bool watch = false;
  return WithEnvironment(
      "slipway env status",
      "Shows what an environment runs: the stable revision and its instances, the router's\n"
      "weights, the built-in proxy's numbers per revision, a rollout in progress, recent drift.",
      args,
      [&](EnvironmentsBackend& backend, EnvFlags& flags, const std::string& environment) {
        CancelToken stop, abort;
        SignalWatcher signals(&stop, &abort);
        do {
          auto status = backend.Describe(flags.project, environment);
          if (!status.ok()) return Fail(status.status());
          if (flags.client.json) {
            PrintJson(*status);
          } else {
            PrintStatus(*status);
          }
          std::fflush(stdout);
        } while (watch && !stop.WaitFor(std::chrono::seconds(1)));
        return 0;
      },
      [&](FlagSet& set) {
        set.Bool("watch", 'w', &watch, "print again every second until Ctrl-C");
      });
}

int History(const std::vector<std::string>& args) {
  return WithEnvironment(
      "slipway env history",
      "Lists an environment's deploys, oldest first, with their outcome and reason.", args,
      [](EnvironmentsBackend& backend, EnvFlags& flags, const std::string& environment) {
        auto records = backend.History(flags.project, environment);
        if (!records.ok()) return Fail(records.status());
        flags.client.json ? PrintJson(*records) : PrintHistory(*records);
        return 0;
      });
}

// `slipway rollback` is the same command under a shorter name.
int RollbackAs(const char* command, const std::vector<std::string>& args) {
  std::string reason;
  return WithEnvironment(
      command,
      "Aborts the environment's rollout in progress: all new requests go back to the stable\n"
      "revision at once, remaining steps and analyses are skipped, the new revision is stopped\n"
      "and the deploy is marked failed with the reason.",
      args,
      [&](EnvironmentsBackend& backend, EnvFlags& flags, const std::string& environment) {
        const std::string why = reason.empty() ? "manual rollback" : "manual rollback: " + reason;
        if (slipway::Status done = backend.Rollback(flags.project, environment, why); !done.ok()) {
          return Fail(done);
        }
        std::printf("%s: rolling back (%s)\n", environment.c_str(), why.c_str());
        return 0;
      },
      [&](FlagSet& set) { set.String("reason", 'r', &reason, "TEXT", "why (recorded)"); });
}

int Rollback(const std::vector<std::string>& args) {
  return RollbackAs("slipway env rollback", args);
}

int Approve(const std::vector<std::string>& args) {
  return WithEnvironment(
      "slipway env approve",
      "Approves the deploy that waits for approvals (protection.approvals; the server counts\n"
      "who approved), or lets a paused rollout go on: a `pause` without duration, an\n"
      "inconclusive analysis, or a blue-green switch that waits for approval.",
      args, [](EnvironmentsBackend& backend, EnvFlags& flags, const std::string& environment) {
        if (slipway::Status done = backend.Approve(flags.project, environment); !done.ok()) {
          return Fail(done);
        }
        std::printf("%s: approved\n", environment.c_str());
        return 0;
      });
}

int Destroy(const std::vector<std::string>& args) {
  return WithEnvironment(
      "slipway env destroy",
      "Takes an environment down: stops every revision and its built-in proxy, and forgets\n"
      "its state and records. Refused while a rollout runs.",
      args, [](EnvironmentsBackend& backend, EnvFlags& flags, const std::string& environment) {
        if (slipway::Status done = backend.Destroy(flags.project, environment); !done.ok()) {
          return Fail(done);
        }
        std::printf("%s: destroyed\n", environment.c_str());
        return 0;
      });
}

int List(const std::vector<std::string>& args) {
  EnvFlags flags;
  FlagSet set("slipway env list", "[flags]", "Lists the environments that have been deployed.");
  AddEnvFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  const bool all_projects = flags.local && flags.project.empty();
  auto backend = OpenEnvironments(flags);
  if (!backend.ok()) return UsageError(backend.status());
  auto list = (*backend)->List(all_projects ? "" : flags.project);
  if (!list.ok()) return Fail(list.status());
  if (flags.client.json) {
    PrintJson(*list);
    return 0;
  }
  Table table({"PROJECT", "ENVIRONMENT"});
  for (const Json& entry : *list) table.Add({Field(entry, "project"), Field(entry, "environment")});
  table.Print();
  return 0;
}

int Reconcile(const std::vector<std::string>& args) {
  EnvFlags flags;
  std::string every;
  FlagSet set("slipway env reconcile", "--local [flags]",
              "Compares the environments deployed on this machine with their desired state (the\n"
              "server does this on its own every few seconds): instances ready, no stray\n"
              "revision, router weights. Prints the drift found and heals it where the\n"
              "environment says `self-heal: true`.");
  AddEnvFlags(set, &flags);
  bool watch = false;
  set.Bool("watch", 'w', &watch, "keep reconciling every 2 seconds until Ctrl-C");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 0, 0)) return *exit;
  if (!flags.local) return UsageError(InvalidArgument("reconcile needs --local"));
  auto backend = OpenEnvironments(flags);
  if (!backend.ok()) return UsageError(backend.status());
  CancelToken stop, abort;
  SignalWatcher signals(&stop, &abort);
  do {
    auto drift = (*backend)->Reconcile();
    if (!drift.ok()) return Fail(drift.status());
    for (const Json& event : *drift) {
      std::printf("%s/%s %s: %s%s\n", Field(event, "project").c_str(),
                  Field(event, "environment").c_str(), Field(event, "kind").c_str(),
                  Field(event, "message").c_str(), event.value("healed", false) ? " (healed)" : "");
    }
    std::fflush(stdout);
  } while (watch && !stop.WaitFor(std::chrono::seconds(2)));
  return 0;
}

}  // namespace

int EnvCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand(
      "env",
      {{"list", "list the environments that have been deployed", List},
       {"status", "show what an environment runs, its weights and live numbers", StatusCommand},
       {"history", "list an environment's deploys", History},
       {"rollback", "abort the rollout in progress: traffic back to stable at once", Rollback},
       {"approve", "approve the deploy waiting for approvals, or let a paused rollout go on",
        Approve},
       {"reject", "reject the deploy waiting for approvals", EnvRejectCommand},
       {"reconcile", "detect (and heal) drift of local environments", Reconcile},
       {"destroy", "stop an environment's revisions and proxy and forget it", Destroy}},
      args);
}

int RollbackCommand(const std::vector<std::string>& args) {
  return RollbackAs("slipway rollback", args);
}

}  // namespace slipway::cli
