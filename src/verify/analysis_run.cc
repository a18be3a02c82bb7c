// One analysis run: looks at the canary (and the baseline) `count` times, `interval` apart,
// tallies condition metrics against Argo Rollouts' limits and hands judged metrics to the
// SequentialJudge, which may stop the run early on a clear regression.
#include <algorithm>
#include <cstdio>
#include <thread>

#include "verify/condition.h"
#include "verify/measurement_series.h"
#include "verify/verify.h"

namespace slipway::verify {
namespace {

using internal::MeasurementSeries;

struct ConditionMetric {
  const spec::AnalysisMetric* spec = nullptr;
  std::unique_ptr<Provider> provider;
  ConditionTally tally;
};

struct JudgedMetric {
  const spec::AnalysisMetric* spec = nullptr;
  std::unique_ptr<Provider> provider;
  MeasurementSeries canary, baseline;
  int64_t consecutive_errors = 0;
};

MetricCriteria CriteriaOf(const spec::AnalysisMetric& metric) {
  const spec::JudgeSpec& judge = *metric.judge;
  MetricCriteria criteria;
  criteria.name = metric.name;
  criteria.bad = judge.bad == spec::JudgeSpec::Direction::kDecrease ? Direction::kDecrease
                 : judge.bad == spec::JudgeSpec::Direction::kEither ? Direction::kEither
                                                                    : Direction::kIncrease;
  criteria.allowed_change = judge.allowed_change;
  criteria.confidence = judge.confidence;
  criteria.critical = judge.critical;
  criteria.weight = judge.weight;
  criteria.min_samples = static_cast<uint64_t>(judge.min_samples);
  return criteria;
}

class Run {
 public:
  explicit Run(const AnalysisRunOptions& options) : options_(options) {
    record_.id = options.id;
    record_.kind = options.kind;
    record_.template_name = options.analysis->name;
    record_.canary_revision = options.canary_revision;
    record_.baseline_revision = options.baseline_revision;
    record_.started = Now();
    expr::Value::Map args;
    for (const auto& [name, value] : options.analysis->args) args[name] = value;
    if (auto given = options.variables.find("args"); given != options.variables.end()) {
      if (given->second.is_map()) {
        for (const auto& [name, value] : given->second.as_map()) args[name] = value;
      }
    }
    args_ = expr::Value(std::move(args));
  }

  AnalysisRecord Execute() {
    if (!CreateProviders()) return Finish();
    const spec::AnalysisTemplate& analysis = *options_.analysis;
    // Judged metrics take a first measurement now: counters are compared from here on.
    for (JudgedMetric& metric : judged_) {
      Measure(metric, /*start=*/true);
    }
    int64_t last_look = analysis.count;
    const int64_t extend = analysis.extend.value_or(analysis.count);
    bool extended = false;
    for (int64_t look = 1; Background() || look <= last_look; ++look) {
      Sleep(std::chrono::duration_cast<std::chrono::milliseconds>(analysis.interval));
      if (Stopped()) return Fail("stopped");
      // A background analysis looks until it is told to conclude; that look is its last.
      const bool concluding = Concluding();
      record_.looks = static_cast<int>(look);
      for (ConditionMetric& metric : conditions_) {
        if (auto failure = Check(metric)) return Fail(*failure);
      }
      if (inconclusive_) return EndInconclusive(inconclusive_reason_);
      for (JudgedMetric& metric : judged_) {
        if (auto failure = Measure(metric, false)) return Fail(*failure);
      }
      bool final = Background() ? concluding : look == last_look;
      if (!Background() && final && !extended && extend > 0 && TooThin()) {
        last_look += extend;
        extended = true;
        final = false;
      }
      if (!judged_.empty()) {
        record_.judgement = judge_->Look(Data(), final);
        if (record_.judgement.outcome == Outcome::kFail) {
          return Fail(record_.judgement.summary);
        }
      }
      Report();
      if (Background() && concluding) break;
    }
    return Conclude();
  }

