// `slipway expr [--input FILE.json] [--policy] [--] EXPR`: evaluates one expression, as
// pipeline conditions and policy rules do, against a JSON document whose top-level keys are the
// variables, and prints the result as JSON. For trying rules before committing them; with
// --policy the expression is checked as a policy rule and the input read as a gate's input
// document (what `slipway gate explain --json` prints under "input").
#include <cmath>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "expr/expr.h"
#include "spec/spec.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/rfc3339.h"

namespace slipway::cli {
namespace {

using nlohmann::json;

constexpr size_t kMaxInputBytes = 64u << 20;

// A result as JSON: timestamps, durations and types in their CEL string form, bytes in base64,
// NaN and infinities as the strings proto3 JSON uses, map keys that are not strings stringified.
json ToJson(const expr::Value& v) {
  if (v.is_null()) return nullptr;
  if (v.is_bool()) return v.as_bool();
  if (v.is_int()) return v.as_int();
  if (v.is_uint()) return v.as_uint();
  if (v.is_double()) {
    const double d = v.as_double();
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return d;
  }
  if (v.is_string()) return v.as_string();
  if (v.is_bytes()) return Base64Encode(v.as_bytes());
  if (v.is_list()) {
    json list = json::array();
    for (const auto& element : v.as_list()) list.push_back(ToJson(element));
    return list;
  }
  if (v.is_map()) {
    json map = json::object();
    for (const auto& [key, element] : v.as_map())
      map[key.is_string() ? key.as_string() : key.ToTemplateString()] = ToJson(element);
    return map;
  }
  return v.ToTemplateString();  // duration, timestamp, type
}

// "error: column N: message", then the expression's line with a caret under the column.
int ReportError(const std::string& text, const expr::Error& error) {
  std::fprintf(stderr, "error: column %d: %s\n", error.column, error.message.c_str());
  if (error.column <= 0) return kExitFailure;
  size_t at = std::min(static_cast<size_t>(error.column - 1), text.size());
  size_t begin = 0;
  for (size_t i = 0; i < at; ++i)
    if (text[i] == '\n') begin = i + 1;
  size_t end = text.find('\n', begin);
  std::string line = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  std::string caret(at - begin, ' ');
  for (size_t i = 0; i < caret.size() && i < line.size(); ++i)
    if (line[i] == '\t') caret[i] = '\t';
  std::fprintf(stderr, "  %s\n  %s^\n", line.c_str(), caret.c_str());
  return kExitFailure;
}

// The 1-based line and column of byte `offset` in `text`.
std::pair<size_t, size_t> LineColumn(const std::string& text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// The input document's top-level keys as variables; errors name the file and where.
Result<expr::Value::Map> LoadInput(const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    auto read = ReadFile(file, kMaxInputBytes);
    if (!read.ok()) return read.status();
    text = std::move(read).value();
  }
  const std::string name = file == "-" ? "standard input" : file;
  json document;
  try {
    document = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's byte offset is one past the offending character.
    auto [line, column] = LineColumn(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string message = e.what();
    if (auto colon = message.find(": "); colon != std::string::npos)
      message = message.substr(colon + 2);
    if (auto colon = message.find(": ");
        message.rfind("syntax error", 0) == 0 && colon != std::string::npos)
      message = message.substr(colon + 2);
    return InvalidArgument(name + ":" + std::to_string(line) + ":" + std::to_string(column) +
                           ": invalid JSON: " + message);
  }
  if (!document.is_object()) {
    return InvalidArgument(name + ": the input must be a JSON object (its keys become the " +
                           "expression's variables), not " + std::string(document.type_name()));
  }
  return expr::ValueFromJson(document).as_map();
}

// The gate's input document as rules see it: `time.now`, RFC 3339 in the stored JSON, is a
// timestamp.
Status AsPolicyInput(expr::Value::Map& variables) {
  const auto time = variables.find(expr::Value("time"));
  if (time == variables.end() || !time->second.is_map()) return Status::Ok();
  expr::Value::Map fields = time->second.as_map();
  const auto now = fields.find(expr::Value("now"));
  if (now == fields.end() || !now->second.is_string()) return Status::Ok();
  const auto at = ParseRfc3339(now->second.as_string());
  if (!at) {
    return InvalidArgument("time.now is not an RFC 3339 time: '" + now->second.as_string() + "'");
  }
  const auto since_epoch = at->time_since_epoch();
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  now->second = expr::Value(expr::Timestamp{
      .seconds = seconds.count(),
      .nanos = static_cast<int32_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds).count())});
  time->second = expr::Value(std::move(fields));
  return Status::Ok();
}

}  // namespace

int ExprCommand(const std::vector<std::string>& args) {
  std::string input;
  bool policy = false;
  FlagSet set("slipway expr", "[--input FILE.json] [--policy] [--] EXPR",
              "Evaluates the expression EXPR (CEL, as in `if:` conditions and policy rules) and\n"
              "prints its result as JSON. The top-level keys of the input document are the\n"
              "variables. The expression is type-checked first (the variables are dyn; with\n"
              "--policy, the gate's input fields with their types). An error prints its column\n"
              "and exits 1; see docs/cel.md.");
  set.String("input", 'i', &input, "FILE", "JSON object whose keys are the variables ('-': stdin)");
  set.Bool("policy", 0, &policy,
           "check EXPR as a policy rule, and read the input as a gate's input document");
  std::vector<std::string> positionals;
  if (Status s = set.Parse(args, &positionals); !s.ok()) return UsageError(s);
  if (set.help_requested()) return PrintHelp(set);
  if (positionals.size() != 1) {
    return UsageError(InvalidArgument(
        positionals.empty() ? "expr needs an expression (slipway expr [--input FILE.json] EXPR)"
                            : "expr takes one expression; quote it as one argument"));
  }
  const std::string& text = positionals[0];

  expr::Activation activation;
  if (!input.empty()) {
    auto variables = LoadInput(input);
    if (!variables.ok()) {
      std::fprintf(stderr, "slipway: %s\n", variables.status().message().c_str());
      return kExitFailure;
    }
    activation.variables = std::move(variables).value();
    if (Status converted = policy ? AsPolicyInput(activation.variables) : Status::Ok();
        !converted.ok()) {
      std::fprintf(stderr, "slipway: %s\n", converted.message().c_str());
      return kExitFailure;
    }
  }
  auto parsed = expr::Expression::Parse(text);
  if (auto* error = std::get_if<expr::Error>(&parsed)) return ReportError(text, *error);
  // The input's variables are dyn to the checker (which still catches `1 + "a"`), unless they
  // are a gate's input.
  const expr::Scope scope = policy ? spec::PolicyRuleScope() : expr::Scope{};
  auto checked = expr::CheckType(std::get<expr::Expression>(parsed), scope);
  if (auto* error = std::get_if<expr::Error>(&checked)) return ReportError(text, *error);
  if (const expr::Type& type = std::get<expr::Type>(checked);
      policy && type.kind() != expr::Type::Kind::kBool && !type.is_dyn()) {
    return ReportError(text,
                       {1, "a rule must be a bool expression; this one is " + type.ToString()});
  }
  auto result = expr::Evaluate(std::get<expr::Expression>(parsed), activation);
  if (auto* error = std::get_if<expr::Error>(&result)) return ReportError(text, *error);
  std::printf("%s\n", ToJson(std::get<expr::Value>(result)).dump(2).c_str());
  return 0;
}

}  // namespace slipway::cli
