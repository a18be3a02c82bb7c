// `slipway run`: the pipeline in this directory, run locally with the same runner as agents.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <thread>

#include "cache/cache.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "cli/local_paths.h"
#include "deploy/deploy.h"
#include "engine/engine.h"
#include "util/fs.h"
#include "util/signal_watcher.h"
#include "util/subprocess.h"

extern char** environ;

namespace slipway::cli {
namespace {

namespace fs = std::filesystem;

// Secrets shorter than this mask ordinary text too; slipway masks them anyway and warns.
constexpr size_t kShortSecret = 4;

struct RunFlags {
  std::string file = ".slipway.yml";
  std::vector<std::string> jobs, inputs, secrets;
  std::string secrets_file, log_dir, event = "push", branch, cache_dir, kill_grace = "5s";
  std::string state_dir;
  int parallelism = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool json = false, worktree = false, keep = false, no_cache = false;
};

std::string NewRunId() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  std::random_device random;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", random() & 0xffff);
  return std::string(stamp) + "-" + suffix;
}

std::vector<std::string> ProcessEnvironment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  return env;
}

Result<std::map<std::string, std::string>> ParseInputs(const std::vector<std::string>& flags) {
  std::map<std::string, std::string> inputs;
  for (const auto& flag : flags) {
    auto eq = flag.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument("--input expects name=value, got '" + flag + "'");
    }
    inputs[flag.substr(0, eq)] = flag.substr(eq + 1);
  }
  return inputs;
}

int Run(const RunFlags& flags) {
  auto loaded = spec::LoadPipelineFile(flags.file);
  if (!loaded.ok()) {
    for (const auto& diagnostic : loaded.diagnostics) {
      std::fprintf(stderr, "%s\n", diagnostic.ToString().c_str());
    }
    return 1;
  }
  const spec::Pipeline& pipeline = *loaded.pipeline;

  engine::RunOptions options;
  options.run_id = NewRunId();
  options.jobs = flags.jobs;
  options.parallelism = flags.parallelism;
  options.event = flags.event;
  options.environment = ProcessEnvironment();
  auto inputs = ParseInputs(flags.inputs);
  if (!inputs.ok()) return UsageError(inputs.status());
  options.inputs = std::move(*inputs);
  auto secrets = LoadSecrets(flags.secrets, flags.secrets_file);
  if (!secrets.ok()) return UsageError(secrets.status());
  options.secrets = std::move(*secrets);
  for (const auto& [name, value] : options.secrets) {
    if (value.size() < kShortSecret) {
      std::fprintf(stderr,
                   "slipway: warning: secret %s is %zu character(s) long: every occurrence of it "
                   "in the output will be masked\n",
                   name.c_str(), value.size());
    }
  }
  auto grace = spec::ParseDuration(flags.kill_grace);
  if (!grace) {
    return UsageError(InvalidArgument("--kill-grace expects a duration such as 5s, got '" +
                                      flags.kill_grace + "'"));
  }
  options.kill_grace = *grace;

  auto work_dir = MakeTempDir("slipway-run-");
  if (!work_dir.ok()) return Fatal(work_dir.status());
  options.work_dir = *work_dir;
  options.source = *work_dir / "source";
  const fs::path project_dir = fs::absolute(flags.file).parent_path();
  auto source = engine::SnapshotSource(
      project_dir, options.source,
      flags.worktree ? engine::SourceMode::kWorkingTree : engine::SourceMode::kHead);
  if (!source.ok()) {
    (void)RemoveTree(*work_dir);
    return Fatal(source.status());
  }
  options.commit = source->commit;
  options.branch = !flags.branch.empty()     ? flags.branch
                   : !source->branch.empty() ? source->branch
                                             : source->default_branch;
  options.default_branch = source->default_branch;
  options.project = source->project;

  const int out_fd = flags.json ? STDERR_FILENO : STDOUT_FILENO;
  ConsoleObserver console(out_fd, flags.log_dir, isatty(out_fd) == 1);
  std::unique_ptr<cache::Cache> cache;
  if (!flags.no_cache) {
    cache::CacheOptions cache_options;
    cache_options.root = flags.cache_dir.empty() ? DefaultCacheDir() : fs::path(flags.cache_dir);
    cache_options.warn = [&console](const std::string& message) {
      console.Write("slipway: cache: " + message + "\n");
    };
    auto opened = cache::Cache::Open(cache_options);
    if (opened.ok()) {
      cache = std::move(*opened);
    } else {
      console.Write("slipway: warning: caches disabled: " + opened.status().message() + "\n");
    }
  }
  options.cache = cache.get();
  if (!flags.log_dir.empty()) {
    std::error_code ec;
    fs::create_directories(flags.log_dir, ec);
    if (ec) return Fatal(ErrnoStatus("cannot create --log-dir " + flags.log_dir, ec.value()));
  }
  if (!source->from_git) {
    console.Write("slipway: note: " + project_dir.string() +
                  " is not in a git repository (or has no commit): using its files as they are\n");
  }

  // Deploy jobs deploy into environments on this machine; they outlive the run.
  std::error_code ec;
  deploy::Deployments deployments(
      {.state_dir = flags.state_dir.empty() ? DefaultEnvironmentsDir() : fs::path(flags.state_dir),
       .slipway_binary = fs::read_symlink("/proc/self/exe", ec),
       .registry = nullptr,
       .keys = {},
       .health = {},
       .ready_timeout = std::chrono::minutes(2),
       .sli_sources = deploy::PrometheusSliSources(deploy::PrometheusInstantQueries())});
  options.deployer = &deployments;
  if (auto text = ReadFile(flags.file, spec::LoadOptions{}.max_file_bytes); text.ok()) {
    options.pipeline_yaml = std::move(*text);
  }

  CancelToken cancel, abort;
  SignalWatcher signals(&cancel, &abort);
  RealProcessLauncher launcher;
  options.cancel = &cancel;
  options.abort = &abort;
  options.launcher = &launcher;
  options.observer = &console;
  auto result = engine::RunPipeline(pipeline, options);
  if (flags.keep) {
    console.Write("slipway: workspaces kept in " + work_dir->string() + "\n");
  } else {
    (void)RemoveTree(*work_dir);
  }
  if (!result.ok()) return UsageError(result.status());

  console.Write(SummaryTable(*result, isatty(out_fd) == 1));
  if (!flags.log_dir.empty()) console.Write("logs: " + flags.log_dir + "\n");
  if (flags.json) {
    std::string json = ResultJson(*result);
    std::fwrite(json.data(), 1, json.size(), stdout);
    std::fflush(stdout);
  }
  if (signals.signal() != 0) return signals.ExitStatus();
  return result->success ? 0 : 1;
}

}  // namespace

