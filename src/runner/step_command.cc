#include "runner/step_command.h"

#include <unistd.h>

#include <cctype>
#include <sstream>
#include <string_view>

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

// Shell builtins and keywords: running the program of the same name (if any) would not do
// the same thing. true and false are left out on purpose: /usr/bin/true is the builtin's twin.
constexpr std::string_view kShellWords[] = {
    ".",      ":",       "[",     "alias",    "bg",      "bind",      "break",    "builtin",
    "caller", "case",    "cd",    "command",  "compgen", "complete",  "compopt",  "continue",
    "coproc", "declare", "dirs",  "disown",   "do",      "done",      "echo",     "elif",
    "else",   "enable",  "esac",  "eval",     "exec",    "exit",      "export",   "fc",
    "fg",     "fi",      "for",   "function", "getopts", "hash",      "help",     "history",
    "if",     "in",      "jobs",  "kill",     "let",     "local",     "logout",   "mapfile",
    "popd",   "printf",  "pushd", "pwd",      "read",    "readarray", "readonly", "return",
    "select", "set",     "shift", "shopt",    "source",  "suspend",   "test",     "then",
    "time",   "times",   "trap",  "type",     "typeset", "ulimit",    "umask",    "unalias",
    "unset",  "until",   "wait",  "while",
};

bool PlainChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' ||
         c == ':' || c == '=' || c == ',' || c == '+' || c == '@' || c == '%' || c == '-';
}

}  // namespace

std::optional<std::vector<std::string>> DirectCommand(const std::string& shell,
                                                      const std::string& script,
                                                      const std::string& path_env) {
  if (!shell.empty() && shell != "bash" && shell != "sh") return std::nullopt;
  std::vector<std::string> words;
  std::string word;
  bool ended = false;  // a newline was seen: only blank space may follow
  for (char c : script) {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      if (c == '\n') ended = true;
      continue;
    }
    if (ended || !PlainChar(c)) return std::nullopt;
    word += c;
  }
  if (!word.empty()) words.push_back(std::move(word));
  if (words.empty()) return std::nullopt;
  const std::string& program = words[0];
  if (program.find('=') != std::string::npos) return std::nullopt;  // VAR=value command
  for (std::string_view shell_word : kShellWords) {
    if (program == shell_word) return std::nullopt;
  }
  // A path ("./build.sh") keeps the shell: its errors (not executable, no such file) read
  // the way users know them.
  if (program.find('/') != std::string::npos || !OnPath(program, path_env)) return std::nullopt;
  return words;
}

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
