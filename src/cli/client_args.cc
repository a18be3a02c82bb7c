// Command groups and their arguments: `slipway project add …` dispatches to "add", and every
// client subcommand parses its flags and counts its positionals the same way.
#include <cstdio>

#include "cli/client.h"
#include "util/hints.h"

namespace slipway::cli {
namespace {

void PrintGroupUsage(std::FILE* out, const char* group,
                     const std::vector<Subcommand>& subcommands) {
  std::fprintf(out, "usage: slipway %s <subcommand> [flags]\n\nsubcommands:\n", group);
  for (const auto& sub : subcommands) std::fprintf(out, "  %-8s %s\n", sub.name, sub.summary);
  std::fprintf(out, "\n'slipway %s <subcommand> --help' describes its flags.\n", group);
}

}  // namespace

int DispatchSubcommand(const char* group, const std::vector<Subcommand>& subcommands,
                       const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    PrintGroupUsage(args.empty() ? stderr : stdout, group, subcommands);
    return args.empty() ? kExitUsage : 0;
  }
  std::vector<std::string> names;
  for (const auto& sub : subcommands) {
    if (args[0] == sub.name) {
      return sub.handler(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    names.emplace_back(sub.name);
  }
  const std::string hint = DidYouMean(args[0], names);
  return UsageError(InvalidArgument("unknown subcommand '" + args[0] + "' for 'slipway " + group +
                                    "'" + (hint.empty() ? "" : " (" + hint + ")") + "; it has " +
                                    JoinAlternatives(names)));
}

std::optional<int> ParseOrExit(FlagSet& set, const std::vector<std::string>& args,
                               std::vector<std::string>* positionals, size_t min, size_t max) {
  if (Status s = set.Parse(args, positionals); !s.ok()) return UsageError(s);
  if (set.help_requested()) return PrintHelp(set);
  const std::string help = set.Help();
  const std::string usage = help.substr(0, help.find('\n'));
  if (positionals->size() < min) {
    return UsageError(InvalidArgument("missing arguments; " + usage));
  }
  if (positionals->size() > max) {
    return UsageError(
        InvalidArgument("unexpected argument '" + (*positionals)[max] + "'; " + usage));
  }
  return std::nullopt;
}

}  // namespace slipway::cli
