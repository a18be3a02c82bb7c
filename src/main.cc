// The slipway binary: all logic lives in the modules; cli/ maps the command line onto them.
#include "cli/cli.h"

int main(int argc, char** argv) { return slipway::cli::Main(argc, argv); }