int RunCommand(const std::vector<std::string>& args) {
  RunFlags flags;
  FlagSet set("slipway run", "[flags]",
              "Runs the pipeline locally: independent jobs in parallel, each in a clean workspace\n"
              "holding the repository's files at HEAD. Exit status 0 only when it succeeds.");
  set.String("file", 'f', &flags.file, "FILE", "pipeline file (default .slipway.yml)");
  set.Strings("job", 0, &flags.jobs, "NAME", "run only this job and what it needs (repeatable)");
  set.Int("parallel", 'j', &flags.parallelism, "N", "job instances at once (default: CPU cores)");
  set.Strings("input", 0, &flags.inputs, "NAME=VALUE", "a manual input (repeatable)");
  set.Strings("secret", 0, &flags.secrets, "NAME[=VALUE]",
              "a secret env var, masked in output; without =VALUE taken from $NAME (repeatable)");
  set.String("secrets-file", 0, &flags.secrets_file, "FILE",
             "NAME=VALUE lines (NAME<<EOF heredocs for multi-line values)");
  set.String("log-dir", 0, &flags.log_dir, "DIR", "write each job's full log to DIR/<job>.log");
  set.Bool("json", 0, &flags.json, "print the result as JSON on stdout (live output on stderr)");
  set.String("event", 0, &flags.event, "NAME", "the event expressions see (default push)");
  set.String("branch", 0, &flags.branch, "NAME", "the branch expressions see (default: HEAD's)");
  set.Bool("worktree", 0, &flags.worktree, "use the files as they are, not as committed");
  set.Bool("keep-workspaces", 0, &flags.keep, "keep job workspaces for inspection");
  set.String("cache-dir", 0, &flags.cache_dir, "DIR",
             "job cache location (default $SLIPWAY_CACHE_DIR or ~/.cache/slipway)");
  set.Bool("no-cache", 0, &flags.no_cache, "neither restore nor save job caches");
  set.String("state-dir", 0, &flags.state_dir, "DIR",
             "where deploy jobs keep their environments (default: environments/ in "
             "$SLIPWAY_STATE_DIR, else in ~/.local/state/slipway)");
  set.String("kill-grace", 0, &flags.kill_grace, "DURATION",
             "SIGTERM to SIGKILL delay when a step times out or is cancelled (default 5s)");
  std::vector<std::string> positionals;
  if (Status s = set.Parse(args, &positionals); !s.ok()) return UsageError(s);
  if (set.help_requested()) return PrintHelp(set);
  if (!positionals.empty()) {
    return UsageError(InvalidArgument("unexpected argument '" + positionals[0] +
                                      "' (use --file FILE or --job NAME)"));
  }
  if (flags.parallelism < 1) return UsageError(InvalidArgument("-j must be at least 1"));
  if (flags.event != "push" && flags.event != "schedule" && flags.event != "manual") {
    return UsageError(
        InvalidArgument("--event must be push, schedule or manual, got '" + flags.event + "'"));
  }
  return Run(flags);
}

}  // namespace slipway::cli
