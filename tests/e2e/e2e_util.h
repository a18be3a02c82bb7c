// Shared fixture of the end-to-end tests: each test gets a private temporary directory holding
// a git repository (the project under test), a cache directory, and a state directory outside
// any workspace where pipelines leave evidence (counters, timestamps). Tests drive the real
// `slipway` binary (SLIPWAY_BINARY) as a user would and look at what a user sees: exit status,
// stdout, stderr, log files and the --json result.
//
// Every slipway process started here gets, besides this process's environment:
//   E2E_STATE   the state directory (outside every workspace)
//   E2E_MARKER  a string unique to the test; scripts put it into the command lines of the
//               processes they start so a test can find survivors in /proc
//   SLIPWAY_CACHE_DIR  the test's private cache (also passed as --cache-dir to `run`)
//   SLIPWAY_STATE_DIR  the test's private environments (deploy jobs of `run`)
//   TMPDIR      a private directory, checked for slipway's leftovers when the test ends
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "util/fs.h"
#include "util/subprocess.h"

extern char** environ;

namespace slipway::e2e {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Env = std::map<std::string, std::string>;

// How long any one slipway invocation may take before the test gives up on it (a hang is a
// failure, not a reason to block the suite forever). Not a performance threshold.
inline constexpr std::chrono::seconds kHangLimit{60};

// A loopback port nothing listens on now (free when this returns, not reserved), for the
// addresses pipelines under test declare (an environment's proxy).
inline uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0;
  ::close(fd);
  return bound ? ntohs(address.sin_port) : 0;
}

inline std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

// EXPECT_CONTAINS(text, needle) / EXPECT_NOT_CONTAINS(text, needle): substring checks that
// print the whole text when they fail (e2e_test links gtest without gmock).
inline ::testing::AssertionResult TextContains(const char* text_expr, const char* needle_expr,
                                               const std::string& text, const std::string& needle) {
  if (text.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << text_expr << " does not contain " << needle_expr << " (\"" << needle << "\"); it is:\n"
         << text;
}
inline ::testing::AssertionResult TextLacks(const char* text_expr, const char* needle_expr,
                                            const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  if (at == std::string::npos) return ::testing::AssertionSuccess();
  const size_t from = at < 200 ? 0 : at - 200;
  return ::testing::AssertionFailure()
         << text_expr << " contains " << needle_expr << " (\"" << needle << "\") at offset " << at
         << ":\n..." << text.substr(from, 400) << "...";
}
#define EXPECT_CONTAINS(text, needle) \
  EXPECT_PRED_FORMAT2(::slipway::e2e::TextContains, text, needle)
#define EXPECT_NOT_CONTAINS(text, needle) \
  EXPECT_PRED_FORMAT2(::slipway::e2e::TextLacks, text, needle)

// The row of job instance `id` in the summary table at the end of `text` ("" if none).
inline std::string SummaryRow(const std::string& text, const std::string& id) {
  std::string row;
  for (const auto& line : Lines(text)) {
    if (line.size() > id.size() && line.compare(0, id.size(), id) == 0 && line[id.size()] == ' ' &&
        line.find_first_not_of(' ', id.size()) > id.size() + 1) {
      row = line;
    }
  }
  return row;
}

// What one finished slipway invocation left.
struct Outcome {
  int exit_code = -1;  // -1 when it was killed by a signal
  int signal = 0;
  std::string out, err;
  Json json;  // stdout parsed as JSON when --json was given and it parsed; else null

  std::string all() const { return out + err; }
  // The job instance `id` in the --json result; a null JSON (and a test failure) if absent.
  const Json& Job(const std::string& id) const {
    static const Json kNull;
    if (json.is_object() && json.contains("jobs")) {
      for (const auto& job : json["jobs"]) {
        if (job.value("id", "") == id) return job;
      }
    }
    ADD_FAILURE() << "no job '" << id << "' in the --json result:\n" << json.dump(2);
    return kNull;
  }
  std::string Result(const std::string& id) const {
    const Json& job = Job(id);
    return job.is_object() ? job.value("result", "") : "";
  }
  std::vector<std::string> JobIds() const {
    std::vector<std::string> ids;
    if (json.is_object() && json.contains("jobs")) {
      for (const auto& job : json["jobs"]) ids.push_back(job.value("id", ""));
    }
    return ids;
  }
};

inline std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "exit " << o.exit_code << " signal " << o.signal << "\n--- stdout ---\n"
            << o.out << "\n--- stderr ---\n"
            << o.err;
}

