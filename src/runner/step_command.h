// How a step's `run` script becomes a command line: the `shell:` presets and custom shells.
#pragma once

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

}  // namespace slipway::runner
