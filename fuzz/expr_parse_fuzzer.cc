// Fuzzes the parser: any input either parses or yields an error with a column inside the text
// (or 0), without a crash, a hang or a sanitizer report. The tree's walks (References, Calls)
// and the template parser get the same input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "expr/expr.h"

using namespace slipway::expr;

namespace {

void CheckColumn(const Error& error, size_t size) {
  // A column past the end plus one means the error points nowhere the user can see.
  if (error.column < 0 || static_cast<size_t>(error.column) > size + 1) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = Expression::Parse(text);
  if (auto* error = std::get_if<Error>(&parsed)) {
    CheckColumn(*error, size);
  } else {
    const auto& expression = std::get<Expression>(parsed);
    for (const auto& reference : expression.References()) (void)reference.path.size();
    for (const auto& call : expression.Calls()) (void)call.name.size();
  }
  auto parsed_template = Template::Parse(text);
  if (auto* error = std::get_if<Error>(&parsed_template)) CheckColumn(*error, size);
  return 0;
}
