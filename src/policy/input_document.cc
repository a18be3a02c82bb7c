// The gate's input document, built twice from one GateInput: as an expr::Value for rules and as
// canonical JSON for the record (where time.now, a CEL timestamp for rules, is its RFC 3339
// string). Both follow spec::PolicyInputFields() (the tests check each
// field of both). Maps are built only from literal keys, so the document keeps compiling when
// the expression language's map keys become CEL values.
#include "policy/input_document.h"

#include <nlohmann/json.hpp>

#include "policy/policy.h"
#include "util/rfc3339.h"

namespace slipway::policy {
namespace {

using expr::Value;
using Json = nlohmann::json;

constexpr const char* kWeekdays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday"};

struct Clock {
  std::string now, weekday;
  int64_t unix = 0, hour = 0;
};

Clock ClockOf(Time now) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::weekday weekday{std::chrono::sys_days(day)};
  return {.now = FormatRfc3339(seconds),
          .weekday = kWeekdays[weekday.c_encoding()],
          .unix = seconds.time_since_epoch().count(),
          .hour = std::chrono::duration_cast<std::chrono::hours>(seconds - day).count()};
}

Value Strings(const std::vector<std::string>& items) {
  Value::List list;
  for (const std::string& item : items) list.emplace_back(item);
  return Value(std::move(list));
}

Value Counts(const TestCounts& counts) {
  return Value(Value::Map{{"passed", Value(counts.passed)},
                          {"failed", Value(counts.failed)},
                          {"flaky", Value(counts.flaky)},
                          {"skipped", Value(counts.skipped)}});
}

Value Artifact(const ArtifactFacts& a) {
  return Value(Value::Map{
      {"reference", Value(a.reference)},
      {"repository", Value(a.repository)},
      {"digest", Value(a.digest)},
      {"provenance", Value(Value::Map{{"status", Value(a.provenance_status)},
                                      {"verified", Value(a.provenance_status == "verified")},
                                      {"builder", Value(a.builder)},
                                      {"source_repository", Value(a.source_repository)},
                                      {"ref", Value(a.ref)},
                                      {"commit", Value(a.commit)}})},
      {"sbom", Value(a.sbom)}});
}

Value Run(const RunFacts& run) {
  Value tests = run.tests ? Counts(*run.tests)
                          : Value(Value::Map{{"passed", Value()},
                                             {"failed", Value()},
                                             {"flaky", Value()},
                                             {"skipped", Value()}});
  Value::List reports;
  for (const ReportFacts& report : run.reports) {
    reports.emplace_back(Value::Map{{"job", Value(report.job)}, {"tests", Counts(report.tests)}});
  }
  return Value(Value::Map{
      {"id", Value(run.id)}, {"tests", std::move(tests)}, {"reports", Value(std::move(reports))}});
}

Value ErrorBudget(const ErrorBudgetFacts& budget) {
  Value::List slos;
  bool frozen = false;
  for (const SloFacts& slo : budget.slos) {
    frozen = frozen || slo.frozen;
    slos.emplace_back(Value::Map{{"name", Value(slo.name)},
                                 {"burn_rate", slo.burn_rate ? Value(*slo.burn_rate) : Value()},
                                 {"threshold", Value(slo.threshold)},
                                 {"frozen", Value(slo.frozen)},
                                 {"error", Value(slo.error)}});
  }
  return Value(Value::Map{{"evaluated", Value(budget.evaluated)},
                          {"frozen", Value(frozen)},
                          {"slos", Value(std::move(slos))}});
}

Json JsonCounts(const std::optional<TestCounts>& counts) {
  if (!counts) {
    return {{"passed", nullptr}, {"failed", nullptr}, {"flaky", nullptr}, {"skipped", nullptr}};
  }
  return {{"passed", counts->passed},
          {"failed", counts->failed},
          {"flaky", counts->flaky},
          {"skipped", counts->skipped}};
}

}  // namespace

