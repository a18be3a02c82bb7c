// `slos:` — service level objectives: the objective, its window, the SLI's good/total queries,
// the release freeze and alerting. docs/slo.md.
#include <utility>

#include "spec/analysis_fields.h"
#include "spec/environment_fields.h"

namespace slipway::spec::internal {
namespace {

const std::vector<std::string> kSloKeys = {"objective", "window", "sli", "freeze", "alerting"};
const std::vector<std::string> kSliSources = {"prometheus"};
const std::vector<std::string> kPrometheusKeys = {"address", "good", "total", "latency", "timeout"};
const std::vector<std::string> kFreezeKeys = {"environments", "burn-rate"};

constexpr double kMinObjective = 50;
constexpr double kMaxObjective = 99.9999;
constexpr double kMinFreezeBurnRate = 0.1;
constexpr double kMaxFreezeBurnRate = 1000;
constexpr Duration kMinWindow = std::chrono::hours(1);
constexpr Duration kMaxWindow = std::chrono::hours(24 * 365);
constexpr std::string_view kWindowVariable = "window";

// A PromQL template whose only variable is `window`, used at least once: without it every
// burn-rate window would measure the same range.
std::optional<std::string> ReadSliQuery(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto text = reader.String(field);
  if (!text) return std::nullopt;
  auto parsed = expr::Template::Parse(*text);
  const ScalarLocator locator(reader, field.node);
  if (auto* error = std::get_if<expr::Error>(&parsed)) {
    reader.Error(locator.At(error->column > 0 ? static_cast<size_t>(error->column - 1) : 0),
                 "invalid expression: " + error->message);
    return std::nullopt;
  }
  bool ok = true, uses_window = false;
  for (const expr::Template::Part& part : std::get<expr::Template>(parsed).parts()) {
    if (!part.expression) continue;
    size_t offset = static_cast<size_t>(part.offset);
    if (std::string_view(*text).substr(offset).starts_with("${{")) offset += 3;
    auto at = [&](int column) { return locator.At(offset + (column > 0 ? column - 1 : 0)); };
    for (const expr::Expression::Reference& reference : part.expression->References()) {
      if (reference.path.front() == kWindowVariable && reference.path.size() == 1) {
        uses_window = true;
        continue;
      }
      reader.Error(at(reference.column), "'" + reference.path.front() + "' is not an SLI variable",
                   "an SLI query may only use ${{ window }}, the PromQL range");
      ok = false;
    }
    for (const expr::Expression::Call& call : part.expression->Calls()) {
      reader.Error(at(call.column), "an SLI query cannot call '" + call.name + "'",
                   "an SLI query may only use ${{ window }}, the PromQL range");
      ok = false;
    }
  }
  if (ok && !uses_window) {
    const std::string which = field.key == "query" ? "latency" : field.key;
    reader.Error(field.pos, "the '" + which + "' query does not use ${{ window }}",
                 "write the range as [${{ window }}] so each burn-rate window measures its own "
                 "range");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return text;
}

// `latency: {query: …}`: the fraction of events that were fast enough.
std::optional<std::string> ReadLatency(LoadContext& context, const Field& field) {
  auto map = context.reader->Map(field, "latency SLI", {"query"});
  if (!map) return std::nullopt;
  const Field* query = context.reader->Require(*map, "query", "latency SLI");
  if (!query) return std::nullopt;
  return ReadSliQuery(context, *query);
}

std::optional<PrometheusSliSpec> ReadPrometheusSli(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  const std::string what = "prometheus SLI";
  auto map = reader.Map(field, what, kPrometheusKeys);
  if (!map) return std::nullopt;
  PrometheusSliSpec spec;
  spec.pos = field.key_pos;
  bool ok = true;
  const Field* address = reader.Require(*map, "address", what);
  ok &= address && Store(ReadHttpUrl(context, *address, false), &spec.address);
  if (const Field* latency = map->Find("latency")) {
    ok &= Store(ReadLatency(context, *latency), &spec.latency);
    for (const char* key : {"good", "total"}) {
      if (const Field* other = map->Find(key)) {
        reader.Error(other->key_pos, what + " has both 'latency' and '" + key + "'",
                     "a latency SLI's query answers the fraction of good events by itself");
        ok = false;
      }
    }
  } else {
    const Field* good = map->Find("good");
    const Field* total = map->Find("total");
    if (!good && !total) {
      reader.Error(field.key_pos, what + " needs 'good' and 'total', or 'latency'",
                   "good and total count events over [${{ window }}]");
      return std::nullopt;
    }
    good = reader.Require(*map, "good", what);
    ok &= good && Store(ReadSliQuery(context, *good), &spec.good);
    total = reader.Require(*map, "total", what);
    ok &= total && Store(ReadSliQuery(context, *total), &spec.total);
  }
  if (const Field* timeout = map->Find("timeout")) {
    ok &= Store(ReadDuration(context, *timeout), &spec.timeout);
  }
  if (!ok) return std::nullopt;
  return spec;
}

std::optional<SliSpec> ReadSli(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "sli", kSliSources);
  if (!map) return std::nullopt;
  const Field* source = reader.OneOf(field, *map, kSliSources, "sli");
  if (!source) return std::nullopt;
  SliSpec sli;
  sli.pos = field.key_pos;
  if (!Store(ReadPrometheusSli(context, *source), &sli.prometheus)) return std::nullopt;
  return sli;
}

// Each environment must be a key of `environments:` (one that failed to load is reported
// where it is, not again here).
bool ReadFreezeEnvironments(LoadContext& context, const Field& field, SloFreezeSpec& freeze) {
  auto items = context.reader->StringOrListFields(field);
  if (!items) return false;
  return ReadEnvironmentNames(context, *items, "the freeze", freeze.environments);
}

std::optional<SloFreezeSpec> ReadFreeze(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "freeze", kFreezeKeys);
  if (!map) return std::nullopt;
  SloFreezeSpec freeze;
  freeze.pos = field.key_pos;
  bool ok = true;
  if (const Field* environments = map->Find("environments")) {
    ok &= ReadFreezeEnvironments(context, *environments, freeze);
  }
  if (const Field* burn_rate = map->Find("burn-rate")) {
    ok &=
        Store(reader.Number(*burn_rate, kMinFreezeBurnRate, kMaxFreezeBurnRate), &freeze.burn_rate);
  }
  if (!ok) return std::nullopt;
  return freeze;
}

std::optional<Duration> ReadWindow(LoadContext& context, const Field& field) {
  auto window = ReadDuration(context, field);
  if (!window) return std::nullopt;
  if (*window < kMinWindow || *window > kMaxWindow) {
    context.reader->Error(field.pos, "an SLO window must be between 1h and 365d",
                          "the usual window is 28d or 30d");
    return std::nullopt;
  }
  return window;
}

std::optional<Slo> ReadSlo(LoadContext& context, const Field& entry) {
  Reader& reader = *context.reader;
  const std::string what = "SLO '" + entry.key + "'";
  auto map = reader.Map(entry, what, kSloKeys);
  if (!map) return std::nullopt;
  Slo slo;
  slo.name = entry.key;
  slo.pos = entry.key_pos;
  bool ok = true;
  const Field* objective = reader.Require(*map, "objective", what);
  ok &= objective && Store(reader.Number(*objective, kMinObjective, kMaxObjective), &slo.objective);
  if (const Field* window = map->Find("window"))
    ok &= Store(ReadWindow(context, *window), &slo.window);
  const Field* sli = reader.Require(*map, "sli", what);
  ok &= sli && Store(ReadSli(context, *sli), &slo.sli);
  if (const Field* freeze = map->Find("freeze"))
    ok &= Store(ReadFreeze(context, *freeze), &slo.freeze);
  if (const Field* alerting = map->Find("alerting"))
    ok &= Store(reader.Bool(*alerting), &slo.alerting);
  if (!ok) return std::nullopt;
  return slo;
}

}  // namespace

std::vector<Slo> ReadSlos(LoadContext& context, const Field& field) {
  std::vector<Slo> slos;
  auto map = context.reader->Map(field, "slos");
  if (!map) return slos;
  for (const Field& entry : map->entries()) {
    if (!IsValidName(entry.key)) {
      context.reader->Error(entry.key_pos, "invalid SLO name '" + entry.key + "'",
                            "use letters, digits, '_' and '-', starting with a letter or '_'");
      continue;
    }
    if (auto slo = ReadSlo(context, entry)) slos.push_back(std::move(*slo));
  }
  return slos;
}

}  // namespace slipway::spec::internal
