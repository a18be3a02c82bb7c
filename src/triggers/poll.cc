// PollRepository: `git ls-remote` through libgit2 (a detached remote: no repository, no
// clone, no configuration consulted), compared with the refs the last poll saw.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "triggers/git_util.h"
#include "triggers/triggers.h"

namespace slipway::triggers {
namespace {

using internal::GitLibrary;
using internal::Remote;
using internal::RemoteSession;
using RefMap = std::map<std::string, std::string>;  // ref → commit sha

Result<RefMap> ParseKnownRefs(const std::string& json_text) {
  if (json_text.empty()) return RefMap();
  RefMap refs;
  try {
    const nlohmann::json json = nlohmann::json::parse(json_text);
    if (!json.is_object()) return InvalidArgument("known refs must be a JSON object");
    for (const auto& [ref, sha] : json.items()) {
      if (!sha.is_string()) {
        return InvalidArgument("known refs: the value of '" + ref + "' must be a string");
      }
      refs[ref] = sha.get<std::string>();
    }
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("known refs are not valid JSON: ") + e.what());
  }
  return refs;
}

// Branches and tags on the remote; annotated tags map to the commit they point to.
Result<RefMap> ListRemoteRefs(const std::string& url, const PollOptions& options) {
  SLIPWAY_RETURN_IF_ERROR(internal::CheckLocalPathExists(url));
  GitLibrary library;
  RemoteSession session(options.timeout);
  Remote remote;
  if (git_remote_create_detached(remote.out(), url.c_str()) != 0) {
    return InvalidArgument(internal::ScrubCredentials(
        "'" + RedactUrl(url) + "' is not a repository URL or path: " + internal::LastGitError(),
        url));
  }
  git_remote_callbacks callbacks;
  git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
  session.Install(&callbacks);
  git_proxy_options proxy;
  git_proxy_options_init(&proxy, GIT_PROXY_OPTIONS_VERSION);
  proxy.type = GIT_PROXY_AUTO;
  if (git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &callbacks, &proxy, nullptr) != 0) {
    return session.Failure("cannot reach", url);
  }
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (git_remote_ls(&heads, &count, remote.get()) != 0) {
    return session.Failure("cannot list the refs of", url);
  }
  RefMap refs, peeled;
  for (size_t i = 0; i < count; ++i) {
    std::string name = heads[i]->name;
    if (!name.starts_with("refs/heads/") && !name.starts_with("refs/tags/")) continue;
    char sha[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(sha, sizeof sha, &heads[i]->oid);
    if (name.ends_with("^{}")) {
      name.resize(name.size() - 3);
      peeled[name] = sha;
    } else {
      refs[name] = sha;
    }
  }
  for (auto& [name, sha] : peeled) {
    if (refs.count(name) != 0) refs[name] = sha;
  }
  git_remote_disconnect(remote.get());
  return refs;
}

std::string ToJson(const RefMap& refs) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [ref, sha] : refs) json[ref] = sha;
  return json.dump();
}

}  // namespace

Result<PollResult> PollRepository(const std::string& repo_url_or_path,
                                  const std::string& known_refs_json, const PollOptions& options) {
  SLIPWAY_ASSIGN_OR_RETURN(RefMap known, ParseKnownRefs(known_refs_json));
  const std::string url = internal::NormalizeRepositoryUrl(repo_url_or_path);
  SLIPWAY_ASSIGN_OR_RETURN(RefMap current, ListRemoteRefs(url, options));
  PollResult result;
  // Both maps are sorted: one merge pass yields the updates in ref order.
  auto k = known.begin();
  auto c = current.begin();
  while (k != known.end() || c != current.end()) {
    if (c == current.end() || (k != known.end() && k->first < c->first)) {
      result.updates.push_back({k->first, k->second, ""});
      ++k;
    } else if (k == known.end() || c->first < k->first) {
      result.updates.push_back({c->first, "", c->second});
      ++c;
    } else {
      if (k->second != c->second) result.updates.push_back({c->first, k->second, c->second});
      ++k, ++c;
    }
  }
  result.refs_json = ToJson(current);
  return result;
}

}  // namespace slipway::triggers
