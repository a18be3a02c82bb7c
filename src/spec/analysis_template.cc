// `analysis-templates:` — named, reusable analyses: what each metric measures (its provider),
// and how it decides (a statistical judge against the baseline, or conditions on the canary's
// measurements), with Argo Rollouts' interval, count and limits. docs/analysis.md.
#include <utility>

#include "spec/analysis_fields.h"
#include "spec/environment_fields.h"

namespace slipway::spec::internal {
namespace {

const std::vector<std::string> kTemplateKeys = {"args",  "metrics",         "interval",
                                                "count", "on-inconclusive", "extend"};
const std::vector<std::string> kMetricKeys = {"name",
                                              "provider",
                                              "judge",
                                              "success-condition",
                                              "failure-condition",
                                              "failure-limit",
                                              "inconclusive-limit",
                                              "consecutive-error-limit"};
const std::vector<std::string> kProviders = {"prometheus", "http", "exec", "proxy"};

constexpr int64_t kMaxLooks = 10000;
constexpr int64_t kMaxLimit = 1000;

std::optional<PrometheusMetricSpec> ReadPrometheus(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  const std::string what = "prometheus provider";
  auto map = reader.Map(field, what, {"address", "query", "range", "step", "timeout"});
  if (!map) return std::nullopt;
  PrometheusMetricSpec spec;
  spec.pos = field.key_pos;
  bool ok = true;
  const Field* address = reader.Require(*map, "address", what);
  ok &= address && Store(ReadHttpUrl(context, *address, false), &spec.address);
  const Field* query = reader.Require(*map, "query", what);
  ok &= query && Store(ReadAnalysisText(context, *query), &spec.query);
  if (const Field* range = map->Find("range"))
    ok &= Store(ReadDuration(context, *range), &spec.range);
  if (const Field* step = map->Find("step")) ok &= Store(ReadDuration(context, *step), &spec.step);
  if (const Field* timeout = map->Find("timeout")) {
    ok &= Store(ReadDuration(context, *timeout), &spec.timeout);
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<HttpMetricSpec> ReadHttp(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  const std::string what = "http provider";
  auto map = reader.Map(field, what, {"url", "method", "headers", "body", "timeout"});
  if (!map) return std::nullopt;
  HttpMetricSpec spec;
  spec.pos = field.key_pos;
  bool ok = true;
  const Field* url = reader.Require(*map, "url", what);
  ok &= url && Store(ReadHttpUrl(context, *url, true), &spec.url);
  if (const Field* method = map->Find("method"))
    ok &= Store(ReadMethod(context, *method), &spec.method);
  if (const Field* headers = map->Find("headers")) {
    ok &= Store(ReadHeaders(context, *headers), &spec.headers);
  }
  if (const Field* body = map->Find("body"))
    ok &= Store(ReadAnalysisText(context, *body), &spec.body);
  if (const Field* timeout = map->Find("timeout")) {
    ok &= Store(ReadDuration(context, *timeout), &spec.timeout);
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<ExecMetricSpec> ReadExec(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "exec provider", {"command", "timeout"});
  if (!map) return std::nullopt;
  ExecMetricSpec spec;
  spec.pos = field.key_pos;
  bool ok = true;
  const Field* command = reader.Require(*map, "command", "exec provider");
  ok &= command && Store(ReadAnalysisText(context, *command), &spec.command);
  if (const Field* timeout = map->Find("timeout")) {
    ok &= Store(ReadDuration(context, *timeout), &spec.timeout);
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<ProxyMetricSpec> ReadProxySignal(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "proxy provider", {"signal"});
  if (!map) return std::nullopt;
  ProxyMetricSpec spec;
  spec.pos = field.key_pos;
  const Field* signal = reader.Require(*map, "signal", "proxy provider");
  if (!signal) return std::nullopt;
  auto value = ReadChoice(context, *signal, {"error-rate", "latency"});
  if (!value) return std::nullopt;
  spec.signal =
      *value == "latency" ? ProxyMetricSpec::Signal::kLatency : ProxyMetricSpec::Signal::kErrorRate;
  return spec;
}

std::optional<MetricProviderSpec> ReadProvider(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "provider", kProviders);
  if (!map) return std::nullopt;
  const Field* kind = reader.OneOf(field, *map, kProviders, "provider");
  if (!kind) return std::nullopt;
  MetricProviderSpec provider;
  provider.pos = field.key_pos;
  bool ok = true;
  if (kind->key == "prometheus") {
    ok = Store(ReadPrometheus(context, *kind), &provider.prometheus);
  } else if (kind->key == "http") {
    ok = Store(ReadHttp(context, *kind), &provider.http);
  } else if (kind->key == "exec") {
    ok = Store(ReadExec(context, *kind), &provider.exec);
  } else {
    ok = Store(ReadProxySignal(context, *kind), &provider.proxy);
  }
  if (!ok) return std::nullopt;
  return provider;
}

std::optional<JudgeSpec> ReadJudge(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(
      field, "judge",
      {"direction", "allowed-change", "confidence", "critical", "weight", "min-samples"});
  if (!map) return std::nullopt;
  JudgeSpec judge;
  judge.pos = field.key_pos;
  bool ok = true;
  if (const Field* direction = map->Find("direction")) {
    auto value = ReadChoice(context, *direction, {"increase", "decrease", "either"});
    ok &= value.has_value();
    if (value == "decrease") judge.bad = JudgeSpec::Direction::kDecrease;
    if (value == "either") judge.bad = JudgeSpec::Direction::kEither;
  }
  if (const Field* change = map->Find("allowed-change")) {
    ok &= Store(reader.Number(*change, 0, 100), &judge.allowed_change);
  }
  if (const Field* confidence = map->Find("confidence")) {
    ok &= Store(reader.Number(*confidence, 0.5, 0.9999), &judge.confidence);
  }
  if (const Field* critical = map->Find("critical")) {
    ok &= Store(reader.Bool(*critical), &judge.critical);
  }
  if (const Field* weight = map->Find("weight")) {
    ok &= Store(reader.Number(*weight, 0, 1000), &judge.weight);
  }
  if (const Field* samples = map->Find("min-samples")) {
    ok &= Store(reader.Int(*samples, 1, 100000000), &judge.min_samples);
  }
  if (!ok) return std::nullopt;
  return judge;
}

std::optional<AnalysisMetric> ReadMetric(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "metric", kMetricKeys);
  if (!map) return std::nullopt;
  AnalysisMetric metric;
  metric.pos = field.pos;
  bool ok = true;
  const Field* name = reader.Require(*map, "name", "metric");
  ok &= name && Store(ReadName(context, *name, "metric name"), &metric.name);
  const Field* provider = reader.Require(*map, "provider", "metric");
  ok &= provider && Store(ReadProvider(context, *provider), &metric.provider);
  if (const Field* judge = map->Find("judge"))
    ok &= Store(ReadJudge(context, *judge), &metric.judge);
  if (const Field* success = map->Find("success-condition")) {
    ok &= Store(ReadResultCondition(context, *success), &metric.success_condition);
  }
  if (const Field* failure = map->Find("failure-condition")) {
    ok &= Store(ReadResultCondition(context, *failure), &metric.failure_condition);
  }
  const std::vector<std::pair<const char*, int64_t*>> limits = {
      {"failure-limit", &metric.failure_limit},
      {"inconclusive-limit", &metric.inconclusive_limit},
      {"consecutive-error-limit", &metric.consecutive_error_limit}};
  for (const auto& [key, target] : limits) {
    if (const Field* limit = map->Find(key)) ok &= Store(reader.Int(*limit, 0, kMaxLimit), target);
  }
  const bool has_conditions = map->Find("success-condition") || map->Find("failure-condition");
  if (map->Find("judge") && has_conditions) {
    reader.Error(field.pos, "metric has both 'judge' and a condition",
                 "a metric is either judged against the baseline or checked by conditions");
    ok = false;
  } else if (!map->Find("judge") && !has_conditions) {
    reader.Error(field.pos, "metric needs 'judge' or 'success-condition'/'failure-condition'",
                 "e.g. success-condition: result < 0.01");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return metric;
}

// `args: {NAME: DEFAULT | null}`: null (or "") marks an argument every step must give.
std::optional<NamedValues> ReadArgs(LoadContext& context, const Field& field) {
  auto map = context.reader->Map(field, "args");
  if (!map) return std::nullopt;
  NamedValues args;
  bool ok = true;
  for (const Field& entry : map->entries()) {
    if (!IsValidName(entry.key) || entry.key.find('-') != std::string::npos) {
      context.reader->Error(entry.key_pos, "invalid argument name '" + entry.key + "'",
                            "use letters, digits and '_', starting with a letter or '_' "
                            "(expressions read it as args.NAME)");
      ok = false;
      continue;
    }
    std::string value;
    if (!entry.node.IsNull()) ok &= Store(context.reader->ScalarText(entry), &value);
    args.emplace_back(entry.key, std::move(value));
  }
  if (!ok) return std::nullopt;
  return args;
}

std::optional<AnalysisTemplate> ReadTemplateEntry(LoadContext& context, const Field& entry) {
  Reader& reader = *context.reader;
  const std::string what = "analysis template '" + entry.key + "'";
  auto map = reader.Map(entry, what, kTemplateKeys);
  if (!map) return std::nullopt;
  context.analysis_arg_uses.clear();
  AnalysisTemplate analysis;
  analysis.name = entry.key;
  analysis.pos = entry.key_pos;
  bool ok = true;
  if (const Field* args = map->Find("args")) ok &= Store(ReadArgs(context, *args), &analysis.args);
  if (const Field* interval = map->Find("interval")) {
    ok &= Store(ReadDuration(context, *interval), &analysis.interval);
  }
  if (const Field* count = map->Find("count")) {
    ok &= Store(reader.Int(*count, 1, kMaxLooks), &analysis.count);
  }
  if (const Field* extend = map->Find("extend")) {
    ok &= Store(reader.Int(*extend, 0, kMaxLooks), &analysis.extend);
  }
  if (const Field* inconclusive = map->Find("on-inconclusive")) {
    auto value = ReadChoice(context, *inconclusive, {"pause", "fail"});
    ok &= value.has_value();
    if (value == "fail") analysis.on_inconclusive = AnalysisTemplate::OnInconclusive::kFail;
  }
  const Field* metrics = reader.Require(*map, "metrics", what);
  auto items = metrics ? reader.List(*metrics, "a list of metrics") : std::nullopt;
  if (!items) return std::nullopt;
  if (items->empty()) {
    reader.Error(metrics->pos, what + " has no metrics", "add at least one metric");
    ok = false;
  }
  for (const Field& item : *items) {
    auto metric = ReadMetric(context, item);
    if (!metric) {
      ok = false;
      continue;
    }
    for (const AnalysisMetric& other : analysis.metrics) {
      if (other.name == metric->name) {
        reader.Error(item.pos, "metric '" + metric->name + "' is defined twice in " + what);
        ok = false;
      }
    }
    analysis.metrics.push_back(std::move(*metric));
  }
  CheckTemplateVariables(context, analysis);
  if (!ok) return std::nullopt;
  return analysis;
}

}  // namespace

std::vector<AnalysisTemplate> ReadAnalysisTemplates(LoadContext& context, const Field& field) {
  std::vector<AnalysisTemplate> templates;
  auto map = context.reader->Map(field, "analysis-templates");
  if (!map) return templates;
  for (const Field& entry : map->entries()) {
    context.analysis_template_names.push_back(entry.key);
    if (!IsValidName(entry.key)) {
      context.reader->Error(entry.key_pos, "invalid analysis template name '" + entry.key + "'",
                            "use letters, digits, '_' and '-', starting with a letter or '_'");
      continue;
    }
    if (auto analysis = ReadTemplateEntry(context, entry)) {
      templates.push_back(std::move(*analysis));
    }
  }
  return templates;
}

}  // namespace slipway::spec::internal
