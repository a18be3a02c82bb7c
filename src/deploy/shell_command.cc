#include "deploy/shell_command.h"

namespace slipway::deploy {

CommandResult RunCommandKeepingTail(const ProcessSpec& spec, size_t tail_bytes) {
  CommandResult result;
  std::string& output = result.output_tail;
  result.outcome = RunProcess(
      spec,
      [&output, tail_bytes](std::string_view chunk) {
        output.append(chunk);
        // Trimmed now and then, not on every chunk: a chatty command stays cheap.
        if (output.size() > 4 * tail_bytes) output.erase(0, output.size() - tail_bytes);
      },
      nullptr);
  if (result.outcome.group_left_behind) {
    (void)KillProcessGroup(result.outcome.pgid, spec.kill_grace);
  }
  if (output.size() > tail_bytes) output.erase(0, output.size() - tail_bytes);
  return result;
}

}  // namespace slipway::deploy
