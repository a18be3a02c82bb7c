// Readers for the smaller job fields (job_fields.cc). Internal to src/spec.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/loader.h"

namespace slipway::spec::internal {

// `int 0..10 | {max, on, exit-codes}`.
RetryPolicy ReadRetry(LoadContext& context, const Field& field);
// `map | list of maps: {key, restore-keys, paths}`.
std::vector<CacheSpec> ReadCaches(LoadContext& context, const Field& field, std::string_view job);
// `string | list | {paths: string | list}`.
std::vector<std::string> ReadArtifacts(LoadContext& context, const Field& field);
// `list of names`, no duplicates.
std::vector<std::string> ReadOutputs(LoadContext& context, const Field& field);
// `{junit: glob}`; the glob or "".
std::string ReadReports(LoadContext& context, const Field& field);

}  // namespace slipway::spec::internal
