// JSON in and out of the API: strict request-body reading (unknown fields and wrong types are
// errors naming the field) and the response shapes of docs/api.md.
//
// Nothing here throws: nlohmann is used with allow_exceptions=false for parsing and every
// typed read checks the type first.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http.h"
#include "store/store.h"
#include "util/status.h"

namespace slipway::api {

using Json = nlohmann::json;

// A request body that must be one JSON object with only `known` fields. An empty body counts
// as {} (for routes whose fields are all optional). Errors (kInvalidArgument): "the request
// body is not valid JSON (at byte 17)", "the request body must be a JSON object", "unknown
// field 'nmae' (did you mean 'name'?)".
class BodyObject {
 public:
  static Result<BodyObject> Parse(std::string_view body, std::initializer_list<const char*> known);

  bool Has(const char* field) const;
  // Typed reads: kInvalidArgument "field 'name' is missing" / "field 'name' must be a
  // string". Optional* leave `out` untouched when the field is absent (null counts as absent).
  Status RequiredString(const char* field, std::string* out) const;
  Status OptionalString(const char* field, std::optional<std::string>* out) const;
  Status OptionalBool(const char* field, std::optional<bool>* out) const;
  // An integer in [min, max] ("field 'capacity' must be an integer from 1 to 64").
  Status OptionalInt(const char* field, int64_t min, int64_t max,
                     std::optional<int64_t>* out) const;
  Status OptionalStringList(const char* field, std::optional<std::vector<std::string>>* out) const;
  // An object of strings; a wrong member is named "field 'inputs.level' must be a string".
  Status OptionalStringMap(const char* field,
                           std::optional<std::map<std::string, std::string>>* out) const;

 private:
  explicit BodyObject(Json doc) : doc_(std::move(doc)) {}
  const Json* Find(const char* field) const;
  Json doc_;
};

// Query parameters: an integer in [min, max] or nullopt when absent; kInvalidArgument naming
// the parameter ("query parameter 'limit' must be an integer from 1 to 500").
Result<std::optional<int64_t>> QueryInt(const http::Request& request, std::string_view name,
                                        int64_t min, int64_t max);

// "2026-11-26T13:31:16.123Z" (RFC 3339, UTC, milliseconds).
std::string FormatTime(store::Time time);
Json TimeOrNull(const std::optional<store::Time>& time);

// Serialises with invalid UTF-8 replaced (names and messages may quote user bytes).
std::string Dump(const Json& doc);
http::Response JsonResponse(int status, const Json& doc);

// Store enums as the API spells them (docs/api.md).
const char* RunStatusName(store::RunStatus status);
std::optional<store::RunStatus> ParseRunStatus(std::string_view name);
const char* JobStatusName(store::JobStatus status);
const char* TokenKindName(store::TokenKind kind);
std::optional<store::TokenKind> ParseTokenKind(std::string_view name);

// Response objects (docs/api.md "project", "run summary", "job").
Json ProjectJson(const store::Project& project);
Json RunSummaryJson(const store::Run& run, std::string_view project);
Json JobJson(const store::Job& job);

// A stored JSON text as a value ({} or [] when it is empty or unreadable).
Json StoredJson(const std::string& text, Json fallback);

}  // namespace slipway::api
