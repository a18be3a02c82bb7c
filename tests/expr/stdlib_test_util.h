// Calls into the standard library through operators.h, for behaviour the parser cannot spell
// yet (uint and bytes literals, method calls): the library is tested on its own, the language
// around it by the evaluator tests.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "expr/expr.h"
#include "expr/operators.h"

namespace slipway::expr::testing {

using Result = std::variant<Value, Error>;

// `name(args…)`, or `args[0].name(args[1…])` when `receiver`; an error when there is no such
// function.
inline Result Call(std::string_view name, std::vector<Value> args, bool receiver = false) {
  const Activation::Function* function = FindStandardFunction(name, receiver);
  if (function == nullptr) return Error{-1, "no function " + std::string(name)};
  return (*function)(args);
}

inline Result Method(std::string_view name, std::vector<Value> args) {
  return Call(name, std::move(args), /*receiver=*/true);
}

// The value of `result`, failing the test (and returning the string "<error>") on an error.
inline Value Ok(const Result& result) {
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << "error: " << error->message;
    return Value("<error>");
  }
  return std::get<Value>(result);
}

// The message of `result`'s error, failing the test when it is a value.
inline std::string Err(const Result& result) {
  if (auto* error = std::get_if<Error>(&result)) return error->message;
  ADD_FAILURE() << "expected an error, got " << std::get<Value>(result).ToTemplateString();
  return "<no error>";
}

inline Value Seconds(int64_t seconds, int32_t nanos = 0) { return Value(Duration{seconds, nanos}); }

// A timestamp from RFC 3339 text, through the library's timestamp().
inline Value Time(std::string_view text) {
  return Ok(Call("timestamp", {Value(std::string(text))}));
}

}  // namespace slipway::expr::testing
