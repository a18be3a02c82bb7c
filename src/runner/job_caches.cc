// The job's `cache:` entries: restored before the first step, saved after a successful job.
#include <string>

#include "cache/cache.h"
#include "runner/attempt_context.h"

namespace slipway::runner {
namespace {

// hashFiles('glob', ...) over the attempt's workspace.
expr::Activation::Function HashFilesFunction(std::filesystem::path workspace) {
  return [workspace](std::span<const expr::Value> args) -> std::variant<expr::Value, expr::Error> {
    std::vector<std::string> patterns;
    for (const auto& arg : args) {
      if (!arg.is_string()) return expr::Error{0, "hashFiles() takes strings"};
      patterns.push_back(arg.as_string());
    }
    auto digest = cache::HashFiles(workspace, patterns);
    if (!digest.ok()) return expr::Error{0, "hashFiles(): " + digest.status().message()};
    return expr::Value(*digest);
  };
}

}  // namespace

void AttemptContext::RestoreCaches() {
  if (job_.caches.empty()) return;
  if (attempt_.cache == nullptr) {
    Notice("cache: no cache store configured; caches are skipped");
    return;
  }
  expr::Activation scope = activation_;
  scope.functions["hashFiles"] = HashFilesFunction(attempt_.workspace);
  for (const auto& spec : job_.caches) {
    auto key = Render(spec.key, scope);
    if (auto* error = std::get_if<expr::Error>(&key)) {
      Notice("cache: key: " + error->message + " (cache skipped)");
      cache_keys_.emplace_back();
      continue;
    }
    std::vector<std::string> restore_keys;
    for (const auto& prefix : spec.restore_keys) {
      auto rendered = Render(prefix, scope);
      if (auto* text = std::get_if<std::string>(&rendered)) restore_keys.push_back(*text);
    }
    const std::string& rendered_key = std::get<std::string>(key);
    cache_keys_.emplace_back(rendered_key, "");
    auto hit = attempt_.cache->Restore(*attempt_.cache_scope, rendered_key, restore_keys,
                                       spec.paths, attempt_.workspace);
    if (!hit.ok()) {
      Notice("cache: restore failed: " + hit.status().message());
    } else if (!hit->has_value()) {
      Notice("cache: miss for key " + rendered_key);
    } else {
      const cache::RestoreHit& restored = **hit;
      cache_keys_.back().second = restored.exact ? restored.key : "";
      Notice(
          "cache: restored " + std::to_string(restored.files) + " file(s) from key " +
          restored.key + (restored.exact ? "" : " (restore-keys match)") +
          (restored.branch == attempt_.cache_scope->branch ? "" : " on branch " + restored.branch));
    }
  }
}

void AttemptContext::SaveCaches() {
  if (attempt_.cache == nullptr) return;
  for (size_t i = 0; i < job_.caches.size() && i < cache_keys_.size(); ++i) {
    const auto& [key, exact_hit] = cache_keys_[i];
    if (key.empty() || key == exact_hit) continue;  // bad key, or restored exactly: unchanged
    auto saved =
        attempt_.cache->Save(*attempt_.cache_scope, key, job_.caches[i].paths, attempt_.workspace);
    if (!saved.ok()) {
      Notice("cache: save failed: " + saved.status().message());
    } else {
      Notice("cache: " + saved->message);
    }
  }
}

}  // namespace slipway::runner
