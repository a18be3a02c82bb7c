// /v2/<name>/manifests/…, tags/list, _catalog and referrers/…: manifests by tag or digest,
// immutable tags (channels may move, and each move is audited), listings with the spec's
// pagination (?n=&last= with a Link header for the next page).
#include "api/registry_api.h"

namespace slipway::api {
namespace {

constexpr int64_t kMaxPage = 10000;

// Reads a body of at most `limit` bytes; kResourceExhausted past it.
Result<std::string> ReadLimited(http::Request& request, size_t limit) {
  std::string body;
  char buffer[64 * 1024];
  while (true) {
    SLIPWAY_ASSIGN_OR_RETURN(size_t got, request.body_reader->Read(buffer, sizeof buffer));
    if (got == 0) return body;
    if (body.size() + got > limit) {
      return ResourceExhausted("the manifest is larger than the limit of 4 MiB");
    }
    body.append(buffer, got);
  }
}

// A page of `names` (sorted) after ?last= with at most ?n= entries, and the Link header of the
// next page (set on `response` when there is one).
Result<std::vector<std::string>> Page(const http::Request& request,
                                      const std::vector<std::string>& names,
                                      const std::string& path, http::Response* response) {
  SLIPWAY_ASSIGN_OR_RETURN(std::optional<int64_t> n, QueryInt(request, "n", 0, kMaxPage));
  const std::string last(request.Query("last").value_or(""));
  auto it = last.empty() ? names.begin() : std::upper_bound(names.begin(), names.end(), last);
  std::vector<std::string> page;
  const size_t limit = n ? static_cast<size_t>(*n) : static_cast<size_t>(kMaxPage);
  for (; it != names.end() && page.size() < limit; ++it) page.push_back(*it);
  if (it != names.end() && !page.empty()) {
    response->headers.Set("Link", "<" + path + "?n=" + std::to_string(limit) +
                                      "&last=" + page.back() + ">; rel=\"next\"");
  }
  return page;
}

}  // namespace

http::Response GetManifest(ApiState& state, http::Request& request) {
  const std::string_view repository = request.Param("name");
  auto manifest = RegistryOf(state).GetManifest(repository, request.Param("reference"));
  if (!manifest.ok()) {
    return OciErrorFrom(manifest.status(), manifest.status().code() == StatusCode::kInvalidArgument
                                               ? "MANIFEST_INVALID"
                                               : "MANIFEST_UNKNOWN");
  }
  http::Response response =
      http::Response::Text(200, std::move(manifest->bytes), manifest->media_type);
  response.headers.Set("Docker-Content-Digest", manifest->digest.ToString());
  response.headers.Set("ETag", "\"" + manifest->digest.ToString() + "\"");
  return response;
}

http::Response PutManifest(ApiState& state, http::Request& request) {
  const std::string repository(request.Param("name"));
  const std::string reference(request.Param("reference"));
  auto body = ReadLimited(request, registry::kMaxManifestBytes);
  if (!body.ok()) {
    return body.status().code() == StatusCode::kResourceExhausted
               ? OciError(413, "MANIFEST_INVALID", body.status().message())
               : OciErrorFrom(body.status(), "MANIFEST_INVALID");
  }
  auto put = RegistryOf(state).PutManifest(repository, reference, *body,
                                           request.Header("Content-Type").value_or(""));
  if (!put.ok()) {
    const Status& status = put.status();
    switch (status.code()) {
      case StatusCode::kInvalidArgument:
        return OciError(400,
                        status.message().starts_with("the manifest's digest") ? "DIGEST_INVALID"
                                                                              : "MANIFEST_INVALID",
                        status.message());
      case StatusCode::kNotFound:
        return OciError(400, "MANIFEST_BLOB_UNKNOWN", status.message());
      case StatusCode::kFailedPrecondition:
        return OciError(409, "TAG_INVALID", status.message());
      default:
        return OciErrorFrom(status, "MANIFEST_INVALID");
    }
  }
  if (put->moved_from) {
    const RegistryCaller& caller = RegistryCallerOf(request);
    Status audited = Audit(state, caller.principal.token.name, "registry.channel.move",
                           "registry/" + repository + ":" + reference,
                           {{"from", put->moved_from->ToString()}, {"to", put->digest.ToString()}});
    if (!audited.ok()) return AuditFailed(audited);
  }
  http::Response response;
  response.status = 201;
  response.headers.Set("Location", "/v2/" + repository + "/manifests/" + put->digest.ToString());
  response.headers.Set("Docker-Content-Digest", put->digest.ToString());
  if (put->manifest.subject) {
    response.headers.Set("OCI-Subject", put->manifest.subject->digest.ToString());
  }
  return response;
}

http::Response DeleteManifest(ApiState& state, http::Request& request) {
  const std::string repository(request.Param("name"));
  const std::string reference(request.Param("reference"));
  registry::Registry& registry = RegistryOf(state);
  Status deleted;
  if (registry::IsTag(reference)) {
    deleted = registry.DeleteTag(repository, reference);
  } else {
    auto digest = registry::Digest::Parse(reference);
    if (!digest.ok()) return OciError(400, "DIGEST_INVALID", digest.status().message());
    deleted = registry.DeleteManifest(repository, *digest);
  }
  if (!deleted.ok()) return OciErrorFrom(deleted, "MANIFEST_UNKNOWN");
  Status audited =
      Audit(state, RegistryCallerOf(request).principal.token.name,
            registry::IsTag(reference) ? "registry.tag.delete" : "registry.manifest.delete",
            "registry/" + repository + (registry::IsTag(reference) ? ":" : "@") + reference,
            Json::object());
  if (!audited.ok()) return AuditFailed(audited);
  http::Response response;
  response.status = 202;
  return response;
}

http::Response ListTags(ApiState& state, http::Request& request) {
  const std::string repository(request.Param("name"));
  auto tags = RegistryOf(state).ListTags(repository);
  if (!tags.ok()) return OciErrorFrom(tags.status(), "NAME_UNKNOWN");
  http::Response response;
  auto page = Page(request, *tags, "/v2/" + repository + "/tags/list", &response);
  if (!page.ok()) return OciError(400, "PAGINATION_NUMBER_INVALID", page.status().message());
  response.status = 200;
  response.headers.Set("Content-Type", "application/json");
  response.body = Json{{"name", repository}, {"tags", *page}}.dump();
  return response;
}

http::Response ListCatalog(ApiState& state, http::Request& request) {
  auto repositories = RegistryOf(state).ListRepositories();
  if (!repositories.ok()) return OciErrorFrom(repositories.status(), "UNAVAILABLE");
  const RegistryCaller& caller = RegistryCallerOf(request);
  std::erase_if(*repositories, [&](const std::string& repository) {
    return !RegistryAllows(state, caller, RegistryAction::kPull, repository);
  });
  http::Response response;
  auto page = Page(request, *repositories, "/v2/_catalog", &response);
  if (!page.ok()) return OciError(400, "PAGINATION_NUMBER_INVALID", page.status().message());
  response.status = 200;
  response.headers.Set("Content-Type", "application/json");
  response.body = Json{{"repositories", *page}}.dump();
  return response;
}

http::Response ListReferrers(ApiState& state, http::Request& request) {
  const std::string_view repository = request.Param("name");
  auto subject = registry::Digest::Parse(request.Param("digest"));
  if (!subject.ok()) return OciError(400, "DIGEST_INVALID", subject.status().message());
  auto referrers = RegistryOf(state).Referrers(repository, *subject);
  if (!referrers.ok()) return OciErrorFrom(referrers.status(), "UNAVAILABLE");
  http::Response response;
  if (auto type = request.Query("artifactType")) {
    std::erase_if(*referrers, [&](const registry::Descriptor& descriptor) {
      return descriptor.artifact_type != *type;
    });
    response.headers.Set("OCI-Filters-Applied", "artifactType");
  }
  response.status = 200;
  response.headers.Set("Content-Type", std::string(registry::media_type::kOciIndex));
  response.body = registry::ReferrersIndexJson(*referrers);
  return response;
}

}  // namespace slipway::api
