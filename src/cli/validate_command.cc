// `slipway validate [FILE]...`: every problem in every file, as file:line:col: message.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "spec/spec.h"

namespace slipway::cli {

int ValidateCommand(const std::vector<std::string>& args) {
  bool json = false;
  FlagSet set("slipway validate", "[flags] [FILE]...",
              "Checks pipeline files (default .slipway.yml) without running anything. Prints\n"
              "every error as file:line:col: message; exit status 1 if there is any.");
  set.Bool("json", 0, &json, "print the diagnostics as a JSON array");
  std::vector<std::string> files;
  if (Status s = set.Parse(args, &files); !s.ok()) return UsageError(s);
  if (set.help_requested()) return PrintHelp(set);
  if (files.empty()) files.push_back(".slipway.yml");

  nlohmann::json all = nlohmann::json::array();
  bool any_error = false;
  for (const auto& file : files) {
    auto loaded = spec::LoadPipelineFile(file);
    for (const auto& d : loaded.diagnostics) {
      any_error = true;
      if (json) {
        all.push_back({{"file", d.file},
                       {"line", d.pos.line},
                       {"column", d.pos.column},
                       {"message", d.message},
                       {"hint", d.hint}});
      } else {
        std::fprintf(stderr, "%s\n", d.ToString().c_str());
      }
    }
    if (loaded.ok() && !json) {
      const auto instances = spec::ExpandPipeline(*loaded.pipeline);
      std::printf("%s: ok (%zu jobs, %zu job instances)\n", file.c_str(),
                  loaded.pipeline->jobs.size(), instances.size());
    }
  }
  if (json) std::printf("%s\n", all.dump(2).c_str());
  return any_error ? kExitFailure : 0;
}

}  // namespace slipway::cli
