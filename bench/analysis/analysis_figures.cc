// The canary judge's figures (issue 6 §8): simulated canaries judged by RunAnalysis with a
// fake clock, so an analysis of 20 simulated seconds takes milliseconds.
//
// Each simulated analysis has two revisions behind a simulated built-in proxy: the baseline
// (stable; 200 requests/s by default, running long before the canary, so its counters and
// latency ring are already full) and the canary (50 requests/s, starting with the analysis).
// Requests arrive as a Poisson process; each fails (5xx) with the revision's error
// probability and takes a lognormal latency (median 100 ms, sigma 0.5 of the log by default;
// a slower revision has its median multiplied, same spread). The providers answer what the
// proxy's telemetry answers: cumulative {5xx, requests} counters (error-rate) and the newest
// 4,096 latencies with the number of requests seen (latency). RunAnalysis runs the template
// with a fake sleep/now; the time to detect is the simulated time from the canary's start to
// the analysis' fail decision.
//
// Measured, per template:
//   detect  errors 1% vs 5%, and latency median +30%: fail / inconclusive / pass fractions, how
//           many analyses each metric failed (err/lat; both may fail one), and the time to
//           detect (median, p90, max over the runs that failed);
//   A/A     identical revisions: the false rollback (fail) and inconclusive fractions, and
//           which metric failed them;
//   curves  detection probability and median time to detect against the effect size (error
//           rate ratio 1.0…5.0 on a 1% baseline; latency median +0…+60%), as CSV.
// Every run has its own seed derived from --seed, the curve and the run's index: a rerun (any
// --threads) gives the same numbers.
//
// Usage: analysis_figures [--runs N] [--aa-runs N] [--curve-runs N] [--threads N] [--seed S]
//                         [--out DIR]
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "spec/spec.h"
#include "verify/verify.h"

namespace slipway::verify {
namespace {

using Clock = std::chrono::system_clock;
using std::chrono::seconds;

constexpr size_t kRing = 4096;  // the proxy's ring of recent latencies (src/proxy/proxy.h)

struct Settings {
  int runs = 200;        // per time-to-detect scenario
  int aa_runs = 500;     // A/A analyses per template
  int curve_runs = 200;  // per power-curve point
  int threads = 2;
  uint64_t seed = 20261127;
  std::string out = "bench/out";
};

// One revision's traffic as the proxy would see it.
struct Revision {
  double rate = 50;  // requests/s
  double error_rate = 0.01;
  double median_ms = 100;  // lognormal latency median
  double sigma = 0.5;      // of log(latency)
};

struct Scenario {
  Revision baseline{.rate = 200}, canary{.rate = 50};
};

// A revision's simulated traffic, generated lazily up to the time a measurement asks for.
class Traffic {
 public:
  Traffic(const Revision& revision, Clock::time_point start, bool warm, uint64_t seed)
      : revision_(revision), until_(start), rng_(seed) {
    ring_.reserve(kRing);
    if (warm) {  // the baseline served long before the canary started
      requests_ = 1'000'000;
      errors_ = std::binomial_distribution<uint64_t>(requests_, revision.error_rate)(rng_);
      seen_ = requests_;
      for (size_t i = 0; i < kRing; ++i) Push(DrawLatency());
    }
  }

  void AdvanceTo(Clock::time_point now) {
    if (now <= until_) return;
    const double dt = std::chrono::duration<double>(now - until_).count();
    until_ = now;
    const uint64_t n = std::poisson_distribution<uint64_t>(revision_.rate * dt)(rng_);
    if (n == 0) return;
    requests_ += n;
    errors_ += std::binomial_distribution<uint64_t>(n, revision_.error_rate)(rng_);
    for (uint64_t i = 0; i < n; ++i) Push(DrawLatency());
    seen_ += n;
  }

  Measurement ErrorRate() const {
    Measurement m;
    m.counts = Counts{.events = errors_, .total = requests_};
    if (requests_ > 0) m.value = static_cast<double>(errors_) / static_cast<double>(requests_);
    return m;
  }

  Measurement Latency() const {
    Measurement m;
    m.samples.reserve(ring_.size());
    // Oldest first: the ring's write position holds the oldest once it is full.
    const size_t start = ring_.size() < kRing ? 0 : next_;
    for (size_t i = 0; i < ring_.size(); ++i) m.samples.push_back(ring_[(start + i) % kRing]);
    m.samples_seen = seen_;
    return m;
  }

