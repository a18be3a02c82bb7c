// CheckExpressions: every context an expression references must exist where it is used, and
// functions may only be called where the sheet allows them. Each problem is reported with a
// hint; expr::Check then catches what is left (wrong argument counts).
#include <algorithm>
#include <map>
#include <utility>

#include "spec/loader.h"
#include "util/hints.h"

namespace slipway::spec::internal {
namespace {

struct Problem {
  std::string message;
  std::string hint;
};

// What the expressions of one job (or of the pipeline level, job == nullptr) may see.
class ContextScope {
 public:
  ContextScope(const Pipeline& pipeline, const Job* job,
               const std::map<std::string_view, const Job*>& jobs)
      : pipeline_(pipeline), job_(job), jobs_(jobs) {}

  std::optional<Problem> Check(const std::vector<std::string>& path) const {
    const std::string& root = path[0];
    if (root == "branch" || root == "event") return Scalar(path, 1, root);
    if (root == "env") return std::nullopt;  // the process environment is open-ended
    if (root == "inputs") return CheckInput(path);
    if (root == "matrix") return CheckMatrix(path);
    if (root == "needs") return CheckNeeds(path);
    std::vector<std::string> contexts = {"branch", "event", "env", "inputs"};
    if (job_) {
      contexts.push_back("matrix");
      contexts.push_back("needs");
    }
    std::string hint = DidYouMean(root, contexts);
    if (hint.empty()) hint = "available here: " + JoinAlternatives(contexts);
    return Problem{"unknown context '" + root + "'", std::move(hint)};
  }

 private:
  // `path` must end at `depth`: what is there is a string.
  static std::optional<Problem> Scalar(const std::vector<std::string>& path, size_t depth,
                                       const std::string& what) {
    if (path.size() <= depth) return std::nullopt;
    return Problem{"'" + what + "' is a string and has no field '" + path[depth] + "'", ""};
  }

  std::optional<Problem> CheckInput(const std::vector<std::string>& path) const {
    if (path.size() < 2) return std::nullopt;
    std::vector<std::string> names;
    for (const InputSpec& input : pipeline_.on.inputs) {
      if (input.name == path[1]) return Scalar(path, 2, "inputs." + path[1]);
      names.push_back(input.name);
    }
    std::string hint = DidYouMean(path[1], names);
    if (hint.empty()) hint = "declare it under on.manual.inputs";
    return Problem{"undefined input '" + path[1] + "'", std::move(hint)};
  }

  std::optional<Problem> CheckMatrix(const std::vector<std::string>& path) const {
    if (!job_) return Problem{"'matrix' is only available inside a job", ""};
    if (!job_->matrix) return Problem{"job '" + job_->name + "' has no matrix", ""};
    if (path.size() < 2) return std::nullopt;
    std::vector<std::string> keys;
    for (const auto& [axis, values] : job_->matrix->axes) keys.push_back(axis);
    for (const auto& entry : job_->matrix->include) {
      for (const auto& [key, value] : entry) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
      }
    }
    if (std::find(keys.begin(), keys.end(), path[1]) != keys.end()) {
      return Scalar(path, 2, "matrix." + path[1]);
    }
    return Problem{"job '" + job_->name + "' has no matrix axis or include key '" + path[1] + "'",
                   DidYouMean(path[1], keys)};
  }

  std::optional<Problem> CheckNeeds(const std::vector<std::string>& path) const {
    if (!job_) return Problem{"'needs' is only available inside a job", ""};
    if (path.size() < 2) return std::nullopt;
    const std::string& target = path[1];
    if (std::find(job_->needs.begin(), job_->needs.end(), target) == job_->needs.end()) {
      std::string hint = DidYouMean(target, job_->needs);
      if (hint.empty() && jobs_.count(target)) hint = "add '" + target + "' to its needs";
      return Problem{"job '" + job_->name + "' does not need '" + target + "'", std::move(hint)};
    }
    if (path.size() < 3) return std::nullopt;
    const std::string prefix = "needs." + target;
    if (path[2] == "result") return Scalar(path, 3, prefix + ".result");
    if (path[2] != "outputs") {
      std::string hint = DidYouMean(path[2], {"result", "outputs"});
      if (hint.empty()) hint = "use " + prefix + ".result or " + prefix + ".outputs.NAME";
      return Problem{"'" + prefix + "' has no field '" + path[2] + "'", std::move(hint)};
    }
    if (path.size() < 4) return std::nullopt;
    auto needed = jobs_.find(target);
    if (needed == jobs_.end()) return std::nullopt;  // reported as an unknown needs target
    const std::vector<std::string>& outputs = needed->second->outputs;
    if (std::find(outputs.begin(), outputs.end(), path[3]) != outputs.end()) {
      return Scalar(path, 4, prefix + ".outputs." + path[3]);
    }
    std::string hint = DidYouMean(path[3], outputs);
    if (hint.empty()) hint = "declare it under outputs of job '" + target + "'";
    return Problem{"job '" + target + "' has no output '" + path[3] + "'", std::move(hint)};
  }

