// Bare mirrors: one per repository URL under <data_dir>/mirrors, fetched into with an
// anonymous remote so the URL (and any credentials in it) is never written to the mirror's
// configuration.
#include <string>
#include <vector>

#include "triggers/git_util.h"
#include "triggers/triggers.h"
#include "util/sha256.h"

namespace slipway::triggers {
namespace {

using internal::GitLibrary;
using internal::Remote;
using internal::RemoteSession;
using internal::Repository;

Result<std::filesystem::path> OpenOrCreate(const std::filesystem::path& path, Repository* repo) {
  if (git_repository_open_bare(repo->out(), path.c_str()) == 0) return path;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return ErrnoStatus("cannot create " + path.parent_path().string(), ec.value());
  if (git_repository_init(repo->out(), path.c_str(), /*is_bare=*/1) != 0) {
    return Unavailable("cannot create the mirror " + path.string() + ": " +
                       internal::LastGitError());
  }
  return path;
}

}  // namespace

std::filesystem::path MirrorPath(const std::string& repo_url_or_path, const PollOptions& options) {
  // Keyed by the URL without credentials, so rotating a token keeps the mirror.
  const std::string key = RedactUrl(internal::NormalizeRepositoryUrl(repo_url_or_path));
  return options.data_dir / "mirrors" / (Sha256Hex(key).substr(0, 32) + ".git");
}

Result<std::filesystem::path> UpdateMirror(const std::string& repo_url_or_path,
                                           const std::vector<std::string>& refs,
                                           const PollOptions& options) {
  if (options.data_dir.empty()) return InvalidArgument("PollOptions.data_dir is not set");
  for (const std::string& ref : refs) {
    if (!ref.starts_with("refs/") || git_reference_is_valid_name(ref.c_str()) == 0) {
      return InvalidArgument("'" + ref + "' is not a full ref name such as refs/heads/main");
    }
  }
  const std::string url = internal::NormalizeRepositoryUrl(repo_url_or_path);
  SLIPWAY_RETURN_IF_ERROR(internal::CheckLocalPathExists(url));
  GitLibrary library;
  Repository repo;
  SLIPWAY_ASSIGN_OR_RETURN(std::filesystem::path path,
                           OpenOrCreate(MirrorPath(repo_url_or_path, options), &repo));
  RemoteSession session(options.timeout);
  Remote remote;
  // In-memory (unnamed) remote, so the URL never reaches the mirror's config. Skipping
  // url.insteadOf keeps the server independent of whatever git configuration the machine
  // has, and avoids a libgit2 1.5 leak in the regex that looks it up (fixed upstream in
  // libgit2 PR #6382).
  git_remote_create_options create;
  git_remote_create_options_init(&create, GIT_REMOTE_CREATE_OPTIONS_VERSION);
  create.repository = repo.get();
  create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  if (git_remote_create_with_opts(remote.out(), url.c_str(), &create) != 0) {
    return InvalidArgument(internal::ScrubCredentials(
        "'" + RedactUrl(url) + "' is not a repository URL or path: " + internal::LastGitError(),
        url));
  }
  std::vector<std::string> specs;
  specs.reserve(refs.size());
  for (const std::string& ref : refs)
    specs.push_back(std::string("+").append(ref).append(":").append(ref));
  if (refs.empty()) specs = {"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"};
  std::vector<char*> spec_ptrs;
  spec_ptrs.reserve(specs.size());
  for (std::string& spec : specs) spec_ptrs.push_back(spec.data());
  const git_strarray refspecs = {spec_ptrs.data(), spec_ptrs.size()};

  git_fetch_options fetch;
  git_fetch_options_init(&fetch, GIT_FETCH_OPTIONS_VERSION);
  session.Install(&fetch.callbacks);
  fetch.proxy_opts.type = GIT_PROXY_AUTO;
  fetch.update_fetchhead = 0;
  // A full mirror drops branches deleted upstream; their objects stay until a gc, so commits
  // already fetched remain readable.
  fetch.prune = refs.empty() ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE;
  fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;  // the refspecs say what we want
  if (git_remote_fetch(remote.get(), &refspecs, &fetch, "slipway: fetch") != 0) {
    return session.Failure("cannot fetch from", url);
  }
  for (const std::string& ref : refs) {
    git_oid oid;
    if (git_reference_name_to_id(&oid, repo.get(), ref.c_str()) != 0) {
      return NotFound("'" + RedactUrl(url) + "' has no ref " + ref);
    }
  }
  return path;
}

}  // namespace slipway::triggers
