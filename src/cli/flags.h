// Command-line flags for one subcommand: declared with a target variable, parsed in one go.
//
// Accepted forms: `--name value`, `--name=value`, `-x value`, `-xVALUE` (short names),
// `--flag` for booleans, `--` ends flags. Repeatable flags append. Unknown flags are errors
// with a did-you-mean hint. No global state: each subcommand builds its own FlagSet.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace slipway::cli {

class FlagSet {
 public:
  // `command` is how the user typed it ("slipway run"), `usage` the synopsis after it.
  FlagSet(std::string command, std::string usage, std::string summary);

  void String(std::string name, char short_name, std::string* target, std::string value_name,
              std::string help);
  void Strings(std::string name, char short_name, std::vector<std::string>* target,
               std::string value_name, std::string help);
  void Int(std::string name, char short_name, int* target, std::string value_name,
           std::string help);
  void Bool(std::string name, char short_name, bool* target, std::string help);

  // Parses `args` (without the program and subcommand names). Positional arguments go to
  // `positionals`; `-h`/`--help` sets help_requested().
  Status Parse(const std::vector<std::string>& args, std::vector<std::string>* positionals);

  bool help_requested() const { return help_requested_; }
  std::string Help() const;
  const std::string& command() const { return command_; }

 private:
  struct Flag {
    std::string name;
    char short_name = 0;
    std::string value_name;  // empty for booleans
    std::string help;
    std::function<Status(const std::string& value)> set;
  };
  const Flag* Find(std::string_view name) const;
  const Flag* FindShort(char name) const;
  Status UnknownFlag(const std::string& arg) const;

  std::string command_, usage_, summary_;
  std::vector<Flag> flags_;
  bool help_requested_ = false;
};

}  // namespace slipway::cli