  const Pipeline& pipeline_;
  const Job* job_;
  const std::map<std::string_view, const Job*>& jobs_;
};

const std::map<std::string, int, std::less<>>& KnownFunctions() {
  // Arity -1: one or more arguments (expr::Scope's convention).
  static const std::map<std::string, int, std::less<>> kFunctions = {
      {"success", 0}, {"failure", 0}, {"always", 0}, {"cancelled", 0}, {"hashFiles", -1}};
  return kFunctions;
}

unsigned FunctionGroup(std::string_view name) {
  return name == "hashFiles" ? kHashFiles : kStatusFunctions;
}

// Reports misplaced and unknown calls; returns whether any was found.
bool CheckCalls(LoadContext& context, const ExpressionUse& use) {
  bool found = false;
  for (const expr::Expression::Call& call : use.expression.Calls()) {
    const auto known = KnownFunctions().find(call.name);
    if (known == KnownFunctions().end() && expr::IsBuiltinFunction(call.name)) {
      continue;  // size(), int(), ...: allowed everywhere; expr::Check counts their arguments
    }
    if (known == KnownFunctions().end()) {
      std::vector<std::string> names;
      for (const auto& [name, arity] : KnownFunctions()) names.push_back(name);
      context.reader->Error(use.At(call.column), "unknown function '" + call.name + "'",
                            DidYouMean(call.name, names));
      found = true;
    } else if (!(use.functions & FunctionGroup(call.name))) {
      context.reader->Error(use.At(call.column), "'" + call.name + "()' is only allowed in " +
                                                     (FunctionGroup(call.name) == kHashFiles
                                                          ? "cache key and restore-keys"
                                                          : "job and step if: conditions"));
      found = true;
    }
  }
  return found;
}

}  // namespace

void CheckExpressions(LoadContext& context, const Pipeline& pipeline) {
  std::map<std::string_view, const Job*> jobs;
  for (const Job& job : pipeline.jobs) jobs.emplace(job.name, &job);

  for (const ExpressionUse& use : context.expressions) {
    const Job* job = nullptr;
    if (!use.job.empty()) {
      auto it = jobs.find(use.job);
      if (it == jobs.end()) continue;  // the job itself failed to load
      job = it->second;
    }
    const ContextScope scope(pipeline, job, jobs);
    bool found = CheckCalls(context, use);
    for (const expr::Expression::Reference& reference : use.expression.References()) {
      if (reference.path.empty()) continue;
      if (auto problem = scope.Check(reference.path)) {
        context.reader->Error(use.At(reference.column), std::move(problem->message),
                              std::move(problem->hint));
        found = true;
      }
    }
    if (found) continue;
    // Whatever the checks above do not cover (argument counts, operand types) comes from
    // expr::CheckType, with the same scope.
    expr::Scope check_scope;
    check_scope.check_reference = [&](const std::vector<std::string>& path) {
      auto problem = scope.Check(path);
      return problem ? std::optional<std::string>(problem->message) : std::nullopt;
    };
    for (const auto& [name, arity] : KnownFunctions()) {
      if (use.functions & FunctionGroup(name)) check_scope.functions.emplace(name, arity);
    }
    std::variant<expr::Type, expr::Error> checked = expr::CheckType(use.expression, check_scope);
    if (auto* error = std::get_if<expr::Error>(&checked)) {
      context.reader->Error(use.At(error->column), std::move(error->message));
    } else if (const expr::Type& type = std::get<expr::Type>(checked);
               use.condition && type.kind() != expr::Type::Kind::kBool && !type.is_dyn()) {
      context.reader->Error(use.At(1),
                            "an if: condition must be a bool; this one is " + type.ToString(),
                            "compare it, e.g. inputs.count > 0");
    }
  }
}

}  // namespace slipway::spec::internal