 private:
  std::chrono::system_clock::time_point Now() const {
    return options_.now ? options_.now() : std::chrono::system_clock::now();
  }
  void Sleep(std::chrono::milliseconds duration) const {
    if (options_.sleep) {
      options_.sleep(duration);
      return;
    }
    // Sleeps in slices so that a stop is noticed quickly.
    const auto until = std::chrono::steady_clock::now() + duration;
    while (!Stopped() && !Concluding() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(100), until - std::chrono::steady_clock::now()));
    }
  }
  bool Stopped() const { return options_.stop != nullptr && options_.stop->load(); }
  bool Background() const { return options_.conclude != nullptr; }
  bool Concluding() const { return Background() && options_.conclude->load(); }

  bool CreateProviders() {
    // Judged metrics compare with a baseline that receives traffic; without one (a first
    // deploy) only the condition metrics can say anything.
    const bool baseline = !options_.baseline_revision.empty();
    std::vector<MetricCriteria> criteria;
    for (const spec::AnalysisMetric& metric : options_.analysis->metrics) {
      if (metric.judge && !baseline) {
        skipped_.push_back(metric.name);
        continue;
      }
      Result<std::unique_ptr<Provider>> provider = options_.providers(metric);
      if (!provider.ok()) {
        Fail("metric " + metric.name + ": " + provider.status().message());
        return false;
      }
      if (metric.judge) {
        JudgedMetric& judged = judged_.emplace_back();
        judged.spec = &metric;
        judged.provider = std::move(provider).value();
        criteria.push_back(CriteriaOf(metric));
      } else {
        conditions_.push_back({.spec = &metric,
                               .provider = std::move(provider).value(),
                               .tally = {.metric = metric.name}});
      }
    }
    JudgeOptions judge_options;
    judge_options.planned_looks = static_cast<int>(options_.analysis->count);
    judge_ = std::make_unique<SequentialJudge>(std::move(criteria), judge_options);
    return true;
  }

  MeasureRequest RequestFor(const std::string& revision) const {
    MeasureRequest request;
    request.variables = options_.variables;
    request.variables["revision"] = revision;
    request.variables["baseline"] = options_.baseline_revision;
    request.variables["args"] = args_;
    request.now = Now();
    return request;
  }

  MeasurementRecord Entry(const spec::AnalysisMetric& metric, const std::string& revision) const {
    MeasurementRecord entry;
    entry.metric = metric.name;
    entry.revision = revision;
    entry.at = Now();
    return entry;
  }

  // A condition metric's look; the reason when the run must fail.
  std::optional<std::string> Check(ConditionMetric& metric) {
    const spec::AnalysisMetric& spec = *metric.spec;
    ConditionTally& tally = metric.tally;
    MeasurementRecord entry = Entry(spec, options_.canary_revision);
    Result<Measurement> measured = metric.provider->Measure(RequestFor(options_.canary_revision));
    internal::ConditionResult verdict =
        measured.ok() ? internal::EvaluateConditions(spec, measured.value().result, args_)
                      : internal::ConditionResult{"error", measured.status().message()};
    entry.phase = verdict.phase;
    entry.message = verdict.message;
    if (measured.ok()) entry.value = measured.value().value;
    record_.measurements.push_back(entry);
    if (verdict.phase == "error") {
      ++tally.errors;
      if (++tally.consecutive_errors > spec.consecutive_error_limit) {
        return "metric " + spec.name + ": " + std::to_string(tally.consecutive_errors) +
               " measurement errors in a row (limit " +
               std::to_string(spec.consecutive_error_limit) + "): " + verdict.message;
      }
      return std::nullopt;
    }
    tally.consecutive_errors = 0;
    if (verdict.phase == "successful") ++tally.successful;
    if (verdict.phase == "failed" && ++tally.failed > spec.failure_limit) {
      return "metric " + spec.name + " failed " + std::to_string(tally.failed) + " times (limit " +
             std::to_string(spec.failure_limit) + "); last value " +
             (entry.value ? FormatNumber(*entry.value) : "-");
    }
    if (verdict.phase == "inconclusive" && ++tally.inconclusive > spec.inconclusive_limit) {
      inconclusive_ = true;
      inconclusive_reason_ = "metric " + spec.name + " was inconclusive " +
                             std::to_string(tally.inconclusive) + " times (limit " +
                             std::to_string(spec.inconclusive_limit) + ")";
    }
    return std::nullopt;
  }

