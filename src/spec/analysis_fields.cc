// Field readers of analysis templates: templated texts and conditions (checked against the
// analysis variables), URLs, methods, choices and names.
#include "spec/analysis_fields.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <utility>

#include "spec/environment_fields.h"
#include "util/hints.h"

namespace slipway::spec::internal {
namespace {

constexpr std::string_view kOpen = "${{";

const std::vector<std::string> kTextVariables = {"revision", "baseline", "environment",
                                                 "project",  "service",  "args"};
const std::vector<std::string> kConditionVariables = {"result", "args"};
// Checks the names `expression` uses, then its types (any function of the standard library;
// the variables are dyn); a condition must be a bool. `offset` is where its text starts in the
// scalar.
bool CheckExpression(LoadContext& context, const ScalarLocator& locator, size_t offset,
                     const expr::Expression& expression, const std::vector<std::string>& variables,
                     bool condition) {
  bool ok = true;
  auto at = [&](int column) { return locator.At(offset + (column > 0 ? column - 1 : 0)); };
  for (const expr::Expression::Reference& reference : expression.References()) {
    const std::string& root = reference.path.front();
    if (std::find(variables.begin(), variables.end(), root) == variables.end()) {
      const std::string hint = DidYouMean(root, variables);
      context.reader->Error(at(reference.column), "'" + root + "' is not an analysis variable",
                            hint.empty() ? "use " + JoinAlternatives(variables) : hint);
      ok = false;
    } else if (root == "args") {
      if (reference.path.size() < 2) {
        context.reader->Error(at(reference.column), "use args.NAME, not 'args' alone");
        ok = false;
      } else {
        context.analysis_arg_uses.emplace_back(reference.path[1], at(reference.column));
      }
    }
  }
  if (!ok) return false;
  std::variant<expr::Type, expr::Error> checked = expr::CheckType(expression, expr::Scope{});
  if (auto* error = std::get_if<expr::Error>(&checked)) {
    context.reader->Error(at(error->column), error->message);
    return false;
  }
  if (const expr::Type& type = std::get<expr::Type>(checked);
      condition && type.kind() != expr::Type::Kind::kBool && !type.is_dyn()) {
    context.reader->Error(at(1), "a condition must be a bool; this one is " + type.ToString(),
                          "compare the result, e.g. result < 0.01");
    return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> ReadAnalysisText(LoadContext& context, const Field& field) {
  auto text = context.reader->String(field);
  if (!text) return std::nullopt;
  const ScalarLocator locator(*context.reader, field.node);
  auto parsed = expr::Template::Parse(*text);
  if (auto* error = std::get_if<expr::Error>(&parsed)) {
    ReportSyntax(context, locator, 0, *error);
    return std::nullopt;
  }
  bool ok = true;
  for (const expr::Template::Part& part : std::get<expr::Template>(parsed).parts()) {
    if (!part.expression) continue;
    size_t offset = static_cast<size_t>(part.offset);
    if (std::string_view(*text).substr(offset).starts_with(kOpen)) offset += kOpen.size();
    ok &= CheckExpression(context, locator, offset, *part.expression, kTextVariables, false);
  }
  if (!ok) return std::nullopt;
  return text;
}

std::optional<std::string> ReadResultCondition(LoadContext& context, const Field& field) {
  auto condition = ParseConditionField(context, field, "empty condition", "e.g. result < 0.01");
  if (!condition || !CheckExpression(context, *condition->locator, condition->offset,
                                     condition->expression, kConditionVariables, true)) {
    return std::nullopt;
  }
  return std::move(condition->text);
}

std::optional<std::string> ReadHttpUrl(LoadContext& context, const Field& field, bool templated) {
  auto url = templated ? ReadAnalysisText(context, field) : ReadLiteral(context, field);
  if (!url) return std::nullopt;
  constexpr std::string_view kScheme = "http://";
  const std::string_view rest =
      std::string_view(*url).substr(std::min(url->size(), kScheme.size()));
  const std::string_view authority = rest.substr(0, rest.find('/'));
  const bool host_is_template = templated && authority.find(kOpen) != std::string_view::npos;
  if (!url->starts_with(kScheme) ||
      (!host_is_template && HostPortError(std::string(authority)).has_value())) {
    context.reader->Error(field.pos, "'" + *url + "' is not an http://HOST:PORT URL",
                          "e.g. http://127.0.0.1:9090 (https is not supported yet)");
    return std::nullopt;
  }
  return url;
}

std::optional<NamedValues> ReadHeaders(LoadContext& context, const Field& field) {
  auto map = context.reader->Map(field, "headers");
  if (!map) return std::nullopt;
  NamedValues headers;
  bool ok = true;
  for (const Field& entry : map->entries()) {
    if (!IsHttpToken(entry.key)) {
      context.reader->Error(entry.key_pos, "'" + entry.key + "' is not a header name",
                            "use letters, digits and !#$%&'*+-.^_`|~, e.g. X-Probe");
      ok = false;
      continue;
    }
    auto value = ReadLiteral(context, entry);
    if (value && value->find_first_of("\r\n") != std::string::npos) {
      context.reader->Error(entry.pos, "header '" + entry.key + "' spans several lines");
      value.reset();
    }
    ok &= Store(std::move(value), &headers.emplace_back(entry.key, "").second);
  }
  if (!ok) return std::nullopt;
  return headers;
}

std::optional<std::string> ReadMethod(LoadContext& context, const Field& field) {
  return ReadChoice(context, field, {"GET", "POST", "PUT", "HEAD"});
}

std::optional<std::string> ReadChoice(LoadContext& context, const Field& field,
                                      const std::vector<std::string>& choices) {
  auto value = context.reader->String(field);
  if (!value) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *value) == choices.end()) {
    const std::string hint = DidYouMean(*value, choices);
    context.reader->Error(field.pos,
                          "expected " + JoinAlternatives(choices) + ", got '" + *value + "'", hint);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> ReadName(LoadContext& context, const Field& field,
                                    std::string_view what) {
  auto name = context.reader->String(field);
  if (name && !IsValidName(*name)) {
    context.reader->Error(field.pos, "invalid " + std::string(what) + " '" + *name + "'",
                          "use letters, digits, '_' and '-', starting with a letter or '_'");
    return std::nullopt;
  }
  return name;
}

void CheckTemplateVariables(LoadContext& context, const AnalysisTemplate& analysis) {
  for (const auto& [name, pos] : context.analysis_arg_uses) {
    const bool declared = std::any_of(analysis.args.begin(), analysis.args.end(),
                                      [&](const auto& arg) { return arg.first == name; });
    if (!declared) {
      context.reader->Error(
          pos, "analysis template '" + analysis.name + "' has no argument '" + name + "'",
          "declare it under 'args:', e.g. args: {" + name + ": null}");
    }
  }
  context.analysis_arg_uses.clear();
}

}  // namespace slipway::spec::internal