Value::Map InputVariables(const GateInput& in) {
  const Clock clock = ClockOf(in.now);
  const std::vector<std::string> no_files;
  return Value::Map{
      {"project", Value(in.project)},
      {"environment",
       Value(Value::Map{{"name", Value(in.environment)}, {"strategy", Value(in.strategy)}})},
      {"artifact", Artifact(in.artifact)},
      {"run", Run(in.run)},
      {"change", Value(Value::Map{{"author", Value(in.change.author)},
                                  {"branch", Value(in.change.branch)},
                                  {"commit", Value(in.change.commit)},
                                  {"files", Strings(in.change.files.value_or(no_files))},
                                  {"files_known", Value(in.change.files.has_value())}})},
      {"time", Value(Value::Map{{"now", Value(expr::Timestamp{.seconds = clock.unix, .nanos = 0})},
                                {"unix", Value(clock.unix)},
                                {"weekday", Value(clock.weekday)},
                                {"hour", Value(clock.hour)}})},
      {"approvals",
       Value(Value::Map{{"required", Value(in.approvals.required)},
                        {"count", Value(static_cast<int64_t>(in.approvals.approvers.size()))},
                        {"approvers", Strings(in.approvals.approvers)},
                        {"satisfied", Value(in.approvals.satisfied)}})},
      {"error_budget", ErrorBudget(in.error_budget)},
      {"gate", Value(Value::Map{{"step", Value(spec::GateStepName(in.step))}})}};
}

Value InputDocument(const GateInput& in) { return Value(InputVariables(in)); }

std::string CanonicalInputJson(const GateInput& in) {
  const Clock clock = ClockOf(in.now);
  const ArtifactFacts& a = in.artifact;
  Json reports = Json::array();
  for (const ReportFacts& report : in.run.reports) {
    reports.push_back({{"job", report.job}, {"tests", JsonCounts(report.tests)}});
  }
  Json slos = Json::array();
  bool frozen = false;
  for (const SloFacts& slo : in.error_budget.slos) {
    frozen = frozen || slo.frozen;
    slos.push_back({{"name", slo.name},
                    {"burn_rate", slo.burn_rate ? Json(*slo.burn_rate) : Json(nullptr)},
                    {"threshold", slo.threshold},
                    {"frozen", slo.frozen},
                    {"error", slo.error}});
  }
  // nlohmann::json objects keep their keys sorted: dump() is canonical.
  const Json document = {
      {"project", in.project},
      {"environment", {{"name", in.environment}, {"strategy", in.strategy}}},
      {"artifact",
       {{"reference", a.reference},
        {"repository", a.repository},
        {"digest", a.digest},
        {"provenance",
         {{"status", a.provenance_status},
          {"verified", a.provenance_status == "verified"},
          {"builder", a.builder},
          {"source_repository", a.source_repository},
          {"ref", a.ref},
          {"commit", a.commit}}},
        {"sbom", a.sbom}}},
      {"run", {{"id", in.run.id}, {"tests", JsonCounts(in.run.tests)}, {"reports", reports}}},
      {"change",
       {{"author", in.change.author},
        {"branch", in.change.branch},
        {"commit", in.change.commit},
        {"files", in.change.files.value_or(std::vector<std::string>{})},
        {"files_known", in.change.files.has_value()}}},
      {"time",
       {{"now", clock.now},
        {"unix", clock.unix},
        {"weekday", clock.weekday},
        {"hour", clock.hour}}},
      {"approvals",
       {{"required", in.approvals.required},
        {"count", in.approvals.approvers.size()},
        {"approvers", in.approvals.approvers},
        {"satisfied", in.approvals.satisfied}}},
      {"error_budget",
       {{"evaluated", in.error_budget.evaluated}, {"frozen", frozen}, {"slos", slos}}},
      {"gate", {{"step", spec::GateStepName(in.step)}}}};
  return document.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace slipway::policy