 private:
  double DrawLatency() {
    return revision_.median_ms *
           std::exp(revision_.sigma * std::normal_distribution<double>(0, 1)(rng_));
  }
  void Push(double latency) {
    if (ring_.size() < kRing) {
      ring_.push_back(latency);
    } else {
      ring_[next_] = latency;
    }
    next_ = (next_ + 1) % kRing;
  }

  Revision revision_;
  Clock::time_point until_;
  std::mt19937_64 rng_;
  uint64_t requests_ = 0, errors_ = 0, seen_ = 0;
  std::vector<double> ring_;
  size_t next_ = 0;
};

// A metric's provider: the proxy telemetry of whichever revision is asked for.
class SimulatedProxy : public Provider {
 public:
  SimulatedProxy(std::map<std::string, Traffic*> revisions, bool latency)
      : revisions_(std::move(revisions)), latency_(latency) {}
  Result<Measurement> Measure(const MeasureRequest& request) override {
    Traffic* traffic = revisions_.at(request.variables.at("revision").as_string());
    traffic->AdvanceTo(request.now);
    Measurement m = latency_ ? traffic->Latency() : traffic->ErrorRate();
    m.at = request.now;
    return m;
  }

 private:
  std::map<std::string, Traffic*> revisions_;
  bool latency_;
};

struct RunResult {
  Outcome outcome = Outcome::kInconclusive;
  double seconds = 0;                                  // canary start to the end of the analysis
  bool errors_failed = false, latency_failed = false;  // which metric failed it
};

RunResult SimulateOne(const spec::AnalysisTemplate& analysis, const Scenario& scenario,
                      uint64_t seed) {
  Clock::time_point clock{seconds(1'800'000'000)};
  std::seed_seq seq{seed, uint64_t{0x5eed}};
  std::array<uint64_t, 2> seeds{};
  {
    std::array<uint32_t, 4> words{};
    seq.generate(words.begin(), words.end());
    seeds[0] = (uint64_t{words[0]} << 32) | words[1];
    seeds[1] = (uint64_t{words[2]} << 32) | words[3];
  }
  Traffic baseline(scenario.baseline, clock, /*warm=*/true, seeds[0]);
  Traffic canary(scenario.canary, clock, /*warm=*/false, seeds[1]);
  const std::map<std::string, Traffic*> revisions{{"stable", &baseline}, {"canary", &canary}};

  AnalysisRunOptions options;
  options.analysis = &analysis;
  options.id = "bench";
  options.canary_revision = "canary";
  options.baseline_revision = "stable";
  options.providers =
      [&revisions](const spec::AnalysisMetric& metric) -> Result<std::unique_ptr<Provider>> {
    return std::unique_ptr<Provider>(new SimulatedProxy(
        revisions, metric.provider.proxy &&
                       metric.provider.proxy->signal == spec::ProxyMetricSpec::Signal::kLatency));
  };
  options.sleep = [&clock](std::chrono::milliseconds duration) { clock += duration; };
  options.now = [&clock] { return clock; };
  const AnalysisRecord record = RunAnalysis(options);
  RunResult result{record.outcome,
                   std::chrono::duration<double>(record.finished - record.started).count()};
  for (const MetricVerdict& verdict : record.judgement.metrics) {
    if (verdict.outcome != Outcome::kFail) continue;
    (verdict.name == "latency" ? result.latency_failed : result.errors_failed) = true;
  }
  return result;
}

// Runs `runs` analyses of one scenario on `threads` threads; results by run index.
std::vector<RunResult> Simulate(const spec::AnalysisTemplate& analysis, const Scenario& scenario,
                                int runs, uint64_t stream, const Settings& settings) {
  std::vector<RunResult> results(static_cast<size_t>(runs));
  std::atomic<int> next{0};
  auto work = [&] {
    for (int i = next++; i < runs; i = next++) {
      std::seed_seq seq{settings.seed, stream, static_cast<uint64_t>(i)};
      std::array<uint32_t, 2> words{};
      seq.generate(words.begin(), words.end());
      results[static_cast<size_t>(i)] =
          SimulateOne(analysis, scenario, (uint64_t{words[0]} << 32) | words[1]);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < settings.threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  return results;
}

struct Summary {
  int runs = 0, fail = 0, inconclusive = 0, pass = 0;
  int errors_failed = 0, latency_failed = 0;  // analyses the metric failed (both may)
  std::vector<double> detect_s;               // sorted times of the runs that failed
  double Fraction(int n) const { return runs ? static_cast<double>(n) / runs : 0; }
  // Nearest-rank percentile of the detection times; NaN when none failed.
  double Percentile(double q) const {
    if (detect_s.empty()) return std::nan("");
    const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(detect_s.size())));
    return detect_s[std::clamp<size_t>(rank, 1, detect_s.size()) - 1];
  }
};

Summary Summarize(const std::vector<RunResult>& results) {
  Summary s;
  s.runs = static_cast<int>(results.size());
  for (const RunResult& r : results) {
    switch (r.outcome) {
      case Outcome::kFail:
        ++s.fail;
        s.detect_s.push_back(r.seconds);
        s.errors_failed += r.errors_failed ? 1 : 0;
        s.latency_failed += r.latency_failed ? 1 : 0;
        break;
      case Outcome::kPass:
      case Outcome::kMarginal:
        ++s.pass;
        break;
      case Outcome::kInconclusive:
        ++s.inconclusive;
        break;
    }
  }
  std::sort(s.detect_s.begin(), s.detect_s.end());
  return s;
}

// ---------------------------------------------------------------------------------------------
// Templates

spec::AnalysisMetric ProxyMetric(std::string name, spec::ProxyMetricSpec::Signal signal,
                                 double allowed_change, double confidence, bool critical) {
  spec::AnalysisMetric metric;
  metric.name = std::move(name);
  metric.provider.proxy = spec::ProxyMetricSpec{};
  metric.provider.proxy->signal = signal;
  metric.judge = spec::JudgeSpec{};
  metric.judge->bad = spec::JudgeSpec::Direction::kIncrease;
  metric.judge->allowed_change = allowed_change;
  metric.judge->confidence = confidence;
  metric.judge->critical = critical;
  metric.judge->min_samples = 50;
  return metric;
}

struct Template {
  std::string label;  // short name in the table and the CSV
  std::string description;
  spec::AnalysisTemplate analysis;
};

// examples/hello-service/.slipway.yml's canary-health (interval 1 s, count 20) with the
// error-rate metric's confidence and the latency metric's allowed change as given.
Template CanaryHealth(std::string label, std::string description, double errors_confidence,
                      double latency_allowed) {
  Template t{std::move(label), std::move(description), {}};
  t.analysis.name = "canary-health";
  t.analysis.interval = seconds(1);
  t.analysis.count = 20;
  t.analysis.metrics = {ProxyMetric("error-rate", spec::ProxyMetricSpec::Signal::kErrorRate, 1.0,
                                    errors_confidence, true),
                        ProxyMetric("latency", spec::ProxyMetricSpec::Signal::kLatency,
                                    latency_allowed, 0.99, false)};
  return t;
}

// ---------------------------------------------------------------------------------------------
// Output

std::string Percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", 100 * fraction);
  return text;
}

std::string SecondsText(double s) {
  if (std::isnan(s)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.0f s", s);
  return text;
}

void PrintHeader() {
  std::printf("%-30s %-8s %5s %7s %7s %7s %9s %7s %7s %7s  %s\n", "scenario", "template", "runs",
              "fail", "incon", "pass", "err/lat", "median", "p90", "max", "goal");
  std::printf("%-30s %-8s %5s %7s %7s %7s %9s %7s %7s %7s\n", "", "", "", "", "", "", "failed",
              "detect", "detect", "detect");
}

void PrintRow(const std::string& scenario, const std::string& label, const Summary& s,
              const std::string& goal) {
  const std::string by = std::to_string(s.errors_failed) + "/" + std::to_string(s.latency_failed);
  std::printf(
      "%-30s %-8s %5d %7s %7s %7s %9s %7s %7s %7s  %s\n", scenario.c_str(), label.c_str(), s.runs,
      Percent(s.Fraction(s.fail)).c_str(), Percent(s.Fraction(s.inconclusive)).c_str(),
      Percent(s.Fraction(s.pass)).c_str(), by.c_str(), SecondsText(s.Percentile(0.5)).c_str(),
      SecondsText(s.Percentile(0.9)).c_str(), SecondsText(s.Percentile(1.0)).c_str(), goal.c_str());
  std::fflush(stdout);
}

std::string Verdict(bool met) { return met ? "met" : "MISSED"; }

int Main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--runs" && has_value) {
      settings.runs = std::atoi(argv[++i]);
    } else if (arg == "--aa-runs" && has_value) {
      settings.aa_runs = std::atoi(argv[++i]);
    } else if (arg == "--curve-runs" && has_value) {
      settings.curve_runs = std::atoi(argv[++i]);
    } else if (arg == "--threads" && has_value) {
      settings.threads = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--seed" && has_value) {
      settings.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--out" && has_value) {
      settings.out = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: analysis_figures [--runs N] [--aa-runs N] [--curve-runs N] "
                   "[--threads N] [--seed S] [--out DIR]\n");
      return 2;
    }
  }
  const auto wall_start = std::chrono::steady_clock::now();

