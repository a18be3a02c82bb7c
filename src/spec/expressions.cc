// Reading the fields that hold expressions (`if:`) and templates (`${{ }}` text): syntax
// errors are reported at once, at the expression's own line and column; the parsed
// expressions are queued for CheckExpressions, which needs the whole model.
#include <utility>

#include "spec/loader.h"

namespace slipway::spec::internal {
namespace {

constexpr std::string_view kOpen = "${{";
constexpr std::string_view kClose = "}}";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::optional<std::string> ParseTemplate(LoadContext& context, const Field& field, std::string text,
                                         std::string_view job, unsigned functions) {
  auto locator = std::make_shared<const ScalarLocator>(*context.reader, field.node);
  auto parsed = expr::Template::Parse(text);
  if (auto* error = std::get_if<expr::Error>(&parsed)) {
    ReportSyntax(context, *locator, 0, *error);
    return std::nullopt;
  }
  for (const expr::Template::Part& part : std::get<expr::Template>(parsed).parts()) {
    if (!part.expression) continue;
    // The header promises the part's start; accept either the `${{` or what follows it.
    size_t offset = static_cast<size_t>(part.offset);
    if (std::string_view(text).substr(offset).starts_with(kOpen)) offset += kOpen.size();
    context.expressions.push_back(
        ExpressionUse{*part.expression, locator, offset, std::string(job), functions});
  }
  return text;
}

}  // namespace

void ReportSyntax(LoadContext& context, const ScalarLocator& locator, size_t offset,
                  const expr::Error& error) {
  const size_t column = error.column > 0 ? static_cast<size_t>(error.column - 1) : 0;
  context.reader->Error(locator.At(offset + column), "invalid expression: " + error.message);
}

ConditionSpan FindCondition(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && IsSpace(text[begin])) ++begin;
  while (end > begin && IsSpace(text[end - 1])) --end;
  const std::string_view trimmed = text.substr(begin, end - begin);
  if (trimmed.starts_with(kOpen) && trimmed.ends_with(kClose) &&
      trimmed.find(kClose, kOpen.size()) == trimmed.size() - kClose.size()) {
    begin += kOpen.size();
    end -= kClose.size();
    while (begin < end && IsSpace(text[begin])) ++begin;
    while (end > begin && IsSpace(text[end - 1])) --end;
  }
  return {begin, end};
}

std::optional<ParsedCondition> ParseConditionField(LoadContext& context, const Field& field,
                                                   std::string_view empty_message,
                                                   std::string_view hint) {
  // `if: false` is a common way to switch a job off, so booleans are conditions too.
  auto text = context.reader->ScalarText(field);
  if (!text) return std::nullopt;
  const auto [begin, end] = FindCondition(*text);
  std::string inner = text->substr(begin, end - begin);
  if (inner.find_first_not_of(" \t\r\n") == std::string::npos) {
    context.reader->Error(field.pos, std::string(empty_message), std::string(hint));
    return std::nullopt;
  }
  auto locator = std::make_shared<const ScalarLocator>(*context.reader, field.node);
  auto parsed = expr::Expression::Parse(inner);
  if (auto* error = std::get_if<expr::Error>(&parsed)) {
    ReportSyntax(context, *locator, begin, *error);
    return std::nullopt;
  }
  return ParsedCondition{std::move(inner), std::get<expr::Expression>(std::move(parsed)), begin,
                         std::move(locator)};
}

std::optional<std::string> ReadTemplate(LoadContext& context, const Field& field,
                                        std::string_view job, unsigned functions) {
  auto text = context.reader->String(field);
  if (!text) return std::nullopt;
  return ParseTemplate(context, field, std::move(*text), job, functions);
}

std::optional<std::vector<std::string>> ReadTemplates(LoadContext& context, const Field& field,
                                                      std::string_view job, unsigned functions) {
  auto items = context.reader->StringOrListFields(field);
  if (!items) return std::nullopt;
  std::vector<std::string> values;
  for (const Field& item : *items) {
    if (auto value = ReadTemplate(context, item, job, functions)) values.push_back(*value);
  }
  return values;
}

std::optional<std::string> ReadCondition(LoadContext& context, const Field& field,
                                         std::string_view job) {
  auto condition =
      ParseConditionField(context, field, "empty condition",
                          "write an expression such as branch == 'main', or remove 'if'");
  if (!condition) return std::nullopt;
  const expr::Expression& expression = condition->expression;
  const std::string& inner = condition->text;
  context.expressions.push_back(ExpressionUse{expression, condition->locator, condition->offset,
                                              std::string(job), kStatusFunctions,
                                              /*condition=*/true});

  for (const expr::Expression::Call& call : expression.Calls()) {
    if (call.name == "success" || call.name == "failure" || call.name == "always" ||
        call.name == "cancelled") {
      return inner;
    }
  }
  return "success() && (" + inner + ")";
}

std::optional<NamedValues> ReadEnv(LoadContext& context, const Field& field, std::string_view job) {
  auto map = context.reader->Map(field, "env");
  if (!map) return std::nullopt;
  NamedValues env;
  for (const Field& entry : map->entries()) {
    // Names must be usable from a shell ($NAME) and from expressions (env.NAME).
    bool valid = !entry.key.empty() && !(entry.key[0] >= '0' && entry.key[0] <= '9');
    for (char c : entry.key) {
      valid = valid && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_');
    }
    if (!valid) {
      context.reader->Error(entry.key_pos, "invalid environment variable name '" + entry.key + "'",
                            "use letters, digits and '_', not starting with a digit");
      continue;
    }
    auto text = context.reader->ScalarText(entry);
    if (!text) continue;
    if (auto value = ParseTemplate(context, entry, std::move(*text), job, kNoFunctions)) {
      env.emplace_back(entry.key, std::move(*value));
    }
  }
  return env;
}

std::optional<Concurrency> ReadConcurrency(LoadContext& context, const Field& field,
                                           std::string_view job) {
  Concurrency concurrency;
  concurrency.pos = field.pos;
  if (field.node.IsScalar()) {
    auto group = ReadTemplate(context, field, job);
    if (!group) return std::nullopt;
    concurrency.group = std::move(*group);
    return concurrency;
  }
  if (!field.node.IsMap()) {
    context.reader->TypeError(field, "a string or a map");
    return std::nullopt;
  }
  auto map = context.reader->Map(field, "concurrency", {"group", "cancel-in-progress"});
  if (!map) return std::nullopt;
  if (const Field* group = context.reader->Require(*map, "group", "concurrency")) {
    if (auto value = ReadTemplate(context, *group, job)) concurrency.group = std::move(*value);
  }
  if (const Field* cancel = map->Find("cancel-in-progress")) {
    if (auto value = context.reader->Bool(*cancel)) concurrency.cancel_in_progress = *value;
  }
  return concurrency;
}

}  // namespace slipway::spec::internal
