// Where a repository keeps what (see Registry in registry.h); shared by repositories.cc and
// gc.cc.
#pragma once

#include <filesystem>
#include <string_view>

#include "registry/registry.h"

namespace slipway::registry::layout {

namespace fs = std::filesystem;

inline fs::path BlobLinks(const fs::path& repo) { return repo / "_blobs"; }
inline fs::path BlobLink(const fs::path& repo, const Digest& digest) {
  return BlobLinks(repo) / digest.hex;
}
inline fs::path Revisions(const fs::path& repo) { return repo / "_manifests" / "revisions"; }
inline fs::path Revision(const fs::path& repo, const Digest& digest) {
  return Revisions(repo) / digest.hex;
}
inline fs::path Tags(const fs::path& repo) { return repo / "_manifests" / "tags"; }
inline fs::path Tag(const fs::path& repo, std::string_view tag) { return Tags(repo) / tag; }
inline fs::path Referrers(const fs::path& repo) { return repo / "_referrers"; }
inline fs::path ReferrersOf(const fs::path& repo, const Digest& subject) {
  return Referrers(repo) / subject.hex;
}
inline fs::path Referrer(const fs::path& repo, const Digest& subject, const Digest& digest) {
  return ReferrersOf(repo, subject) / digest.hex;
}
inline fs::path Settings(const fs::path& repo) { return repo / "_settings.json"; }

}  // namespace slipway::registry::layout