// A started slipway process; its stdout and stderr go to files until it is waited for.
class Process {
 public:
  Process(pid_t pid, fs::path out, fs::path err, bool json)
      : pid_(pid), out_(std::move(out)), err_(std::move(err)), json_(json) {}
  Process(Process&& other) noexcept
      : pid_(std::exchange(other.pid_, -1)),
        out_(std::move(other.out_)),
        err_(std::move(other.err_)),
        json_(other.json_) {}
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }
  void Signal(int sig) const { ::kill(pid_, sig); }

  // Waits for the process (killing it after kHangLimit, which fails the test).
  Outcome Wait() {
    Outcome outcome;
    if (pid_ <= 0) {
      ADD_FAILURE() << "slipway was not started";
      return outcome;
    }
    const auto deadline = std::chrono::steady_clock::now() + kHangLimit;
    int status = 0;
    while (true) {
      pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "slipway still running after " << kHangLimit.count() << "s: killed";
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
    outcome.out = ReadText(out_);
    outcome.err = ReadText(err_);
    if (json_) {
      outcome.json = Json::parse(outcome.out, nullptr, /*allow_exceptions=*/false);
      if (outcome.json.is_discarded()) {
        ADD_FAILURE() << "--json output does not parse:\n" << outcome;
        outcome.json = Json();
      }
    }
    return outcome;
  }

 private:
  pid_t pid_;
  fs::path out_, err_;
  bool json_;
};

// Intervals [start, end] in nanoseconds keyed by who wrote them, read from lines
// "start ID NS" / "end ID NS" appended to a file by steps (`date +%s%N`).
struct Interval {
  std::string id;
  long long start = 0, end = 0;
};

inline std::vector<Interval> ReadIntervals(const fs::path& file) {
  std::map<std::string, Interval> by_id;
  for (const auto& line : Lines(ReadText(file))) {
    std::istringstream in(line);
    std::string what, id;
    long long ns = 0;
    if (!(in >> what >> id >> ns)) continue;
    Interval& interval = by_id[id];
    interval.id = id;
    (what == "start" ? interval.start : interval.end) = ns;
  }
  std::vector<Interval> intervals;
  for (auto& [id, interval] : by_id) intervals.push_back(interval);
  return intervals;
}

// The largest number of intervals that were open at one instant.
inline int MaxOverlap(const std::vector<Interval>& intervals) {
  std::vector<std::pair<long long, int>> events;  // ends sort before starts at equal times
  for (const auto& i : intervals) {
    events.emplace_back(i.start, +1);
    events.emplace_back(i.end, -1);
  }
  std::sort(events.begin(), events.end());
  int open = 0, most = 0;
  for (const auto& [time, delta] : events) {
    open += delta;
    most = std::max(most, open);
  }
  return most;
}