  const std::vector<Template> templates = {
      CanaryHealth("example",
                   "canary-health as in the example: error-rate confidence 95%, latency "
                   "allowed +50%",
                   0.95, 0.5),
      CanaryHealth("suggest",
                   "suggested: error-rate confidence 99%, latency allowed +20% (else the same)",
                   0.99, 0.2),
  };
  std::printf(
      "templates (interval 1 s, count 20; error-rate: critical, allowed +100%%, min 50; "
      "latency: confidence 99%%, min 50):\n");
  for (const Template& t : templates) {
    std::printf("  %-8s %s\n", t.label.c_str(), t.description.c_str());
  }
  std::printf(
      "traffic: baseline 200 req/s, canary 50 req/s (Poisson), 1%% errors, lognormal "
      "latency median 100 ms, sigma 0.5; seed %llu\n\n",
      static_cast<unsigned long long>(settings.seed));

  uint64_t stream = 0;  // every simulated curve point gets its own seeds
  PrintHeader();

  // 1. Time to detect.
  Scenario errors5;
  errors5.canary.error_rate = 0.05;
  Scenario slower30;
  slower30.canary.median_ms = 130;
  for (const Template& t : templates) {
    const Summary e = Summarize(Simulate(t.analysis, errors5, settings.runs, ++stream, settings));
    PrintRow("detect: errors 1% -> 5%", t.label, e,
             "<= 60 s: " + Verdict(e.fail == e.runs && e.Percentile(1.0) <= 60));
    const Summary l = Summarize(Simulate(t.analysis, slower30, settings.runs, ++stream, settings));
    PrintRow("detect: latency median +30%", t.label, l,
             "<= 120 s: " + Verdict(l.fail == l.runs && l.Percentile(1.0) <= 120));
  }

