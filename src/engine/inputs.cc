// ResolveInputs: `--input name=value` checked against the pipeline's manual inputs.
#include <charconv>
#include <string>

#include "engine/engine.h"

namespace slipway::engine {
namespace {

Result<expr::Value> Typed(const spec::InputSpec& spec, const std::string& raw) {
  const std::string where = "input '" + spec.name + "'";
  switch (spec.type) {
    case spec::InputType::kString:
      return expr::Value(raw);
    case spec::InputType::kBoolean:
      if (raw == "true") return expr::Value(true);
      if (raw == "false") return expr::Value(false);
      return InvalidArgument(where + " is a boolean: expected true or false, got '" + raw + "'");
    case spec::InputType::kNumber: {
      int64_t integer = 0;
      auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), integer);
      if (ec == std::errc() && end == raw.data() + raw.size()) return expr::Value(integer);
      double real = 0;
      auto [dend, dec] = std::from_chars(raw.data(), raw.data() + raw.size(), real);
      if (dec == std::errc() && dend == raw.data() + raw.size() && !raw.empty()) {
        return expr::Value(real);
      }
      return InvalidArgument(where + " is a number: got '" + raw + "'");
    }
    case spec::InputType::kChoice:
      for (const auto& option : spec.options) {
        if (option == raw) return expr::Value(raw);
      }
      std::string options;
      for (const auto& option : spec.options) options += (options.empty() ? "" : ", ") + option;
      return InvalidArgument(where + " must be one of " + options + ": got '" + raw + "'");
  }
  return Internal("unknown input type");
}

}  // namespace

Result<expr::Value::Map> ResolveInputs(const spec::Pipeline& pipeline,
                                       const std::map<std::string, std::string>& inputs) {
  for (const auto& [name, value] : inputs) {
    bool declared = false;
    for (const auto& spec : pipeline.on.inputs) declared = declared || spec.name == name;
    if (!declared) {
      std::string known;
      for (const auto& spec : pipeline.on.inputs) known += (known.empty() ? "" : ", ") + spec.name;
      return InvalidArgument(
          "unknown input '" + name + "'" +
          (known.empty() ? " (the pipeline declares no inputs)" : " (declared: " + known + ")"));
    }
  }
  expr::Value::Map resolved;
  for (const auto& spec : pipeline.on.inputs) {
    auto given = inputs.find(spec.name);
    std::optional<std::string> raw;
    if (given != inputs.end()) {
      raw = given->second;
    } else if (spec.default_value) {
      raw = *spec.default_value;
    }
    if (!raw) {
      if (spec.required) {
        return InvalidArgument("input '" + spec.name + "' is required: pass --input " + spec.name +
                               "=VALUE");
      }
      // Optional with no default: empty of its type.
      resolved.emplace(spec.name, spec.type == spec::InputType::kBoolean
                                      ? expr::Value(false)
                                      : expr::Value(std::string()));
      continue;
    }
    SLIPWAY_ASSIGN_OR_RETURN(expr::Value value, Typed(spec, *raw));
    resolved.emplace(spec.name, std::move(value));
  }
  return resolved;
}

}  // namespace slipway::engine
