// `on:`: which events start the pipeline (push with branch/tag/path filters, schedule, manual
// with typed inputs).
#include <algorithm>
#include <utility>

#include "spec/loader.h"
#include "util/glob.h"
#include "util/hints.h"

namespace slipway::spec::internal {
namespace {

const std::vector<std::string> kEvents = {"push", "schedule", "manual"};

void CheckEventName(LoadContext& context, const Field& field, const std::string& name,
                    Triggers& triggers) {
  if (name == "push") {
    triggers.push.emplace();
    triggers.push->pos = field.pos;
  } else if (name == "manual") {
    triggers.manual = true;
  } else if (name == "schedule") {
    context.reader->Error(field.pos, "'schedule' needs the map form to give its cron times",
                          "on: {schedule: [{cron: '0 3 * * *'}]}");
  } else {
    std::string hint = DidYouMean(name, kEvents);
    if (hint.empty()) hint = "events are " + JoinAlternatives(kEvents);
    context.reader->Error(field.pos, "unknown event '" + name + "'", std::move(hint));
  }
}

// A `string | list of globs` filter; patterns are validated, an empty list is rejected because
// the model cannot tell it from an absent filter.
std::vector<std::string> ReadFilter(LoadContext& context, const Field& field) {
  std::vector<std::string> patterns;
  auto items = context.reader->StringOrListFields(field);
  if (!items) return patterns;
  if (items->empty()) {
    context.reader->Error(field.pos, "'" + field.key + "' must not be empty",
                          "remove it to match everything");
  }
  for (const Field& item : *items) {
    auto pattern = context.reader->String(item);
    if (!pattern) continue;
    CheckGlob(context, item, *pattern, /*negatable=*/true);
    patterns.push_back(std::move(*pattern));
  }
  return patterns;
}

PushTrigger ReadPush(LoadContext& context, const Field& field) {
  PushTrigger push;
  push.pos = field.key_pos;
  if (field.node.IsNull()) return push;  // every push
  auto map = context.reader->Map(
      field, "push",
      {"branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore"});
  if (!map) return push;
  const std::pair<const char*, std::vector<std::string>*> filters[] = {
      {"branches", &push.branches}, {"branches-ignore", &push.branches_ignore},
      {"tags", &push.tags},         {"tags-ignore", &push.tags_ignore},
      {"paths", &push.paths},       {"paths-ignore", &push.paths_ignore},
  };
  for (const auto& [key, target] : filters) {
    if (const Field* filter = map->Find(key)) *target = ReadFilter(context, *filter);
  }
  return push;
}

std::vector<ScheduleTrigger> ReadSchedule(LoadContext& context, const Field& field) {
  std::vector<ScheduleTrigger> schedule;
  auto entries = context.reader->List(field, "a list of {cron: ...} entries");
  if (!entries) return schedule;
  if (entries->empty()) context.reader->Error(field.pos, "'schedule' must not be empty");
  for (const Field& entry : *entries) {
    auto map = context.reader->Map(entry, "schedule entry", {"cron"});
    if (!map) continue;
    const Field* cron = context.reader->Require(*map, "cron", "schedule entry");
    if (!cron) continue;
    auto text = context.reader->String(*cron);
    if (!text) continue;
    if (auto error = CronError(*text)) {
      context.reader->Error(cron->pos, "invalid cron '" + *text + "': " + *error);
      continue;
    }
    schedule.push_back(ScheduleTrigger{std::move(*text), cron->pos});
  }
  return schedule;
}

const std::vector<std::string> kInputTypes = {"string", "boolean", "number", "choice"};

void ReadInputDefault(LoadContext& context, const Field& field, InputSpec& input) {
  Reader& reader = *context.reader;
  std::optional<std::string> value;
  switch (input.type) {
    case InputType::kBoolean:
      if (reader.Bool(field)) value = field.node.Scalar();
      break;
    case InputType::kNumber: {
      const ScalarKind kind = field.node.IsScalar() ? Reader::Kind(field.node) : ScalarKind::kNull;
      if (kind == ScalarKind::kInt || kind == ScalarKind::kFloat) {
        value = field.node.Scalar();
      } else {
        reader.TypeError(field, "a number");
      }
      break;
    }
    case InputType::kString:
    case InputType::kChoice:
      value = reader.ScalarText(field);
      break;
  }
  if (!value) return;
  if (input.type == InputType::kChoice && !input.options.empty() &&
      std::find(input.options.begin(), input.options.end(), *value) == input.options.end()) {
    std::string hint = DidYouMean(*value, input.options);
    if (hint.empty()) hint = "options are " + JoinAlternatives(input.options);
    reader.Error(field.pos, "default '" + *value + "' is not one of the options", std::move(hint));
    return;
  }
  input.default_value = std::move(*value);
}

std::optional<InputSpec> ReadInput(LoadContext& context, const Field& field) {
  Reader& reader = *context.reader;
  InputSpec input;
  input.name = field.key;
  input.pos = field.key_pos;
  auto map = reader.Map(field, "input '" + field.key + "'",
                        {"type", "description", "default", "required", "options"});
  if (!map) return std::nullopt;
  if (const Field* type = map->Find("type")) {
    if (auto name = reader.String(*type)) {
      if (*name == "string") {
        input.type = InputType::kString;
      } else if (*name == "boolean") {
        input.type = InputType::kBoolean;
      } else if (*name == "number") {
        input.type = InputType::kNumber;
      } else if (*name == "choice") {
        input.type = InputType::kChoice;
      } else {
        std::string hint = DidYouMean(*name, kInputTypes);
        if (hint.empty()) hint = "types are " + JoinAlternatives(kInputTypes);
        reader.Error(type->pos, "unknown input type '" + *name + "'", std::move(hint));
      }
    }
  }
  if (const Field* description = map->Find("description")) {
    if (auto text = reader.String(*description)) input.description = std::move(*text);
  }
  if (const Field* required = map->Find("required")) {
    if (auto value = reader.Bool(*required)) input.required = *value;
  }
  const Field* options = map->Find("options");
  if (options && input.type != InputType::kChoice) {
    reader.Error(options->key_pos, "'options' is only allowed for inputs of type choice");
  } else if (options) {
    if (auto items = reader.List(*options, "a list of options")) {
      for (const Field& item : *items) {
        if (auto text = reader.ScalarText(item)) input.options.push_back(std::move(*text));
      }
      if (items->empty()) reader.Error(options->pos, "a choice input needs at least one option");
    }
  } else if (input.type == InputType::kChoice) {
    reader.Error(field.key_pos, "choice input '" + input.name + "' has no options",
                 "list the allowed values under 'options'");
  }
  if (const Field* value = map->Find("default")) ReadInputDefault(context, *value, input);
  return input;
}

void ReadManual(LoadContext& context, const Field& field, Triggers& triggers) {
  triggers.manual = true;
  if (field.node.IsNull()) return;
  auto map = context.reader->Map(field, "manual", {"inputs"});
  if (!map) return;
  const Field* inputs = map->Find("inputs");
  if (!inputs || inputs->node.IsNull()) return;
  auto entries = context.reader->Map(*inputs, "inputs");
  if (!entries) return;
  for (const Field& entry : entries->entries()) {
    if (auto input = ReadInput(context, entry)) triggers.inputs.push_back(std::move(*input));
  }
}

}  // namespace

void CheckGlob(LoadContext& context, const Field& field, std::string_view pattern, bool negatable) {
  if (negatable && pattern.starts_with('!')) pattern.remove_prefix(1);
  if (pattern.empty()) {
    context.reader->Error(field.pos, "empty pattern");
    return;
  }
  std::string error = glob::PatternError(pattern);
  if (!error.empty()) {
    context.reader->Error(field.pos, "invalid glob '" + std::string(pattern) + "': " + error);
  }
}

Triggers ReadTriggers(LoadContext& context, const Field& field) {
  Triggers triggers;
  Reader& reader = *context.reader;
  if (field.node.IsScalar() && Reader::Kind(field.node) == ScalarKind::kString) {
    CheckEventName(context, field, field.node.Scalar(), triggers);
    return triggers;
  }
  if (field.node.IsSequence()) {
    auto items = reader.List(field, "a list of events");
    for (const Field& item : items.value_or(std::vector<Field>{})) {
      if (auto name = reader.String(item)) CheckEventName(context, item, *name, triggers);
    }
    return triggers;
  }
  if (!field.node.IsMap()) {
    reader.TypeError(field, "an event name, a list of events or a map");
    return triggers;
  }
  auto map = reader.Map(field, "on", kEvents);
  if (!map) return triggers;
  if (const Field* push = map->Find("push")) triggers.push = ReadPush(context, *push);
  if (const Field* schedule = map->Find("schedule")) {
    triggers.schedule = ReadSchedule(context, *schedule);
  }
  if (const Field* manual = map->Find("manual")) ReadManual(context, *manual, triggers);
  return triggers;
}

}  // namespace slipway::spec::internal