// Shell lines for a step that records its interval under `id` in $E2E_STATE/`file`.
inline std::string RecordStart(const std::string& id, const std::string& file = "events") {
  return "echo \"start " + id + " $(date +%s%N)\" >> \"$E2E_STATE/" + file + "\"";
}
inline std::string RecordEnd(const std::string& id, const std::string& file = "events") {
  return "echo \"end " + id + " $(date +%s%N)\" >> \"$E2E_STATE/" + file + "\"";
}

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto root = MakeTempDir("slipway-e2e-");
    ASSERT_TRUE(root.ok()) << root.status().message();
    root_ = *root;
    repo_ = root_ / "repo";
    cache_dir_ = root_ / "cache";
    state_ = root_ / "state";
    fs::create_directories(repo_);
    fs::create_directories(state_);
    fs::create_directories(root_ / "tmp");
    std::random_device random;
    marker_ = "e2emark" + std::to_string(::getpid()) + "x" + std::to_string(random());
  }

  void TearDown() override {
    // slipway removes its scratch directory (workspaces, artifacts) however the run ends.
    for (const auto& dir : LeftoverWorkDirs()) ADD_FAILURE() << "slipway left " << dir;
    for (pid_t pid : MarkerProcesses()) ::kill(pid, SIGKILL);  // never leave garbage behind
    if (!root_.empty()) (void)RemoveTree(root_);
  }

  // Writes `text` to `relative` in the repository (parents created); not committed.
  void Write(const std::string& relative, const std::string& text, bool executable = false) {
    const fs::path path = repo_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    fs::permissions(path, executable ? fs::perms(0755) : fs::perms(0644));
  }

  // Runs git in the repository and returns its output; fails the test when git fails.
  std::string Git(const std::vector<std::string>& args) {
    ProcessSpec spec;
    spec.argv = {"git"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.cwd = repo_;
    spec.env = Environment({});
    std::string output;
    ProcessOutcome outcome = RunProcess(
        spec, [&](std::string_view chunk) { output.append(chunk); }, nullptr);
    EXPECT_TRUE(outcome.kind == ProcessOutcome::Kind::kExited && outcome.exit_code == 0)
        << "git failed: " << outcome.error << "\n"
        << output;
    return output;
  }

  // Commits everything in the repository (initialising it on branch main the first time).
  void Commit(const std::string& message = "e2e") {
    if (!fs::exists(repo_ / ".git")) Git({"init", "-q", "-b", "main"});
    Git({"add", "-A"});
    Git({"commit", "-q", "--allow-empty", "-m", message});
  }

  // Writes the pipeline as .slipway.yml and commits it with whatever else was written.
  void CommitPipeline(const std::string& yaml) {
    Write(".slipway.yml", yaml);
    Commit();
  }

  // Starts `slipway ARGS` in the repository with this process's environment plus the test's
  // variables plus `env`.
  // When `stdout_fd` is not -1 it becomes slipway's stdout instead of a file (Outcome.out is
  // then empty), and its stderr too when `merge_stderr`; the caller closes its copy.
  Process Start(const std::vector<std::string>& args, const Env& env = {}, int stdout_fd = -1,
                bool merge_stderr = false) {
    static int invocation = 0;
    const std::string n = std::to_string(++invocation);
    const fs::path out = root_ / ("stdout." + n), err = root_ / ("stderr." + n);
    std::vector<std::string> argv = {SLIPWAY_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> envs = Environment(env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (stdout_fd >= 0) {
      posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);
    } else {
      posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    if (stdout_fd >= 0 && merge_stderr) {
      posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDERR_FILENO);
    } else {
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    posix_spawn_file_actions_addchdir_np(&actions, repo_.c_str());
    std::vector<char*> c_argv, c_env;
    for (auto& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    for (auto& e : envs) c_env.push_back(e.data());
    c_env.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), c_env.data());
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << SLIPWAY_BINARY;
    const bool json = std::find(args.begin(), args.end(), "--json") != args.end();
    return Process(rc == 0 ? pid : -1, out, err, json);
  }

  // `slipway ARGS`, run to completion.
  Outcome Slipway(const std::vector<std::string>& args, const Env& env = {}) {
    return Start(args, env).Wait();
  }

  // `slipway run --cache-dir <private> ARGS`.
  std::vector<std::string> RunArgs(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"run", "--cache-dir", cache_dir_.string()};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }
  Outcome Run(const std::vector<std::string>& args = {}, const Env& env = {}) {
    return Slipway(RunArgs(args), env);
  }
  Process StartRun(const std::vector<std::string>& args = {}, const Env& env = {}) {
    return Start(RunArgs(args), env);
  }

  // slipway's scratch directories ($TMPDIR/slipway-run-*) that still exist.
  std::vector<fs::path> LeftoverWorkDirs() const {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ / "tmp", ec)) {
      if (entry.path().filename().string().rfind("slipway-run-", 0) == 0) {
        dirs.push_back(entry.path());
      }
    }
    return dirs;
  }

  // Pids of live processes whose command line contains the test's marker.
  std::vector<pid_t> MarkerProcesses() const {
    std::vector<pid_t> pids;
    if (marker_.empty()) return pids;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return pids;
    while (dirent* entry = ::readdir(proc)) {
      const std::string name = entry->d_name;
      if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
      const pid_t pid = std::stoi(name);
      if (pid == ::getpid()) continue;
      std::string cmdline = ReadText(fs::path("/proc") / name / "cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (cmdline.find(marker_) != std::string::npos) pids.push_back(pid);
    }
    ::closedir(proc);
    return pids;
  }

  // Marker processes still alive once a killed one has had a moment to be torn down by the
  // kernel (a dying process can show its command line for an instant after the kill).
  std::vector<pid_t> SurvivingMarkerProcesses() const {
    for (int i = 0; i < 100; ++i) {
      if (MarkerProcesses().empty()) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return MarkerProcesses();
  }

  // Waits until `count` marker processes run (a step started them in the background and
  // they may not have exec'ed yet), up to kHangLimit.
  bool WaitForMarkerProcesses(size_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + kHangLimit;
    while (MarkerProcesses().size() < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  // Waits until `path` exists (a step reached a point), up to kHangLimit.
  static bool WaitForFile(const fs::path& path) {
    const auto deadline = std::chrono::steady_clock::now() + kHangLimit;
    while (!fs::exists(path)) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  fs::path root_, repo_, cache_dir_, state_;
  std::string marker_;

 private:
  std::vector<std::string> Environment(const Env& extra) const {
    Env env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      std::string text = *entry;
      const auto eq = text.find('=');
      if (eq == std::string::npos) continue;
      const std::string name = text.substr(0, eq);
      // A developer's or CI's own slipway settings must not leak into the test.
      if (name.rfind("SLIPWAY", 0) == 0 || name.rfind("GIT_", 0) == 0) continue;
      env[name] = text.substr(eq + 1);
    }
    env["E2E_STATE"] = state_.string();
    env["TMPDIR"] = (root_ / "tmp").string();  // where slipway makes its scratch directory
    env["E2E_MARKER"] = marker_;
    env["SLIPWAY_CACHE_DIR"] = cache_dir_.string();
    env["SLIPWAY_STATE_DIR"] = (root_ / "local-state").string();  // environments of deploy jobs
    env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = "e2e";
    env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = "e2e@example.com";
    env["GIT_CONFIG_NOSYSTEM"] = "1";
    env["GIT_CONFIG_GLOBAL"] = "/dev/null";
    for (const auto& [name, value] : extra) env[name] = value;
    std::vector<std::string> entries;
    for (const auto& [name, value] : env) entries.push_back(name + "=" + value);
    return entries;
  }
};

}  // namespace slipway::e2e
