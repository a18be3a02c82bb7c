#include "deploy/exec_status.h"

#include <nlohmann/json.hpp>

namespace slipway::deploy {
namespace {

using nlohmann::json;

Result<int> Count(const json& object, const char* key, bool required) {
  const auto it = object.find(key);
  if (it == object.end()) {
    if (!required) return 0;
    return InvalidArgument(std::string("\"") + key + "\" is missing");
  }
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1000000) {
    return InvalidArgument(std::string("\"") + key + "\" must be a non-negative integer, not " +
                           it->dump());
  }
  return static_cast<int>(it->get<int64_t>());
}

}  // namespace

Result<RevisionState> ParseExecStatus(std::string_view text) {
  const json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return InvalidArgument("the output is not JSON");
  if (!object.is_object()) return InvalidArgument("the output is not a JSON object");
  RevisionState state;
  SLIPWAY_ASSIGN_OR_RETURN(state.desired, Count(object, "desired", true));
  SLIPWAY_ASSIGN_OR_RETURN(state.running, Count(object, "running", true));
  SLIPWAY_ASSIGN_OR_RETURN(state.ready, Count(object, "ready", true));
  SLIPWAY_ASSIGN_OR_RETURN(state.restarts, Count(object, "restarts", false));
  if (const auto it = object.find("endpoints"); it != object.end()) {
    if (!it->is_array()) return InvalidArgument("\"endpoints\" must be an array of \"host:port\"");
    for (const json& entry : *it) {
      if (!entry.is_string()) {
        return InvalidArgument("\"endpoints\" holds " + entry.dump() + ", not a \"host:port\"");
      }
      Result<Endpoint> endpoint = ParseEndpoint(entry.get<std::string>());
      if (!endpoint.ok()) return InvalidArgument("\"endpoints\": " + endpoint.status().message());
      state.endpoints.push_back(*endpoint);
    }
  }
  if (const auto it = object.find("message"); it != object.end()) {
    if (!it->is_string()) return InvalidArgument("\"message\" must be a string");
    state.message = it->get<std::string>();
  }
  if (const auto it = object.find("crash_looping"); it != object.end()) {
    if (!it->is_boolean()) return InvalidArgument("\"crash_looping\" must be true or false");
    state.crash_looping = it->get<bool>();
  }
  return state;
}

}  // namespace slipway::deploy
