// The JSON form of an analysis record: what the API answers, `slipway analysis show --json`
// prints and the deploy module stores. Times are RFC 3339 for people and *_ms (Unix
// milliseconds) for charts and for reading a record back.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "util/rfc3339.h"
#include "verify/verify.h"

namespace slipway::verify {
namespace {

using nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

int64_t UnixMs(TimePoint at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}
TimePoint FromUnixMs(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

Outcome OutcomeFromName(const std::string& name) {
  for (Outcome outcome :
       {Outcome::kPass, Outcome::kMarginal, Outcome::kFail, Outcome::kInconclusive}) {
    if (OutcomeName(outcome) == name) return outcome;
  }
  throw std::invalid_argument("unknown outcome '" + name + "'");
}

// JSON has no infinity (an effect over a zero baseline median): written as null, read back as
// +infinity.
json Number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }
double NumberFrom(const json& value) {
  return value.is_null() ? std::numeric_limits<double>::infinity() : value.get<double>();
}

json VerdictJson(const MetricVerdict& verdict) {
  return {{"name", verdict.name},
          {"outcome", OutcomeName(verdict.outcome)},
          {"test", verdict.test},
          {"baseline_n", verdict.baseline_n},
          {"canary_n", verdict.canary_n},
          {"baseline_center", Number(verdict.baseline_center)},
          {"canary_center", Number(verdict.canary_center)},
          {"effect", Number(verdict.effect)},
          {"effect_low", Number(verdict.effect_low)},
          {"effect_high", Number(verdict.effect_high)},
          {"statistic", Number(verdict.statistic)},
          {"p_value", Number(verdict.p_value)},
          {"rule", verdict.rule}};
}

MetricVerdict VerdictFrom(const json& in) {
  MetricVerdict verdict;
  verdict.name = in.at("name").get<std::string>();
  verdict.outcome = OutcomeFromName(in.at("outcome").get<std::string>());
  verdict.test = in.at("test").get<std::string>();
  verdict.baseline_n = in.at("baseline_n").get<uint64_t>();
  verdict.canary_n = in.at("canary_n").get<uint64_t>();
  verdict.baseline_center = NumberFrom(in.at("baseline_center"));
  verdict.canary_center = NumberFrom(in.at("canary_center"));
  verdict.effect = NumberFrom(in.at("effect"));
  verdict.effect_low = NumberFrom(in.at("effect_low"));
  verdict.effect_high = NumberFrom(in.at("effect_high"));
  verdict.statistic = NumberFrom(in.at("statistic"));
  verdict.p_value = NumberFrom(in.at("p_value"));
  verdict.rule = in.at("rule").get<std::string>();
  return verdict;
}

json MeasurementJson(const MeasurementRecord& m) {
  json out = {{"metric", m.metric},    {"revision", m.revision}, {"at", FormatRfc3339(m.at)},
              {"at_ms", UnixMs(m.at)}, {"phase", m.phase},       {"samples", m.samples},
              {"value", nullptr},      {"counts", nullptr},      {"message", m.message}};
  if (m.value) out["value"] = *m.value;
  if (m.counts) out["counts"] = {{"events", m.counts->events}, {"total", m.counts->total}};
  return out;
}

MeasurementRecord MeasurementFrom(const json& in) {
  MeasurementRecord m;
  m.metric = in.at("metric").get<std::string>();
  m.revision = in.at("revision").get<std::string>();
  m.at = FromUnixMs(in.at("at_ms").get<int64_t>());
  m.phase = in.at("phase").get<std::string>();
  m.samples = in.at("samples").get<uint64_t>();
  if (!in.at("value").is_null()) m.value = in.at("value").get<double>();
  if (!in.at("counts").is_null()) {
    m.counts = Counts{.events = in["counts"].at("events").get<uint64_t>(),
                      .total = in["counts"].at("total").get<uint64_t>()};
  }
  m.message = in.at("message").get<std::string>();
  return m;
}

json RecordJson(const AnalysisRecord& record, bool with_measurements) {
  json verdicts = json::array();
  for (const MetricVerdict& verdict : record.judgement.metrics) {
    verdicts.push_back(VerdictJson(verdict));
  }
  json conditions = json::array();
  for (const ConditionTally& tally : record.conditions) {
    conditions.push_back({{"metric", tally.metric},
                          {"successful", tally.successful},
                          {"failed", tally.failed},
                          {"inconclusive", tally.inconclusive},
                          {"errors", tally.errors},
                          {"consecutive_errors", tally.consecutive_errors}});
  }
  json out = {{"id", record.id},
              {"kind", record.kind},
              {"template", record.template_name},
              {"canary", record.canary_revision},
              {"baseline", record.baseline_revision},
              {"started", FormatRfc3339(record.started)},
              {"started_ms", UnixMs(record.started)},
              {"finished", record.running ? json(nullptr) : json(FormatRfc3339(record.finished))},
              {"finished_ms", record.running ? json(nullptr) : json(UnixMs(record.finished))},
              {"running", record.running},
              {"outcome", OutcomeName(record.outcome)},
              {"summary", record.summary},
              {"looks", record.looks},
              {"judgement",
               {{"outcome", OutcomeName(record.judgement.outcome)},
                {"score", record.judgement.score},
                {"summary", record.judgement.summary},
                {"metrics", verdicts}}},
              {"conditions", conditions}};
  if (with_measurements) {
    json& measurements = out["measurements"] = json::array();
    for (const MeasurementRecord& m : record.measurements) {
      measurements.push_back(MeasurementJson(m));
    }
  }
  return out;
}

}  // namespace

std::string AnalysisRecordJson(const AnalysisRecord& record) {
  return RecordJson(record, true).dump();
}

std::string AnalysisSummariesJson(const std::vector<AnalysisRecord>& records) {
  json out = json::array();
  for (const AnalysisRecord& record : records) out.push_back(RecordJson(record, false));
  return out.dump();
}

Result<AnalysisRecord> ParseAnalysisRecordJson(std::string_view text) {
  try {
    const json in = json::parse(text);
    AnalysisRecord record;
    record.id = in.at("id").get<std::string>();
    record.kind = in.value("kind", std::string("step"));  // records from before kinds: steps
    record.template_name = in.at("template").get<std::string>();
    record.canary_revision = in.at("canary").get<std::string>();
    record.baseline_revision = in.at("baseline").get<std::string>();
    record.started = FromUnixMs(in.at("started_ms").get<int64_t>());
    record.running = in.at("running").get<bool>();
    if (!record.running) record.finished = FromUnixMs(in.at("finished_ms").get<int64_t>());
    record.outcome = OutcomeFromName(in.at("outcome").get<std::string>());
    record.summary = in.at("summary").get<std::string>();
    record.looks = in.at("looks").get<int>();
    const json& judgement = in.at("judgement");
    record.judgement.outcome = OutcomeFromName(judgement.at("outcome").get<std::string>());
    record.judgement.score = judgement.at("score").get<double>();
    record.judgement.summary = judgement.at("summary").get<std::string>();
    for (const json& verdict : judgement.at("metrics")) {
      record.judgement.metrics.push_back(VerdictFrom(verdict));
    }
    for (const json& tally : in.at("conditions")) {
      record.conditions.push_back(
          {.metric = tally.at("metric").get<std::string>(),
           .successful = tally.at("successful").get<int64_t>(),
           .failed = tally.at("failed").get<int64_t>(),
           .inconclusive = tally.at("inconclusive").get<int64_t>(),
           .errors = tally.at("errors").get<int64_t>(),
           .consecutive_errors = tally.at("consecutive_errors").get<int64_t>()});
    }
    for (const json& m : in.at("measurements")) record.measurements.push_back(MeasurementFrom(m));
    return record;
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("analysis record: ") + e.what());
  }
}

}  // namespace slipway::verify
