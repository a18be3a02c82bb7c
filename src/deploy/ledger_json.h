// How ledgers write desired states and deploy records down (files and the store's JSON
// columns alike). Times are milliseconds since the epoch. Internal.
#pragma once

#include <string>
#include <string_view>

#include "deploy/deploy.h"

namespace slipway::deploy {

std::string RevisionJson(const RevisionSpec& revision);  // one line
Result<RevisionSpec> ParseRevisionJson(std::string_view text);

std::string DeployRecordJson(const DeployRecord& record);  // one line, no newline
// InvalidArgument when `text` is not a JSON object; missing fields keep their defaults.
Result<DeployRecord> ParseDeployRecordJson(std::string_view text);

// environment.json: everything of a desired state.
std::string DesiredStateJson(const DesiredState& state);
Result<DesiredState> ParseDesiredStateJson(std::string_view text);

}  // namespace slipway::deploy
