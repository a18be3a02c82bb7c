// Where a deploy's files come from: the registry (REPO@DIGEST, REPO:TAG) or the job's
// workspace (a path). Internal to deploy.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "deploy/deploy.h"

namespace slipway::deploy {

struct FetchedArtifact {
  std::string repository;  // "" for a workspace path
  std::string digest;      // the manifest digest; "" for a workspace path
};

// Writes the artifact's files into `into` (created; must not exist yet). A workspace path
// (file or directory, relative, no "..") wins over a registry reference of the same text.
// From the registry: each layer titled org.opencontainers.image.title becomes that file
// (a title ending in .tar.gz or .tgz is also unpacked beside it); untitled tar layers (an
// image) are unpacked in order. A leading registry host ("localhost:8080/") is ignored.
Result<FetchedArtifact> FetchArtifact(registry::Registry* registry, std::string_view reference,
                                      const std::filesystem::path& workspace,
                                      const std::filesystem::path& into);

}  // namespace slipway::deploy