  // A judged metric's look at both revisions; the reason when the run must fail.
  std::optional<std::string> Measure(JudgedMetric& metric, bool start) {
    const spec::AnalysisMetric& spec = *metric.spec;
    std::string error;
    for (auto [series, revision] : {std::pair{&metric.canary, options_.canary_revision},
                                    std::pair{&metric.baseline, options_.baseline_revision}}) {
      Result<Measurement> measured = metric.provider->Measure(RequestFor(revision));
      MeasurementRecord entry = Entry(spec, revision);
      if (measured.ok()) {
        entry.samples = series->Absorb(measured.value(), start);
        entry.phase = "measured";
        entry.value = measured.value().value;
        entry.counts = series->counts();
      } else {
        entry.phase = "error";
        entry.message = measured.status().message();
        error = entry.message;
      }
      if (!start) record_.measurements.push_back(std::move(entry));
    }
    if (error.empty()) {
      metric.consecutive_errors = 0;
      return std::nullopt;
    }
    if (++metric.consecutive_errors > spec.consecutive_error_limit) {
      return "metric " + spec.name + ": " + std::to_string(metric.consecutive_errors) +
             " measurement errors in a row (limit " + std::to_string(spec.consecutive_error_limit) +
             "): " + error;
    }
    return std::nullopt;
  }

  std::vector<MetricData> Data() const {
    std::vector<MetricData> data;
    for (const JudgedMetric& metric : judged_) {
      MetricData item;
      item.baseline_samples = metric.baseline.samples();
      item.canary_samples = metric.canary.samples();
      if (metric.canary.has_counts() && metric.baseline.has_counts()) {
        item.baseline_counts = metric.baseline.counts();
        item.canary_counts = metric.canary.counts();
      }
      data.push_back(std::move(item));
    }
    return data;
  }

  // Some judged metric has fewer samples (or counted events) than it needs on a side.
  bool TooThin() const {
    return std::any_of(judged_.begin(), judged_.end(), [](const JudgedMetric& metric) {
      const uint64_t needed = static_cast<uint64_t>(metric.spec->judge->min_samples);
      return std::min(metric.canary.size(), metric.baseline.size()) < needed;
    });
  }

  AnalysisRecord Conclude() {
    std::string summary;
    if (!judged_.empty()) {
      summary = record_.judgement.summary;
      switch (record_.judgement.outcome) {
        case Outcome::kPass:
          break;
        case Outcome::kFail:
          return Fail(summary);
        case Outcome::kMarginal:
          return EndInconclusive("marginal: " + summary);
        case Outcome::kInconclusive:
          return EndInconclusive(summary);
      }
    }
    for (const ConditionMetric& metric : conditions_) {
      if (!summary.empty()) summary += "; ";
      summary += metric.spec->name + " " + std::to_string(metric.tally.successful) + "/" +
                 std::to_string(record_.looks) + " successful";
    }
    if (!skipped_.empty()) {
      if (!summary.empty()) summary += "; ";
      summary += "no baseline revision to compare " + Join(skipped_) + " with";
    }
    record_.outcome = Outcome::kPass;
    record_.summary = summary;
    return Finish();
  }

  AnalysisRecord Fail(std::string reason) {
    record_.outcome = Outcome::kFail;
    record_.summary = std::move(reason);
    return Finish();
  }
  AnalysisRecord EndInconclusive(std::string reason) {
    record_.outcome = Outcome::kInconclusive;
    record_.summary = std::move(reason);
    return Finish();
  }
  AnalysisRecord Finish() {
    record_.running = false;
    record_.finished = Now();
    Report();
    return record_;
  }
  void Report() {
    record_.conditions.clear();
    for (const ConditionMetric& metric : conditions_) record_.conditions.push_back(metric.tally);
    if (options_.on_look) options_.on_look(record_);
  }

  static std::string Join(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
  }
  static std::string FormatNumber(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
  }

  const AnalysisRunOptions& options_;
  AnalysisRecord record_;
  expr::Value args_;
  std::vector<ConditionMetric> conditions_;
  std::vector<JudgedMetric> judged_;
  std::vector<std::string> skipped_;
  std::unique_ptr<SequentialJudge> judge_;
  bool inconclusive_ = false;
  std::string inconclusive_reason_;
};

}  // namespace

AnalysisRecord RunAnalysis(const AnalysisRunOptions& options) { return Run(options).Execute(); }

}  // namespace slipway::verify
