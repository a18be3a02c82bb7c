// Runs the cel-spec conformance suite (extracted by extract.mjs into a JSON array of cases)
// through expr::Expression::Parse, expr::CheckType (unless the case disables checking) and
// expr::Evaluate, prints a per-file table, and fails when a
// file passes fewer cases than its committed floor (floor.json): an honest regression gate that
// the floor is raised on as the language grows (--write-floor).
//
// Usage: expr_conformance [--cases FILE] [--floor FILE] [--file NAME] [--name TEXT]
//                         [--failures] [--markdown] [--write-floor]
//   --failures   list each failing case: expression, expected, got
//   --file NAME  only the cases of one file (e.g. "macros"); --name TEXT: whose name contains TEXT
//   --markdown   the table as Markdown (docs/cel.md)
//   --write-floor  write the current pass counts as the new floor (only for a full run)
//
// Each case runs in a forked child with a time limit, so a crash or hang in the evaluator is
// reported as that case's failure instead of ending the run.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "expr/conformance/proto_json.h"
#include "expr/expr.h"

namespace slipway::conformance {
namespace {

using nlohmann::json;

constexpr unsigned kCaseSeconds = 10;

struct Options {
  std::string cases = SLIPWAY_CONFORMANCE_CASES;
  std::string floor = SLIPWAY_CONFORMANCE_FLOOR;
  std::string file, name;
  bool failures = false, markdown = false, write_floor = false;
};

struct Outcome {
  bool passed = false;
  std::string got;  // what the case produced, when it failed
};

// Runs one case in this process. Never returns on a crash; the caller isolates it.
Outcome RunCase(const json& c) {
  auto parsed = expr::Expression::Parse(c.at("expr").get<std::string>());
  if (auto* error = std::get_if<expr::Error>(&parsed))
    return {false, "parse error: column " + std::to_string(error->column) + ": " + error->message};
  if (c.value("check", false)) {
    expr::Scope scope;
    try {
      if (auto types = c.find("types"); types != c.end())
        for (auto it = types->begin(); it != types->end(); ++it)
          scope.variables.insert_or_assign(it.key(), TypeFromProtoJson(it.value()));
    } catch (const std::exception& e) {
      return {false, std::string("harness: declaration: ") + e.what()};
    }
    auto checked = expr::CheckType(std::get<expr::Expression>(parsed), scope);
    if (auto* error = std::get_if<expr::Error>(&checked))
      return {false,
              "check error: column " + std::to_string(error->column) + ": " + error->message};
    if (auto deduced = c.find("deducedType"); deduced != c.end()) {
      const std::string expected = TypeFromProtoJson(*deduced).ToString();
      const std::string got = std::get<expr::Type>(checked).ToString();
      if (got != expected) return {false, "deduced type " + got + ", expected " + expected};
    }
  }
  if (c.at("expect") == "type") return {true, {}};
  expr::Activation activation;
  try {
    if (auto bindings = c.find("bindings"); bindings != c.end())
      for (auto it = bindings->begin(); it != bindings->end(); ++it)
        activation.variables.insert_or_assign(expr::Value(it.key()), FromProtoJson(it.value()));
  } catch (const std::exception& e) {
    return {false, std::string("harness: binding: ") + e.what()};
  }
  auto result = expr::Evaluate(std::get<expr::Expression>(parsed), activation);
  if (auto* error = std::get_if<expr::Error>(&result)) {
    if (c.at("expect") == "error") return {true, {}};
    return {false, "error: " + error->message};
  }
  const auto& value = std::get<expr::Value>(result);
  if (c.at("expect") == "error") return {false, Describe(value) + " (expected an error)"};
  try {
    if (SameValue(value, FromProtoJson(c.at("value")))) return {true, {}};
  } catch (const std::exception& e) {
    return {false, std::string("harness: expected value: ") + e.what()};
  }
  return {false, Describe(value)};
}

// Runs one case in a child process: a crash or a hang is a failure of that case.
Outcome RunIsolated(const json& c) {
  int fds[2];
  if (pipe(fds) != 0) return {false, "harness: pipe failed"};
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(kCaseSeconds);
    Outcome outcome = RunCase(c);
    std::string message = (outcome.passed ? "1" : "0") + outcome.got;
    for (size_t done = 0; done < message.size();) {
      ssize_t n = write(fds[1], message.data() + done, message.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string message;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
    message.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return {false, sig == SIGALRM
                       ? "hang: no result in " + std::to_string(kCaseSeconds) + " s"
                       : "crash: signal " + std::to_string(sig) + " (" + strsignal(sig) + ")"};
  }
  if (message.empty()) return {false, "crash: exit status " + std::to_string(WEXITSTATUS(status))};
  return {message[0] == '1', message.substr(1)};
}

struct Tally {
  int total = 0, run = 0, passed = 0;
  std::map<std::string, int> skipped;  // by reason
};

std::string Expected(const json& c) {
  if (c.at("expect") == "error") return "an error";
  if (c.at("expect") == "type") return "type " + c.at("deducedType").dump();
  try {
    return Describe(FromProtoJson(c.at("value")));
  } catch (const std::exception& e) {
    return c.at("value").dump();
  }
}

std::string Rate(int passed, int run) {
  if (run == 0) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * passed / run);
  return buf;
}

void PrintTable(const std::map<std::string, Tally>& files, const json& floor, bool markdown) {
  const char* header = "file | total | skipped | run | passed | failed | pass rate | floor";
  if (markdown) {
    std::printf("| %s |\n|---|--:|---|--:|--:|--:|--:|--:|\n", header);
  } else {
    std::printf("%-14s %6s %-28s %5s %6s %6s %9s %6s\n", "file", "total", "skipped (reason)", "run",
                "passed", "failed", "pass rate", "floor");
  }
  Tally all;
  for (const auto& [file, t] : files) {
    std::string skipped;
    int nskipped = 0;
    for (const auto& [reason, n] : t.skipped) {
      skipped += (skipped.empty() ? "" : ", ") + std::to_string(n) + " " + reason;
      nskipped += n;
      all.skipped[reason] += n;
    }
    if (skipped.empty()) skipped = "0";
    std::string floor_text = floor.contains(file) ? std::to_string(floor[file].get<int>()) : "-";
    if (markdown) {
      std::printf("| %s | %d | %s | %d | %d | %d | %s | %s |\n", file.c_str(), t.total,
                  skipped.c_str(), t.run, t.passed, t.run - t.passed, Rate(t.passed, t.run).c_str(),
                  floor_text.c_str());
    } else {
      std::printf("%-14s %6d %-28s %5d %6d %6d %9s %6s\n", file.c_str(), t.total,
                  (nskipped ? std::to_string(nskipped) : std::string("0")).c_str(), t.run, t.passed,
                  t.run - t.passed, Rate(t.passed, t.run).c_str(), floor_text.c_str());
    }
    all.total += t.total;
    all.run += t.run;
    all.passed += t.passed;
  }
  std::string skipped;
  for (const auto& [reason, n] : all.skipped)
    skipped += (skipped.empty() ? "" : ", ") + std::to_string(n) + " " + reason;
  if (markdown) {
    std::printf("| **all** | %d | %s | %d | %d | %d | **%s** | |\n", all.total, skipped.c_str(),
                all.run, all.passed, all.run - all.passed, Rate(all.passed, all.run).c_str());
  } else {
    std::printf("%-14s %6d %-28s %5d %6d %6d %9s\nskipped: %s\n", "all", all.total, "", all.run,
                all.passed, all.run - all.passed, Rate(all.passed, all.run).c_str(),
                skipped.c_str());
  }
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "expr_conformance: %s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--cases")
      o.cases = value();
    else if (arg == "--floor")
      o.floor = value();
    else if (arg == "--file")
      o.file = value();
    else if (arg == "--name")
      o.name = value();
    else if (arg == "--failures")
      o.failures = true;
    else if (arg == "--markdown")
      o.markdown = true;
    else if (arg == "--write-floor")
      o.write_floor = true;
    else {
      std::fprintf(stderr, "expr_conformance: unknown argument %s (see the file's header)\n",
                   arg.c_str());
      return 2;
    }
  }
  std::ifstream cases_in(o.cases);
  if (!cases_in) {
    std::fprintf(stderr,
                 "expr_conformance: cannot read %s (it is made by node extract.mjs from "
                 "@bufbuild/cel-spec, which scripts/setup installs)\n",
                 o.cases.c_str());
    return 2;
  }
  json cases = json::parse(cases_in);
  json floor = json::object();
  if (std::ifstream floor_in(o.floor); floor_in) floor = json::parse(floor_in);

