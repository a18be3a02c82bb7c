// Typed reads of fields of a parsed webhook payload. Every error names the field by its full
// path ("repository.clone_url", "commits[2].added") and says what is wrong, so a 400 answer
// tells the sender exactly which part of its payload we could not use.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway::triggers::internal {

// A JSON object together with its path from the payload root ("" for the root itself).
class JsonObject {
 public:
  JsonObject(const nlohmann::json& json, std::string path) : json_(&json), path_(std::move(path)) {}

  // Parses a whole body; the root must be an object. Errors: "body is not valid JSON: ...".
  static Result<nlohmann::json> ParseBody(std::string_view body);

  const std::string& path() const { return path_; }
  std::string FieldPath(std::string_view key) const;

  // A field that must be present (and not null) with the given type.
  Result<std::string> String(std::string_view key) const;
  Result<JsonObject> Object(std::string_view key) const;
  Result<std::vector<JsonObject>> ObjectList(std::string_view key) const;
  Result<std::vector<std::string>> StringList(std::string_view key) const;

  // The same, but absence or null gives nullopt; a present value of another type is an error.
  Result<std::optional<std::string>> OptionalString(std::string_view key) const;
  Result<std::optional<JsonObject>> OptionalObject(std::string_view key) const;
  Result<std::optional<std::vector<std::string>>> OptionalStringList(std::string_view key) const;
  Result<std::optional<int64_t>> OptionalInteger(std::string_view key) const;
  Result<std::optional<bool>> OptionalBool(std::string_view key) const;

 private:
  // The field's value, or nullptr when it is absent or null.
  const nlohmann::json* Find(std::string_view key) const;
  Status Missing(std::string_view key) const;
  Status WrongType(std::string_view key, std::string_view what) const;

  const nlohmann::json* json_;  // not owned: the parsed body outlives every JsonObject
  std::string path_;
};

// Whether `sha` is a full commit id: 40 (SHA-1) or 64 (SHA-256) lower- or upper-case hex
// digits.
bool IsFullSha(std::string_view sha);

// Reads a commit id field and lower-cases it; errors name the field.
Result<std::string> ShaField(const JsonObject& object, std::string_view key);

}  // namespace slipway::triggers::internal
