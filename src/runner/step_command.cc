#include "runner/step_command.h"

#include <unistd.h>

#include <sstream>

namespace slipway::runner {
namespace {

bool OnPath(const std::string& program, const std::string& path_env) {
  std::stringstream dirs(path_env);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::vector<std::string> BashArgv(const std::string& script) {
  return {"bash", "--noprofile", "--norc", "-eo", "pipefail", script};
}

}  // namespace

Result<StepCommand> MakeStepCommand(const std::string& shell, const std::string& script_path,
                                    const std::string& path_env) {
  if (shell.empty()) {
    if (OnPath("bash", path_env)) return StepCommand{".sh", BashArgv(script_path)};
    return StepCommand{".sh", {"sh", "-e", script_path}};
  }
  if (shell == "bash") return StepCommand{".sh", BashArgv(script_path)};
  if (shell == "sh") return StepCommand{".sh", {"sh", "-e", script_path}};
  if (shell == "python3" || shell == "python") return StepCommand{".py", {shell, script_path}};

  // A custom shell: split on whitespace, "{0}" stands for the script file.
  StepCommand command;
  std::istringstream words(shell);
  std::string word;
  bool has_placeholder = false;
  while (words >> word) {
    if (auto at = word.find("{0}"); at != std::string::npos) {
      word.replace(at, 3, script_path);
      has_placeholder = true;
    }
    command.argv.push_back(word);
  }
  if (!has_placeholder || command.argv.empty()) {
    return InvalidArgument("custom shell '" + shell + "' must contain {0} (the script file)");
  }
  return command;
}

}  // namespace slipway::runner