  // 2. A/A.
  const Scenario same;
  for (const Template& t : templates) {
    const Summary s = Summarize(Simulate(t.analysis, same, settings.aa_runs, ++stream, settings));
    PrintRow("A/A: identical revisions", t.label, s,
             "fail <= 1%: " + Verdict(s.Fraction(s.fail) <= 0.01));
  }

  // 3. Power curves.
  std::filesystem::create_directories(settings.out);
  const std::string csv_path = settings.out + "/analysis-power.csv";
  std::ofstream csv(csv_path);
  csv << "curve,template,effect,runs,fail,inconclusive,pass,detection,median_s,p90_s,"
         "errors_failed,latency_failed\n";
  auto point = [&](const std::string& curve, const Template& t, double effect,
                   const Scenario& scenario) {
    const Summary s =
        Summarize(Simulate(t.analysis, scenario, settings.curve_runs, ++stream, settings));
    auto number = [](double v) {  // empty when no run failed
      char text[32] = "";
      if (!std::isnan(v)) std::snprintf(text, sizeof text, "%g", v);
      return std::string(text);
    };
    char line[256];
    std::snprintf(line, sizeof line, "%s,%s,%.2f,%d,%d,%d,%d,%.4f,%s,%s,%d,%d\n", curve.c_str(),
                  t.label.c_str(), effect, s.runs, s.fail, s.inconclusive, s.pass,
                  s.Fraction(s.fail), number(s.Percentile(0.5)).c_str(),
                  number(s.Percentile(0.9)).c_str(), s.errors_failed, s.latency_failed);
    csv << line;
    csv.flush();
  };
  for (const Template& t : templates) {
    for (int i = 0; i <= 8; ++i) {  // rate ratio 1.0 … 5.0
      const double ratio = 1.0 + 0.5 * i;
      Scenario s;
      s.canary.error_rate = 0.01 * ratio;
      point("errors", t, ratio, s);
    }
    for (int i = 0; i <= 6; ++i) {  // latency median +0% … +60%
      const double change = 0.1 * i;
      Scenario s;
      s.canary.median_ms = 100 * (1 + change);
      point("latency", t, change, s);
    }
  }
  std::printf("\npower curves (%d runs a point): %s\n", settings.curve_runs, csv_path.c_str());
  std::printf("wall time %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count());
  return 0;
}

}  // namespace
}  // namespace slipway::verify

int main(int argc, char** argv) { return slipway::verify::Main(argc, argv); }