  std::map<std::string, Tally> files;
  for (const auto& c : cases) {
    const std::string file = c.at("file"),
                      full_name = c.value("section", "") + "/" + c.at("name").get<std::string>();
    if (!o.file.empty() && file != o.file) continue;
    if (!o.name.empty() && full_name.find(o.name) == std::string::npos) continue;
    Tally& t = files[file];
    ++t.total;
    if (c.contains("skip")) {
      ++t.skipped[c.at("skip").get<std::string>()];
      continue;
    }
    ++t.run;
    Outcome outcome = RunIsolated(c);
    if (outcome.passed) {
      ++t.passed;
    } else if (o.failures) {
      std::printf("FAIL %s %s\n  expr:     %s\n  expected: %s\n  got:      %s\n", file.c_str(),
                  full_name.c_str(), c.at("expr").get<std::string>().c_str(), Expected(c).c_str(),
                  outcome.got.c_str());
    }
  }
  PrintTable(files, floor, o.markdown);

  const bool full_run = o.file.empty() && o.name.empty();
  if (o.write_floor) {
    if (!full_run) {
      std::fprintf(stderr, "expr_conformance: --write-floor needs a full run (no --file/--name)\n");
      return 2;
    }
    json new_floor = json::object();
    for (const auto& [file, t] : files)
      if (t.run > 0) new_floor[file] = t.passed;
    std::ofstream(o.floor) << new_floor.dump(2) << "\n";
    std::printf("wrote %s\n", o.floor.c_str());
    return 0;
  }
  int below = 0;
  for (const auto& [file, minimum] : floor.items()) {
    if (!o.file.empty() && file != o.file) continue;
    if (!o.name.empty()) continue;  // a filtered run cannot be held to a file's floor
    int passed = files.count(file) ? files[file].passed : 0;
    if (passed < minimum.get<int>()) {
      std::printf("REGRESSION %s: %d cases pass, the floor is %d (run with --file %s --failures)\n",
                  file.c_str(), passed, minimum.get<int>(), file.c_str());
      ++below;
    }
  }
  if (below) return 1;
  std::printf("conformance: every file at or above its floor (%s)\n", o.floor.c_str());
  return 0;
}

}  // namespace
}  // namespace slipway::conformance

int main(int argc, char** argv) { return slipway::conformance::Main(argc, argv); }
