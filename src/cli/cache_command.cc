// `slipway cache list|clear`: the local job cache `slipway run` uses.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "cache/cache.h"
#include "cli/commands.h"
#include "cli/local_paths.h"
#include "util/duration_format.h"

namespace slipway::cli {
namespace {

std::string FormatTime(cache::TimePoint when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm local{};
  localtime_r(&t, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
  return text;
}

std::string FormatBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

int List(cache::Cache& cache, const std::string& project, bool json) {
  auto entries = cache.List(project.empty() ? std::nullopt : std::optional(project));
  if (!entries.ok()) return Fatal(entries.status());
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *entries) {
      out.push_back({{"key", e.key},
                     {"project", e.project},
                     {"branch", e.branch},
                     {"paths", e.paths},
                     {"size", e.size},
                     {"files", e.files},
                     {"created", std::chrono::system_clock::to_time_t(e.created)},
                     {"last_used", std::chrono::system_clock::to_time_t(e.last_used)}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  if (entries->empty()) {
    std::printf("the cache is empty\n");
    return 0;
  }
  std::printf("%-20s %-16s %10s %6s  %-16s  %s\n", "PROJECT", "BRANCH", "SIZE", "FILES",
              "LAST USED", "KEY");
  uint64_t total = 0;
  for (const auto& e : *entries) {
    total += e.size;
    std::printf("%-20s %-16s %10s %6zu  %-16s  %s\n", e.project.c_str(), e.branch.c_str(),
                FormatBytes(e.size).c_str(), e.files, FormatTime(e.last_used).c_str(),
                e.key.c_str());
  }
  std::printf("%zu entries, %s (shared file contents are stored once)\n", entries->size(),
              FormatBytes(total).c_str());
  return 0;
}

}  // namespace

int CacheCommand(const std::vector<std::string>& args) {
  std::string dir, project, branch, key;
  bool json = false;
  FlagSet set("slipway cache", "list|clear [flags]",
              "Lists or clears the local job cache that `slipway run` restores and saves.\n"
              "clear without filters empties the whole cache.");
  set.String("cache-dir", 0, &dir, "DIR",
             "cache location (default $SLIPWAY_CACHE_DIR or ~/.cache/slipway)");
  set.String("project", 0, &project, "NAME", "only this project's entries");
  set.String("branch", 0, &branch, "NAME", "clear: only this branch's entries");
  set.String("key", 0, &key, "PREFIX", "clear: only entries whose key starts with PREFIX");
  set.Bool("json", 0, &json, "list: print JSON");
  std::vector<std::string> positionals;
  if (Status s = set.Parse(args, &positionals); !s.ok()) return UsageError(s);
  if (set.help_requested()) return PrintHelp(set);
  if (positionals.size() != 1 || (positionals[0] != "list" && positionals[0] != "clear")) {
    return UsageError(InvalidArgument("usage: slipway cache list|clear [flags]"));
  }
  cache::CacheOptions options;
  options.root = dir.empty() ? DefaultCacheDir() : std::filesystem::path(dir);
  auto cache = cache::Cache::Open(options);
  if (!cache.ok()) return Fatal(cache.status());
  if (positionals[0] == "list") return List(**cache, project, json);

  auto optional = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  auto cleared = (*cache)->Clear(optional(project), optional(branch), optional(key));
  if (!cleared.ok()) return Fatal(cleared.status());
  std::printf("removed %zu entries, freed %s\n", cleared->entries,
              FormatBytes(cleared->bytes).c_str());
  return 0;
}

}  // namespace slipway::cli
