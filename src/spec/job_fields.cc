// The smaller job fields: retry, cache, artifacts, outputs, reports.
#include "spec/job_fields.h"

#include <algorithm>
#include <utility>

#include "util/hints.h"
#include "util/oci_names.h"

namespace slipway::spec::internal {
namespace {

const std::vector<std::string> kRetryReasons = {"failure", "timeout", "infra"};

std::optional<RetryReason> ParseRetryReason(LoadContext& context, const Field& field) {
  auto name = context.reader->String(field);
  if (!name) return std::nullopt;
  if (*name == "failure") return RetryReason::kFailure;
  if (*name == "timeout") return RetryReason::kTimeout;
  if (*name == "infra") return RetryReason::kInfra;
  std::string hint = DidYouMean(*name, kRetryReasons);
  if (hint.empty()) hint = "use " + JoinAlternatives(kRetryReasons);
  context.reader->Error(field.pos, "unknown retry reason '" + *name + "'", std::move(hint));
  return std::nullopt;
}

constexpr int64_t kMaxRetries = 10;

// Paths and globs relative to the workspace, each checked as a glob.
std::vector<std::string> ReadPaths(LoadContext& context, const Field& field) {
  std::vector<std::string> paths;
  auto items = context.reader->StringOrListFields(field);
  if (!items) return paths;
  if (items->empty()) context.reader->Error(field.pos, "'" + field.key + "' must not be empty");
  for (const Field& item : *items) {
    auto path = context.reader->String(item);
    if (!path) continue;
    CheckGlob(context, item, *path, /*negatable=*/false);
    paths.push_back(std::move(*path));
  }
  return paths;
}

std::optional<CacheSpec> ReadCache(LoadContext& context, const Field& field, std::string_view job) {
  auto map = context.reader->Map(field, "cache", {"key", "restore-keys", "paths"});
  if (!map) return std::nullopt;
  CacheSpec cache;
  cache.pos = field.pos;
  if (const Field* key = context.reader->Require(*map, "key", "cache")) {
    if (auto value = ReadTemplate(context, *key, job, kHashFiles)) cache.key = std::move(*value);
  }
  if (const Field* restore = map->Find("restore-keys")) {
    if (auto values = ReadTemplates(context, *restore, job, kHashFiles)) {
      cache.restore_keys = std::move(*values);
    }
  }
  if (const Field* paths = context.reader->Require(*map, "paths", "cache")) {
    cache.paths = ReadPaths(context, *paths);
  }
  return cache;
}

// A workspace path to publish: relative, no '..' and no glob (it names one thing).
std::optional<std::string> ReadPublishPath(LoadContext& context, const Field& field) {
  auto path = context.reader->String(field);
  if (!path) return std::nullopt;
  const bool climbs = *path == ".." || path->starts_with("../") ||
                      path->find("/../") != std::string::npos || path->ends_with("/..");
  if (path->empty() || path->front() == '/' || climbs) {
    context.reader->Error(field.pos, "'" + *path + "' is not a path inside the workspace",
                          "give a relative path such as dist/app");
    return std::nullopt;
  }
  if (path->find_first_of("*?[{") != std::string::npos) {
    context.reader->Error(field.pos, "a path to publish cannot be a glob: '" + *path + "'",
                          "name the file or directory (a directory is published whole)");
    return std::nullopt;
  }
  return path;
}

std::optional<PublishSpec> ReadPublish(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  auto map = reader.Map(field, "publish entry",
                        {"path", "oci-layout", "repository", "artifact-type", "sbom"});
  if (!map) return std::nullopt;
  PublishSpec entry;
  entry.pos = field.pos;
  const Field* path = map->Find("path");
  const Field* layout = map->Find("oci-layout");
  if ((path == nullptr) == (layout == nullptr)) {
    reader.Error(field.pos, "a publish entry needs exactly one of 'path' and 'oci-layout'",
                 "'path' publishes files as an OCI artifact; 'oci-layout' the image in a layout");
    return std::nullopt;
  }
  entry.oci_layout = layout != nullptr;
  auto value = ReadPublishPath(context, entry.oci_layout ? *layout : *path);
  if (!value) return std::nullopt;
  entry.path = std::move(*value);
  if (const Field* repository = map->Find("repository")) {
    auto name = reader.String(*repository);
    if (!name) return std::nullopt;
    if (!IsOciRepositoryName(*name)) {
      reader.Error(repository->pos, "'" + *name + "' is not a valid OCI repository name",
                   "use lower-case components of [a-z0-9] joined by '.', '_' or '-', separated "
                   "by '/', e.g. hello/app");
      return std::nullopt;
    }
    entry.repository = std::move(*name);
  }
  if (const Field* type = map->Find("artifact-type")) {
    if (entry.oci_layout) {
      reader.Error(type->pos, "'artifact-type' applies to 'path' entries",
                   "an OCI layout's manifest says what it is");
      return std::nullopt;
    }
    auto text = reader.String(*type);
    if (!text) return std::nullopt;
    if (text->empty() || text->find('/') == std::string::npos) {
      reader.Error(type->pos, "'" + *text + "' is not a media type",
                   "e.g. application/vnd.example.app.v1");
      return std::nullopt;
    }
    entry.artifact_type = std::move(*text);
  }
  if (const Field* sbom = map->Find("sbom")) {
    for (const Field& item : reader.StringOrListFields(*sbom).value_or(std::vector<Field>{})) {
      if (auto file = ReadPublishPath(context, item)) entry.sbom.push_back(std::move(*file));
    }
  }
  return entry;
}

}  // namespace

RetryPolicy ReadRetry(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  RetryPolicy retry;
  if (field.node.IsScalar() && Reader::Kind(field.node) == ScalarKind::kInt) {
    if (auto max = reader.Int(field, 0, kMaxRetries)) retry.max = static_cast<int>(*max);
    return retry;
  }
  if (!field.node.IsMap()) {
    reader.TypeError(field, "a retry count or a map");
    return retry;
  }
  auto map = reader.Map(field, "retry", {"max", "on", "exit-codes"});
  if (!map) return retry;
  if (const Field* max = map->Find("max")) {
    if (auto value = reader.Int(*max, 0, kMaxRetries)) retry.max = static_cast<int>(*value);
  }
  if (const Field* on = map->Find("on")) {
    if (auto items = reader.StringOrListFields(*on)) {
      retry.on.clear();
      for (const Field& item : *items) {
        auto reason = ParseRetryReason(context, item);
        if (reason && std::find(retry.on.begin(), retry.on.end(), *reason) == retry.on.end()) {
          retry.on.push_back(*reason);
        }
      }
      if (items->empty()) reader.Error(on->pos, "retry 'on' must not be empty");
    }
  }
  if (const Field* codes = map->Find("exit-codes")) {
    std::vector<Field> items;
    if (codes->node.IsSequence()) {
      items = reader.List(*codes, "a list of exit codes").value_or(std::vector<Field>{});
      if (items.empty()) reader.Error(codes->pos, "'exit-codes' must not be empty");
    } else {
      items.push_back(*codes);
    }
    for (const Field& item : items) {
      if (auto code = reader.Int(item, 0, 255)) retry.exit_codes.push_back(static_cast<int>(*code));
    }
  }
  return retry;
}

std::vector<CacheSpec> ReadCaches(LoadContext& context, const Field& field, std::string_view job) {
  std::vector<CacheSpec> caches;
  if (field.node.IsMap()) {
    if (auto cache = ReadCache(context, field, job)) caches.push_back(std::move(*cache));
    return caches;
  }
  if (!field.node.IsSequence()) {
    context.reader->TypeError(field, "a map or a list of maps");
    return caches;
  }
  for (const Field& item :
       context.reader->List(field, "a list of maps").value_or(std::vector<Field>{})) {
    if (auto cache = ReadCache(context, item, job)) caches.push_back(std::move(*cache));
  }
  return caches;
}

void ReadArtifacts(LoadContext& context, const Field& field, Job* job) {
  if (!field.node.IsMap()) {
    job->artifacts = ReadPaths(context, field);
    return;
  }
  auto map = context.reader->Map(field, "artifacts", {"paths", "publish"});
  if (!map) return;
  const Field* paths = map->Find("paths");
  const Field* publish = map->Find("publish");
  if (paths == nullptr && publish == nullptr) {
    context.reader->Error(field.pos, "'artifacts' needs 'paths' or 'publish'");
    return;
  }
  if (paths != nullptr) job->artifacts = ReadPaths(context, *paths);
  if (publish == nullptr) return;
  for (const Field& item :
       context.reader->List(*publish, "a list of publish entries").value_or(std::vector<Field>{})) {
    if (auto entry = ReadPublish(context, item)) {
      // The server publishes from the kept files.
      job->artifacts.push_back(entry->path);
      job->artifacts.insert(job->artifacts.end(), entry->sbom.begin(), entry->sbom.end());
      job->publish.push_back(std::move(*entry));
    }
  }
}

std::vector<std::string> ReadOutputs(LoadContext& context, const Field& field) {
  std::vector<std::string> outputs;
  auto items = context.reader->List(field, "a list of output names");
  if (!items) return outputs;
  std::vector<const Field*> seen;
  for (const Field& item : *items) {
    auto name = context.reader->String(item);
    if (!name) continue;
    if (!IsValidName(*name)) {
      context.reader->Error(item.pos, "invalid output name '" + *name + "'",
                            "use letters, digits, '_' and '-', starting with a letter or '_'");
      continue;
    }
    auto first = std::find_if(seen.begin(), seen.end(),
                              [&](const Field* f) { return f->node.Scalar() == *name; });
    if (first != seen.end()) {
      context.reader->Error(item.pos, "output '" + *name + "' is listed twice",
                            "first listed at line " + std::to_string((*first)->pos.line) +
                                ", column " + std::to_string((*first)->pos.column));
      continue;
    }
    seen.push_back(&item);
    outputs.push_back(std::move(*name));
  }
  return outputs;
}

std::string ReadReports(LoadContext& context, const Field& field) {
  auto map = context.reader->Map(field, "reports", {"junit"});
  if (!map) return {};
  const Field* junit = map->Find("junit");
  if (!junit) return {};
  auto pattern = context.reader->String(*junit);
  if (!pattern) return {};
  CheckGlob(context, *junit, *pattern, /*negatable=*/false);
  return *pattern;
}

}  // namespace slipway::spec::internal
