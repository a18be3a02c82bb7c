// `slipway runs start|list|show|cancel`: runs of a project on the server.
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "cli/client.h"

namespace slipway::cli {
namespace {

using std::chrono::steady_clock;

// How often `runs start --wait` looks at the run, and how long it rides out a server it
// cannot reach (a restart) before giving up.
constexpr auto kWaitPoll = std::chrono::milliseconds(500);
constexpr auto kUnreachableGrace = std::chrono::seconds(60);

bool IsFinished(const std::string& status) {
  return status == "success" || status == "failure" || status == "cancelled";
}

std::string ShortCommit(const Json& run) { return Field(run, "commit").substr(0, 12); }

std::string RunsPath(const std::string& project) {
  return "/api/v1/projects/" + PathSegment(project) + "/runs";
}

void PrintRunDetail(const Json& run) {
  Table head(
      {"run", Field(run, "project") + "/" + Field(run, "number") + "  " + Field(run, "status")});
  std::string trigger = Field(run, "trigger");
  if (Field(run, "event") != trigger) trigger += " (" + Field(run, "event") + ")";
  if (!Field(run, "created_by").empty()) trigger += " by " + Field(run, "created_by");
  head.Add({"trigger", trigger});
  head.Add({"branch", Field(run, "branch") + " at " + ShortCommit(run)});
  head.Add({"created", Field(run, "created") + " (" + Ago(run.value("created", Json())) + ")"});
  head.Add({"duration", Elapsed(run.value("started", Json()), run.value("finished", Json()))});
  if (const Json inputs = run.value("inputs", Json::object());
      inputs.is_object() && !inputs.empty()) {
    std::string text;
    for (const auto& [name, value] : inputs.items()) {
      text += (text.empty() ? "" : " ") + name + "=" +
              (value.is_string() ? value.get<std::string>() : value.dump());
    }
    head.Add({"inputs", text});
  }
  if (!Field(run, "error").empty()) head.Add({"error", Field(run, "error")});
  head.Print();
  Table jobs({"JOB", "STATUS", "ATTEMPTS", "DURATION", "REASON"});
  for (const Json& job : run.value("jobs", Json::array())) {
    jobs.Add({Field(job, "instance"), Field(job, "status"), Field(job, "attempts"),
              Elapsed(job.value("started", Json()), job.value("finished", Json())),
              Field(job, "reason")});
  }
  if (jobs.size() > 0) {
    std::printf("\n");
    jobs.Print();
  }
}

// Follows run `ref` until it finishes, printing each job's status changes (unless `quiet`);
// returns the finished run's detail.
Result<Json> WaitForRun(Api& api, const RunRef& ref, bool quiet) {
  std::map<std::string, std::string> seen;  // job instance → last status printed
  auto unreachable_since = steady_clock::time_point::max();
  while (true) {
    auto run = api.Get(RunPath(ref));
    if (!run.ok()) {
      if (run.status().code() != StatusCode::kUnavailable) return run.status();
      if (unreachable_since == steady_clock::time_point::max())
        unreachable_since = steady_clock::now();
      if (steady_clock::now() - unreachable_since > kUnreachableGrace) return run.status();
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    unreachable_since = steady_clock::time_point::max();
    if (!quiet) {
      for (const Json& job : run->value("jobs", Json::array())) {
        const std::string instance = Field(job, "instance"), status = Field(job, "status");
        if (seen[instance] == status) continue;
        seen[instance] = status;
        if (status == "waiting") continue;  // every job starts so: not news
        std::printf("%-24s %s\n", instance.c_str(), status.c_str());
        std::fflush(stdout);
      }
    }
    if (IsFinished(Field(*run, "status"))) return run;
    std::this_thread::sleep_for(kWaitPoll);
  }
}

Result<Json> ParseInputs(const std::vector<std::string>& flags) {
  Json inputs = Json::object();
  for (const auto& flag : flags) {
    const size_t eq = flag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--input expects NAME=VALUE, got '" + flag + "'");
    }
    inputs[flag.substr(0, eq)] = flag.substr(eq + 1);
  }
  return inputs;
}

int Start(const std::vector<std::string>& args) {
  ClientFlags flags;
  std::string branch, commit;
  std::vector<std::string> input_flags;
  bool wait = false;
  FlagSet set("slipway runs start", "PROJECT [flags]",
              "Starts a run of PROJECT by hand (the pipeline's on.manual), at the head of its\n"
              "default branch unless told otherwise. With --wait, follows it to the end and exits\n"
              "0 when it succeeded, 1 when it failed or was cancelled.");
  AddClientFlags(set, &flags);
  set.String("branch", 0, &branch, "B", "branch to run (default: the project's)");
  set.String("commit", 0, &commit, "SHA", "commit to run (default: the branch head)");
  set.Strings("input", 0, &input_flags, "NAME=VALUE", "a manual input; repeatable");
  set.Bool("wait", 0, &wait, "follow the run until it finishes; exit by its result");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto inputs = ParseInputs(input_flags);
  if (!inputs.ok()) return UsageError(inputs.status());
  Json body = Json::object();
  if (!branch.empty()) body["branch"] = branch;
  if (!commit.empty()) body["commit"] = commit;
  if (!inputs->empty()) body["inputs"] = *inputs;

  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto run = (*api)->Post(RunsPath(positionals[0]), body);
  if (!run.ok()) return Fail(run.status());
  const RunRef ref{Field(*run, "project"), run->value("number", 0), ""};
  if (!wait) {
    if (flags.json) {
      PrintJson(*run);
    } else {
      std::printf("started run %s/%d (%s at %s)\n", ref.project.c_str(), ref.number,
                  Field(*run, "branch").c_str(), ShortCommit(*run).c_str());
    }
    return 0;
  }
  if (!flags.json) {
    std::printf("started run %s/%d (%s at %s); waiting for it to finish\n", ref.project.c_str(),
                ref.number, Field(*run, "branch").c_str(), ShortCommit(*run).c_str());
    std::fflush(stdout);
  }
  auto finished = WaitForRun(**api, ref, flags.json);
  if (!finished.ok()) return Fail(finished.status());
  if (flags.json) {
    PrintJson(*finished);
  } else {
    std::printf("\n");
    PrintRunDetail(*finished);
  }
  return Field(*finished, "status") == "success" ? 0 : kExitFailure;
}

int List(const std::vector<std::string>& args) {
  ClientFlags flags;
  std::string status;
  int limit = 0, before = 0;
  FlagSet set("slipway runs list", "PROJECT [flags]",
              "Lists PROJECT's runs, newest first, a page at a time.");
  AddClientFlags(set, &flags);
  set.String("status", 0, &status, "S", "only runs in status S (queued, running, success, …)");
  set.Int("limit", 0, &limit, "N", "runs per page (default 50, at most 500)");
  set.Int("before", 0, &before, "ID", "the page after the run with id ID (from the hint)");
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  std::string query;
  if (!status.empty()) query += "&status=" + PathSegment(status);
  if (limit != 0) query += "&limit=" + std::to_string(limit);
  if (before != 0) query += "&before=" + std::to_string(before);
  if (!query.empty()) query[0] = '?';

  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto answer = (*api)->Get(RunsPath(positionals[0]) + query);
  if (!answer.ok()) return Fail(answer.status());
  if (flags.json) {
    PrintJson(*answer);
    return 0;
  }
  Table table({"RUN", "STATUS", "TRIGGER", "BRANCH", "COMMIT", "BY", "CREATED", "DURATION"});
  for (const Json& run : answer->value("runs", Json::array())) {
    table.Add({Field(run, "project") + "/" + Field(run, "number"), Field(run, "status"),
               Field(run, "trigger"), Field(run, "branch"), ShortCommit(run).substr(0, 7),
               Field(run, "created_by"), Ago(run.value("created", Json())),
               Elapsed(run.value("started", Json()), run.value("finished", Json()))});
  }
  if (table.size() == 0) {
    std::printf("no runs\n");
  } else {
    table.Print();
  }
  if (const Json next = answer->value("next_before", Json()); next.is_number()) {
    std::fprintf(stderr, "older runs: slipway runs list %s --before %lld\n", positionals[0].c_str(),
                 next.get<long long>());
  }
  return 0;
}

int Show(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway runs show", "PROJECT/NUMBER [flags]", "Shows a run and its jobs.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto ref = ParseRunRef(positionals[0], /*allow_job=*/false);
  if (!ref.ok()) return UsageError(ref.status());
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto run = (*api)->Get(RunPath(*ref));
  if (!run.ok()) return Fail(run.status());
  if (flags.json) {
    PrintJson(*run);
  } else {
    PrintRunDetail(*run);
  }
  return 0;
}

int Cancel(const std::vector<std::string>& args) {
  ClientFlags flags;
  FlagSet set("slipway runs cancel", "PROJECT/NUMBER [flags]",
              "Cancels a queued or running run: its jobs are stopped.");
  AddClientFlags(set, &flags);
  std::vector<std::string> positionals;
  if (auto exit = ParseOrExit(set, args, &positionals, 1, 1)) return *exit;
  auto ref = ParseRunRef(positionals[0], /*allow_job=*/false);
  if (!ref.ok()) return UsageError(ref.status());
  auto api = Api::Connect(flags);
  if (!api.ok()) return Fail(api.status());
  auto run = (*api)->Post(RunPath(*ref) + "/cancel", Json::object());
  if (!run.ok()) return Fail(run.status());
  if (flags.json) {
    PrintJson(*run);
  } else {
    std::printf("cancelling run %s/%d (it was %s)\n", ref->project.c_str(), ref->number,
                Field(*run, "status").c_str());
  }
  return 0;
}

}  // namespace

int RunsCommand(const std::vector<std::string>& args) {
  return DispatchSubcommand("runs",
                            {{"start", "start a run by hand (--wait to follow it)", Start},
                             {"list", "list a project's runs, newest first", List},
                             {"show", "show a run and its jobs", Show},
                             {"cancel", "cancel a run", Cancel}},
                            args);
}

}  // namespace slipway::cli
