#include "cli/flags.h"

#include <charconv>
#include <optional>

#include "util/hints.h"

namespace slipway::cli {

FlagSet::FlagSet(std::string command, std::string usage, std::string summary)
    : command_(std::move(command)), usage_(std::move(usage)), summary_(std::move(summary)) {}

void FlagSet::String(std::string name, char short_name, std::string* target, std::string value_name,
                     std::string help) {
  flags_.push_back({std::move(name), short_name, std::move(value_name), std::move(help),
                    [target](const std::string& value) {
                      *target = value;
                      return Status::Ok();
                    }});
}

void FlagSet::Strings(std::string name, char short_name, std::vector<std::string>* target,
                      std::string value_name, std::string help) {
  flags_.push_back({std::move(name), short_name, std::move(value_name), std::move(help),
                    [target](const std::string& value) {
                      target->push_back(value);
                      return Status::Ok();
                    }});
}

void FlagSet::Int(std::string name, char short_name, int* target, std::string value_name,
                  std::string help) {
  const std::string flag = name;
  flags_.push_back(
      {std::move(name), short_name, std::move(value_name), std::move(help),
       [target, flag](const std::string& value) {
         int parsed = 0;
         auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
         if (ec != std::errc() || end != value.data() + value.size()) {
           return InvalidArgument("--" + flag + " expects a whole number, got '" + value + "'");
         }
         *target = parsed;
         return Status::Ok();
       }});
}

void FlagSet::Bool(std::string name, char short_name, bool* target, std::string help) {
  flags_.push_back({std::move(name), short_name, "", std::move(help), [target](const std::string&) {
                      *target = true;
                      return Status::Ok();
                    }});
}

const FlagSet::Flag* FlagSet::Find(std::string_view name) const {
  for (const auto& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

const FlagSet::Flag* FlagSet::FindShort(char name) const {
  for (const auto& flag : flags_) {
    if (flag.short_name != 0 && flag.short_name == name) return &flag;
  }
  return nullptr;
}

Status FlagSet::UnknownFlag(const std::string& arg) const {
  std::vector<std::string> names;
  for (const auto& flag : flags_) names.push_back("--" + flag.name);
  std::string name = arg.substr(0, arg.find('='));
  std::string hint = DidYouMean(name, names);
  return InvalidArgument("unknown flag " + name + " for '" + command_ + "'" +
                         (hint.empty() ? "" : " (" + hint + ")") + "; see '" + command_ +
                         " --help'");
}

Status FlagSet::Parse(const std::vector<std::string>& args, std::vector<std::string>* positionals) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positionals->insert(positionals->end(), args.begin() + static_cast<long>(i) + 1, args.end());
      return Status::Ok();
    }
    if (arg == "-h" || arg == "--help") {
      help_requested_ = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positionals->push_back(arg);
      continue;
    }
    const Flag* flag = nullptr;
    std::optional<std::string> inline_value;
    std::string shown;
    if (arg[1] == '-') {
      const size_t eq = arg.find('=');
      flag = Find(std::string_view(arg).substr(2, eq == std::string::npos ? eq : eq - 2));
      if (eq != std::string::npos) inline_value = arg.substr(eq + 1);
      shown = arg.substr(0, eq);
    } else {
      flag = FindShort(arg[1]);
      if (arg.size() > 2) inline_value = arg.substr(2);
      shown = arg.substr(0, 2);
    }
    if (flag == nullptr) return UnknownFlag(arg);
    if (flag->value_name.empty()) {
      if (inline_value) return InvalidArgument(shown + " takes no value");
      SLIPWAY_RETURN_IF_ERROR(flag->set(""));
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        return InvalidArgument(shown + " needs a value (" + flag->value_name + ")");
      }
      inline_value = args[++i];
    }
    SLIPWAY_RETURN_IF_ERROR(flag->set(*inline_value));
  }
  return Status::Ok();
}

std::string FlagSet::Help() const {
  std::string text = "usage: " + command_ + " " + usage_ + "\n\n" + summary_ + "\n";
  if (flags_.empty()) return text;
  text += "\nflags:\n";
  for (const auto& flag : flags_) {
    std::string left = "  ";
    left += flag.short_name != 0 ? std::string("-") + flag.short_name + ", " : "    ";
    left += "--" + flag.name;
    if (!flag.value_name.empty()) left += " " + flag.value_name;
    if (left.size() < 30) left.resize(30, ' ');
    text += left + " " + flag.help + "\n";
  }
  return text;
}

}  // namespace slipway::cli
