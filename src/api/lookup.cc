// The resources a request path names, with 404s that say what is missing.
#include <algorithm>
#include <charconv>

#include "api/handlers.h"

namespace slipway::api {

Status CheckBranchName(const char* field, const std::string& branch) {
  const bool control = std::any_of(branch.begin(), branch.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  const bool ok = !branch.empty() && branch.size() <= 255 && !control && branch.front() != '-' &&
                  branch.front() != '/' && branch.back() != '/' && branch.back() != '.' &&
                  branch.find("..") == std::string::npos &&
                  branch.find("//") == std::string::npos &&
                  branch.find_first_of(" ~^:?*[\\") == std::string::npos &&
                  !branch.ends_with(".lock") && branch.find("@{") == std::string::npos;
  if (ok) return Status::Ok();
  return InvalidArgument(std::string("field '") + field + "' is not a valid branch name: '" +
                         branch + "'");
}

Result<int64_t> IdParam(const http::Request& request, std::string_view name) {
  std::string_view text = request.Param(name);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return InvalidArgument("'" + std::string(text) + "' is not a valid " + std::string(name) +
                           ": expected a positive integer");
  }
  return value;
}

Result<store::Project> ProjectOf(ApiState& state, const http::Request& request) {
  const std::string name(request.Param("project"));
  auto project = state.store->GetProject(name);
  if (!project.ok() && project.status().code() == StatusCode::kNotFound) {
    return NotFound("project '" + name + "' does not exist");
  }
  return project;
}

Result<store::Run> RunOf(ApiState& state, const http::Request& request,
                         const store::Project& project) {
  SLIPWAY_ASSIGN_OR_RETURN(int64_t number, IdParam(request, "number"));
  auto run = state.store->GetRunByNumber(project.id, number);
  if (!run.ok() && run.status().code() == StatusCode::kNotFound) {
    return NotFound("run " + project.name + "/" + std::to_string(number) + " does not exist");
  }
  return run;
}

}  // namespace slipway::api
