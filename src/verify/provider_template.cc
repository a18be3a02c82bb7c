// Templates in provider options: parsed once by the factory, so a typo in a query is reported
// when the analysis is set up, not at its first measurement.
#include <variant>

#include "verify/provider_internal.h"

namespace slipway::verify::internal {

Result<TextTemplate> TextTemplate::Parse(std::string what, std::string text) {
  auto parsed = expr::Template::Parse(text);
  if (auto* error = std::get_if<expr::Error>(&parsed)) {
    return InvalidArgument(what + " \"" + Quote(text) + "\": column " +
                           std::to_string(error->column) + ": " + error->message);
  }
  TextTemplate result;
  result.what_ = std::move(what);
  result.text_ = std::move(text);
  result.template_ = std::move(std::get<expr::Template>(parsed));
  return result;
}

Result<std::string> TextTemplate::Render(const expr::Value::Map& variables) const {
  expr::Activation activation;
  activation.variables = variables;
  auto rendered = template_.Render(activation);
  if (auto* error = std::get_if<expr::Error>(&rendered)) {
    return InvalidArgument(what_ + " \"" + Quote(text_) + "\": column " +
                           std::to_string(error->column) + ": " + error->message);
  }
  return std::move(std::get<std::string>(rendered));
}

std::chrono::system_clock::time_point ResolveNow(const MeasureRequest& request) {
  if (request.now == std::chrono::system_clock::time_point{}) {
    return std::chrono::system_clock::now();
  }
  return request.now;
}

}  // namespace slipway::verify::internal
