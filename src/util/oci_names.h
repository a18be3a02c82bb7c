// OCI repository names and tags by the distribution spec's grammar: shared by the pipeline
// loader (artifacts.publish) and the registry.
#pragma once

#include <string_view>

namespace slipway {

// '/'-separated components of [a-z0-9] runs joined by '.', '_', '__' or dashes; at most 255
// characters.
bool IsOciRepositoryName(std::string_view name);
// [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool IsOciTag(std::string_view reference);

}  // namespace slipway
