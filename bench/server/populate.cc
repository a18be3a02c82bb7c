// Fills a slipway SQLite (or PostgreSQL) database directly through store::Store, for the server
// benchmarks (bench/server/run): a project with N finished runs of one job each, and optionally
// one run whose single job has a log of the bytes of FILE (for the log range-read benchmark).
//
// Usage: server_populate DB_URL PROJECT REPO RUNS [LOG_FILE]
// Prints the seconds it took. Run it before the server starts (SQLite: one server per file).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "store/store.h"

using namespace slipway;
using Clock = std::chrono::system_clock;

namespace {

int Fail(const char* what, const Status& status) {
  std::fprintf(stderr, "server_populate: %s: %s\n", what, status.ToString().c_str());
  return 1;
}

constexpr char kPipeline[] =
    "name: bench\non: manual\njobs:\n  build:\n    steps:\n      - run: \"true\"\n";

store::Run NewRun(int64_t project_id, Clock::time_point created) {
  store::Run run;
  run.project_id = project_id;
  run.trigger = "manual";
  run.event = "manual";
  run.ref = "refs/heads/main";
  run.branch = "main";
  run.commit = std::string(40, 'a');
  run.pipeline_yaml = kPipeline;
  run.created_by = "bench";
  run.created = created;
  return run;
}

store::Job NewJob(Clock::time_point created) {
  store::Job job;
  job.instance_id = "build";
  job.job_name = "build";
  job.created = created;
  return job;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: server_populate DB_URL PROJECT REPO RUNS [LOG_FILE]\n");
    return 2;
  }
  const auto begin = std::chrono::steady_clock::now();
  store::OpenOptions options;
  options.url = argv[1];
  auto opened = store::Open(options);
  if (!opened.ok()) return Fail("open", opened.status());
  store::Store& db = **opened;

  store::Project project;
  project.name = argv[2];
  project.repo = argv[3];
  project.default_branch = "main";
  project.poll_interval_seconds = 0;
  project.created = Clock::now();
  auto created = db.CreateProject(project);
  if (!created.ok()) return Fail("create project", created.status());

  const long runs = std::stol(argv[4]);
  // Spread the runs' times over the past, one a minute, oldest first.
  const auto now = Clock::now();
  for (long i = 0; i < runs; ++i) {
    const auto at = now - std::chrono::minutes(runs - i);
    store::Run run = NewRun(created->id, at);
    run.status = store::RunStatus::kSuccess;
    run.started = at + std::chrono::milliseconds(20);
    run.finished = at + std::chrono::milliseconds(900);
    store::Job job = NewJob(at);
    job.status = store::JobStatus::kSuccess;
    job.attempts = 1;
    job.queued = at + std::chrono::milliseconds(10);
    job.started = at + std::chrono::milliseconds(20);
    job.finished = at + std::chrono::milliseconds(900);
    auto stored = db.CreateRun(run, {job});
    if (!stored.ok()) return Fail("create run", stored.status());
  }
  const double runs_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::printf("runs %ld in %.2f s\n", runs, runs_s);

  if (argc > 5) {
    // One queued run, leased by a made-up agent, its log appended in 1 MiB chunks as an agent
    // would, then finished: the server's dispatcher settles it when it starts.
    const auto log_begin = std::chrono::steady_clock::now();
    store::Agent agent;
    agent.name = "bench-log-agent";
    agent.registered = agent.last_seen = Clock::now();
    auto registered = db.RegisterAgent(agent);
    if (!registered.ok()) return Fail("register agent", registered.status());
    store::Run run = NewRun(created->id, Clock::now());
    store::Job job = NewJob(run.created);
    job.status = store::JobStatus::kQueued;
    job.queued = run.created;
    auto stored = db.CreateRun(run, {job});
    if (!stored.ok()) return Fail("create log run", stored.status());
    store::LeaseRequest request;
    request.agent_id = registered->id;
    request.lease = std::chrono::hours(1);
    request.now = Clock::now();
    auto lease = db.LeaseJob(request);
    if (!lease.ok() || !lease->has_value()) return Fail("lease", lease.status());
    const int64_t attempt = (*lease)->attempt.id;
    std::ifstream in(argv[5], std::ios::binary);
    std::vector<char> chunk(1 << 20);
    int64_t offset = 0;
    while (in) {
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      const auto got = in.gcount();
      if (got <= 0) break;
      Status s = db.AppendLog(attempt, offset, std::string_view(chunk.data(), got));
      if (!s.ok()) return Fail("append log", s);
      offset += got;
    }
    if (Status s = db.CloseLog(attempt); !s.ok()) return Fail("close log", s);
    store::AttemptResult result;
    result.outcome = "success";
    result.exit_code = 0;
    result.ended = Clock::now();
    if (Status s = db.FinishAttempt(attempt, (*lease)->attempt.lease_token, result); !s.ok()) {
      return Fail("finish", s);
    }
    const double log_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - log_begin).count();
    std::printf("log run %lld: %lld bytes in %.2f s\n", static_cast<long long>(stored->number),
                static_cast<long long>(offset), log_s);
  }
  return 0;
}
