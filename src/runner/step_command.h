// How a step's `run` script becomes a command line: the `shell:` presets and custom shells.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace slipway::runner {

struct StepCommand {
  std::string script_extension;   // ".sh", ".py", "" for custom shells
  std::vector<std::string> argv;  // with the script path where the shell wants it
};

// `shell` is "" (default), "bash", "sh", "python3", "python" or a custom command with "{0}".
// `path_env` is the PATH the step will see, used to fall back to sh when bash is missing.
Result<StepCommand> MakeStepCommand(const std::string& shell, const std::string& script_path,
                                    const std::string& path_env);

// Like GNU make, a step whose script is one simple command (words of plain characters: no
// quoting, expansion, redirection, globbing or comments; not an assignment and not a shell
// builtin other than true/false; a program found on PATH, not a path) runs without starting a
// shell, which saves a shell start-up per step. The result would be the same under `bash -eo
// pipefail` or `sh -e`. Returns the argv, or nullopt when the script needs a shell or the program
// is not on `path_env` (then the shell reports "command not found" as usual).
std::optional<std::vector<std::string>> DirectCommand(const std::string& shell,
                                                      const std::string& script,
                                                      const std::string& path_env);

}  // namespace slipway::runner
