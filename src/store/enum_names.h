// How the store's enums are spelled in the database. The spellings are part of the schema:
// changing one needs a migration.
#pragma once

#include <optional>
#include <string_view>

#include "store/store.h"

namespace slipway::store {

const char* RunStatusText(RunStatus status);
std::optional<RunStatus> ParseRunStatus(std::string_view text);

const char* JobStatusText(JobStatus status);
std::optional<JobStatus> ParseJobStatus(std::string_view text);

const char* TokenKindText(TokenKind kind);
std::optional<TokenKind> ParseTokenKind(std::string_view text);

}  // namespace slipway::store
