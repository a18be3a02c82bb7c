// The slipway side of bench/expr/run: a gate of rules (one CEL expression per line) over a
// JSON input document, as a policy evaluates it. Prints one JSON line: parse + type-check µs per
// rule, evaluations/s over ITERATIONS rounds of every rule, and each rule's result.
// Usage: expr_gate RULES INPUT ITERATIONS
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "expr/expr.h"

using namespace slipway::expr;
using nlohmann::json;

namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Declares every field of the document, as a policy loader declares the input document's:
// `artifact.sbom` bool, `run.tests` map(string, int), `artifact` map(string, dyn), …
void Declare(const std::string& path, const Value& value, Scope& scope) {
  scope.variables.emplace(path, Type::OfValue(value));
  if (!value.is_map()) return;
  for (const auto& [key, field] : value.as_map()) {
    Declare(path + "." + key.as_string(), field, scope);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: expr_gate RULES INPUT ITERATIONS\n");
    return 2;
  }
  std::vector<std::string> rules;
  std::ifstream rules_in(argv[1]);
  for (std::string line; std::getline(rules_in, line);)
    if (line.find_first_not_of(" \t") != std::string::npos) rules.push_back(line);
  std::ifstream input_in(argv[2]);
  Activation activation;
  activation.variables = ValueFromJson(json::parse(input_in)).as_map();
  const long iterations = std::stol(argv[3]);

  // Parse + check (names and types), as a policy loader does once per rule.
  Scope scope;
  for (const auto& [name, value] : activation.variables) Declare(name.as_string(), value, scope);
  constexpr int kPrepareRounds = 2000;
  std::vector<Expression> expressions;
  auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < kPrepareRounds; ++round) {
    expressions.clear();
    for (const auto& rule : rules) {
      auto parsed = Expression::Parse(rule);
      if (auto* error = std::get_if<Error>(&parsed)) {
        std::fprintf(stderr, "expr_gate: %s: column %d: %s\n", rule.c_str(), error->column,
                     error->message.c_str());
        return 1;
      }
      if (auto error = Check(std::get<Expression>(parsed), scope)) {
        std::fprintf(stderr, "expr_gate: %s: %s\n", rule.c_str(), error->message.c_str());
        return 1;
      }
      expressions.push_back(std::get<Expression>(std::move(parsed)));
    }
  }
  const double prepare_us = Seconds(std::chrono::steady_clock::now() - start) * 1e6 /
                            (kPrepareRounds * static_cast<double>(rules.size()));

  json results = json::array();
  for (const auto& e : expressions) {
    auto r = Evaluate(e, activation);
    if (auto* error = std::get_if<Error>(&r)) {
      results.push_back("error: " + error->message);
    } else if (std::get<Value>(r).is_bool()) {
      results.push_back(std::get<Value>(r).as_bool());
    } else {
      results.push_back(std::get<Value>(r).ToTemplateString());
    }
  }
  long trues = 0;
  start = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i) {
    for (const auto& e : expressions) {
      auto r = Evaluate(e, activation);
      if (auto* v = std::get_if<Value>(&r); v && v->is_bool() && v->as_bool()) ++trues;
    }
  }
  const double seconds = Seconds(std::chrono::steady_clock::now() - start);
  const double evaluations = static_cast<double>(iterations) * static_cast<double>(rules.size());
  std::printf("%s\n", json{{"prepare_us", prepare_us},
                           {"evals_per_sec", evaluations / seconds},
                           {"all_true", static_cast<double>(trues) == evaluations},
                           {"results", results}}
                          .dump()
                          .c_str());
  return 0;
}
