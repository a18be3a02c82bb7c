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
// `artifacts`: the kept paths and the publish entries (whose paths are kept too) of `job`.
void ReadArtifacts(LoadContext& context, const Field& field, Job* job);
// `list of names`, no duplicates.
std::vector<std::string> ReadOutputs(LoadContext& context, const Field& field);
// `{junit: glob}`; the glob or "".
std::string ReadReports(LoadContext& context, const Field& field);

}  // namespace slipway::spec::internal
