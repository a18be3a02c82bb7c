// The standard library's function table: every file of the library adds its functions once
// (library.h), and FindStandardFunction serves them. The four original built-ins (size, int,
// double, string) are what IsBuiltinFunction still reports, since the checker assumes those take
// exactly one argument.
#include <string>

#include "expr/library.h"
#include "expr/operators.h"

namespace slipway::expr {
namespace {

const library::FunctionTable& Table() {
  static const library::FunctionTable kTable = [] {
    library::FunctionTable table;
    library::AddConversions(table);
    library::AddStringFunctions(table);
    library::AddTimeFunctions(table);
    library::AddStringExtensions(table);
    library::AddMathExtensions(table);
    return table;
  }();
  return kTable;
}

bool IsOriginalBuiltin(std::string_view name) {
  return name == "size" || name == "int" || name == "double" || name == "string";
}

}  // namespace

Error library::NoSuchOverload(std::string_view function, Args args, bool receiver) {
  std::string message = "no such overload: ";
  size_t first = 0;
  if (receiver && !args.empty()) {
    message += std::string(args[0].type_name()) + ".";
    first = 1;
  }
  message += std::string(function) + "(";
  for (size_t i = first; i < args.size(); ++i) {
    if (i > first) message += ", ";
    message += args[i].type_name();
  }
  return Error{0, message + ")"};
}

std::optional<Error> library::CheckArity(std::string_view function, size_t count, size_t min,
                                         size_t max) {
  if (count >= min && count <= max) return std::nullopt;
  std::string expected = std::to_string(min);
  if (max != min)
    expected += max == min + 1 ? " or " + std::to_string(max) : " to " + std::to_string(max);
  expected += min == 1 && max == 1 ? " argument" : " arguments";
  return Error{0, "function '" + std::string(function) + "' expects " + expected + ", got " +
                      std::to_string(count)};
}

Error library::Expects(std::string_view function, std::string_view expected, const Value& got) {
  return Error{0, "no such overload: " + std::string(function) + "() expects " +
                      std::string(expected) + ", got " + std::string(got.type_name())};
}

void library::AddGlobal(FunctionTable& table, std::string name, size_t arity,
                        Result (*function)(Args)) {
  table.global[name] = [name, arity, function](Args args) -> Result {
    if (auto error = CheckArity(name, args.size(), arity, arity)) return *error;
    return function(args);
  };
}

void library::AddReceiver(FunctionTable& table, std::string name, size_t min, size_t max,
                          Result (*function)(Args)) {
  table.receiver[name] = [name, min, max, function](Args args) -> Result {
    if (args.empty()) return Error{0, "function '" + name + "' needs a receiver"};
    if (auto error = CheckArity(name, args.size() - 1, min, max)) return *error;
    return function(args);
  };
}

const Activation::Function* FindStandardFunction(std::string_view name, bool receiver_style) {
  const auto& functions = receiver_style ? Table().receiver : Table().global;
  const auto it = functions.find(name);
  return it == functions.end() ? nullptr : &it->second;
}

const Activation::Function* FindBuiltin(std::string_view name) {
  return IsOriginalBuiltin(name) ? FindStandardFunction(name, /*receiver_style=*/false) : nullptr;
}

bool IsBuiltinFunction(std::string_view name) { return FindBuiltin(name) != nullptr; }

}  // namespace slipway::expr
