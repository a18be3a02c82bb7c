#include "deploy/template_analyzer.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <memory>

#include "deploy/revision_health.h"
#include "util/fs.h"

namespace slipway::deploy {
namespace {

namespace fs = std::filesystem;
using Outcome = AnalysisVerdict::Outcome;

constexpr size_t kMaxRecordBytes = 64 << 20;

// The canary's instances are all ready and none crash-loops; the reason otherwise.
std::optional<std::string> Unhealthy(Target& target, const std::string& revision) {
  Result<RevisionState> seen = target.Inspect(revision);
  if (!seen.ok()) return seen.status().message();
  return UnhealthyReason(revision, seen.value());
}

AnalysisVerdict VerdictOf(const verify::AnalysisRecord& record,
                          const spec::AnalysisTemplate& analysis) {
  const std::string summary = "analysis " + record.id + ": " + record.summary;
  switch (record.outcome) {
    case verify::Outcome::kPass:
      return {Outcome::kPass, summary};
    case verify::Outcome::kInconclusive:
    case verify::Outcome::kMarginal:
      if (analysis.on_inconclusive == spec::AnalysisTemplate::OnInconclusive::kFail) {
        return {Outcome::kFail, summary + " (inconclusive counts as failed)"};
      }
      return {Outcome::kInconclusive, summary};
    case verify::Outcome::kFail:
      break;
  }
  return {Outcome::kFail, summary};
}

class TemplateAnalyzer {
 public:
  explicit TemplateAnalyzer(TemplateAnalyzerOptions options) : options_(std::move(options)) {}

  AnalysisVerdict operator()(const AnalysisRequest& request) {
    if (request.template_name.empty()) {
      if (request.background) return {Outcome::kFail, "a background analysis needs a template"};
      return options_.health(request);
    }
    const spec::AnalysisTemplate* analysis =
        options_.pipeline->FindAnalysisTemplate(request.template_name);
    if (!analysis) {
      return {Outcome::kFail, "no analysis template '" + request.template_name + "'"};
    }
    if (auto unhealthy = Unhealthy(*options_.target, request.canary_revision)) {
      return {Outcome::kFail, *unhealthy};
    }
    verify::AnalysisRunOptions run;
    run.analysis = analysis;
    run.id = options_.environment + "." + std::to_string(options_.deploy_id) + "." +
             std::to_string(runs_.fetch_add(1) + 1);
    run.kind = request.background         ? "background"
               : request.receives_traffic ? "step"
                                          : "pre-promotion";
    run.conclude = request.background ? request.conclude : nullptr;
    run.canary_revision = request.canary_revision;
    // Without traffic (before a blue-green switch) there is nothing to compare with.
    run.baseline_revision = request.receives_traffic ? request.stable_revision : "";
    expr::Value::Map args;
    for (const auto& [name, value] : request.args) args[name] = value;
    run.variables = {{"environment", options_.environment},
                     {"project", options_.project},
                     {"service", options_.project},
                     {"args", expr::Value(std::move(args))}};
    verify::ProviderEnvironment environment;
    if (options_.proxy) {
      environment.proxy_admin = options_.proxy->admin.ToString();
      environment.proxy_token = options_.proxy->token;
    }
    run.providers = options_.providers
                        ? options_.providers
                        : [environment](const spec::AnalysisMetric& metric) {
                            return verify::MakeProvider(metric.provider, environment);
                          };
    run.stop = request.stop;
    const fs::path file = options_.analyses_dir / (run.id + ".json");
    run.on_look = [file](const verify::AnalysisRecord& record) {
      (void)WriteFileAtomic(file, verify::AnalysisRecordJson(record));
    };
    std::error_code ec;
    fs::create_directories(options_.analyses_dir, ec);
    if (options_.log) {
      options_.log("analysis " + run.id + (request.background ? " (background)" : "") +
                   ": template " + analysis->name + ", " + request.canary_revision + " against " +
                   (run.baseline_revision.empty() ? "no baseline" : run.baseline_revision));
    }
    const verify::AnalysisRecord record = verify::RunAnalysis(run);
    const AnalysisVerdict verdict = VerdictOf(record, *analysis);
    if (options_.log) {
      options_.log("analysis " + record.id + ": " +
                   std::string(verify::OutcomeName(record.outcome)) + " — " + record.summary);
    }
    return verdict;
  }

 private:
  TemplateAnalyzerOptions options_;
  std::atomic<int> runs_{0};  // a background analysis and a step's may start at once
};

}  // namespace

Analyzer MakeTemplateAnalyzer(TemplateAnalyzerOptions options) {
  auto analyzer = std::make_shared<TemplateAnalyzer>(std::move(options));
  return [analyzer](const AnalysisRequest& request) { return (*analyzer)(request); };
}

Result<std::vector<verify::AnalysisRecord>> ReadAnalyses(const fs::path& dir) {
  std::vector<verify::AnalysisRecord> records;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return records;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    Result<std::string> text = ReadFile(entry.path(), kMaxRecordBytes);
    if (!text.ok()) return text.status();
    Result<verify::AnalysisRecord> record = verify::ParseAnalysisRecordJson(text.value());
    if (!record.ok()) {
      return Internal(entry.path().string() + ": " + record.status().message());
    }
    records.push_back(std::move(record).value());
  }
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return a.started != b.started ? a.started < b.started : a.id < b.id;
  });
  return records;
}

Result<verify::AnalysisRecord> ReadAnalysis(const fs::path& dir, const std::string& id) {
  const bool safe = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
  });
  std::error_code ec;
  if (!safe || id.front() == '.' || !fs::exists(dir / (id + ".json"), ec)) {
    return NotFound("no analysis '" + id + "'");
  }
  SLIPWAY_ASSIGN_OR_RETURN(std::string text, ReadFile(dir / (id + ".json"), kMaxRecordBytes));
  return verify::ParseAnalysisRecordJson(text);
}

}  // namespace slipway::deploy
