// The `slipway` command line: one table of subcommands (name, summary, handler).
#pragma once

namespace slipway::cli {

// Runs the subcommand named by argv[1]; returns the process exit status.
int Main(int argc, char** argv);

}  // namespace slipway::cli
