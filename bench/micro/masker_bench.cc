// Masking throughput: realistic CI log lines through the Masker and the LogStream with 10
// secrets registered (each with its derived forms: ~150 patterns). Reports bytes/s.
//
//   ninja -C build masker_bench && build/bench/masker_bench
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "runner/log_stream.h"
#include "runner/masker.h"

namespace slipway::runner {
namespace {

const std::vector<std::string>& Secrets() {
  static const std::vector<std::string> secrets = {
      "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1st1c0",
      "AKIAIOSFODNN7EXAMPLE",
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "p@ss w0rd/with+special&chars\"quoted\"",
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
      "3f2c9a7e-5b1d-4e8a-9c6f-0d2b7a1e4c93",
      "hunter2!",
      "postgres://deploy:Sup3rS3cr3t@db.internal:5432/app",
      "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
      "KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n-----END KEY-----",
      "xoxb-2048-4096-AbCdEfGhIjKlMnOpQrStUvWx",
  };
  return secrets;
}

std::string Word(std::mt19937& rng) {
  static const char* words[] = {"build",  "test",    "compile", "link",     "module", "server",
                                "client", "request", "handler", "cache",    "deploy", "worker",
                                "user",   "config",  "release", "artifact", "queue",  "store"};
  return words[rng() % (sizeof words / sizeof *words)];
}

std::string Hex(std::mt19937& rng, int digits) {
  std::string out;
  for (int i = 0; i < digits; ++i) out += "0123456789abcdef"[rng() % 16];
  return out;
}

// One line of the kind CI jobs print: build steps, test results, JSON logs, URLs, digests.
std::string LogLine(std::mt19937& rng) {
  const int n = static_cast<int>(rng() % 1000);
  switch (rng() % 7) {
    case 0:
      return "2024-05-01T12:34:" + std::to_string(10 + n % 50) + ".789Z [INFO] compiling src/" +
             Word(rng) + "/" + Word(rng) + "_" + Word(rng) + ".cc (" + std::to_string(n) + "/1317)";
    case 1:
      return "g++ -O2 -g -Wall -Wextra -Isrc -Ibuild/gen -c src/" + Word(rng) + "/" + Word(rng) +
             ".cc -o build/obj/" + Word(rng) + ".o -MMD -MF build/obj/" + Word(rng) + ".d";
    case 2:
      return "tests/test_" + Word(rng) + ".py::Test" + Word(rng) + "::test_" + Word(rng) + "_" +
             Word(rng) + " PASSED [" + std::to_string(n % 100) + "%]";
    case 3:
      return R"({"level":"debug","ts":1714567890.)" + std::to_string(n) + R"(,"msg":")" +
             Word(rng) + " " + Word(rng) + R"( done","status":200,"path":"/api/v1/)" + Word(rng) +
             "/" + std::to_string(n) + R"(","duration_ms":)" + std::to_string(n % 97) + "}";
    case 4:
      return "GET https://registry.example.com/v2/library/" + Word(rng) +
             "/blobs/sha256:" + Hex(rng, 64) + " 200 OK";
    case 5:
      return "added " + std::to_string(n) + " packages, and audited " + std::to_string(n + 1) +
             " packages in " + std::to_string(n % 30) + "s";
    default:
      return "  " + Word(rng) + ": " + Hex(rng, 40) + " (" + Word(rng) + ", " + Word(rng) + ")";
  }
}

std::vector<std::string> LogLines(size_t bytes) {
  std::mt19937 rng(42);
  std::vector<std::string> lines;
  size_t total = 0;
  while (total < bytes) {
    lines.push_back(LogLine(rng));
    total += lines.back().size() + 1;
  }
  return lines;
}

void AddSecrets(Masker* masker, size_t count) {
  for (size_t i = 0; i < count && i < Secrets().size(); ++i) masker->AddSecret(Secrets()[i]);
}

// MaskIfNeeded on each line: the per-line API the LogStream uses.
void BM_MaskLines(benchmark::State& state) {
  Masker masker;
  AddSecrets(&masker, static_cast<size_t>(state.range(0)));
  const auto patterns = masker.patterns();
  const std::vector<std::string> lines = LogLines(4 << 20);
  size_t bytes = 0;
  for (const auto& line : lines) bytes += line.size() + 1;
  std::string out;
  for (auto _ : state) {
    size_t masked = 0;
    for (const auto& line : lines) masked += patterns->MaskIfNeeded(line, &out);
    benchmark::DoNotOptimize(masked);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["patterns"] = static_cast<double>(patterns->size());
}
BENCHMARK(BM_MaskLines)->Arg(0)->Arg(1)->Arg(10);

// The whole log path: 64 KiB chunks (as read from the pipe) through LogStream into a sink,
// with one line in a thousand holding a secret.
void BM_LogStream(benchmark::State& state) {
  Masker masker;
  AddSecrets(&masker, 10);
  std::vector<std::string> lines = LogLines(4 << 20);
  for (size_t i = 0; i < lines.size(); i += 1000) {
    lines[i] += " token=" + Secrets()[i % Secrets().size()];
  }
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  for (auto _ : state) {
    size_t sunk = 0;
    LogStream stream(&masker, [&](std::string_view line) { sunk += line.size() + 1; });
    for (size_t offset = 0; offset < text.size(); offset += 65536) {
      stream.Feed(std::string_view(text).substr(offset, 65536));
    }
    stream.Flush();
    benchmark::DoNotOptimize(sunk);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_LogStream);

// Text dense with secrets: the slow path (building masked copies) dominates.
void BM_MaskDense(benchmark::State& state) {
  Masker masker;
  AddSecrets(&masker, 10);
  std::vector<std::string> lines = LogLines(1 << 20);
  for (size_t i = 0; i < lines.size(); ++i) lines[i] += " " + Secrets()[i % 8];
  size_t bytes = 0;
  for (const auto& line : lines) bytes += line.size() + 1;
  const auto patterns = masker.patterns();
  std::string out;
  for (auto _ : state) {
    for (const auto& line : lines) benchmark::DoNotOptimize(patterns->MaskIfNeeded(line, &out));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_MaskDense);

}  // namespace
}  // namespace slipway::runner

BENCHMARK_MAIN();
