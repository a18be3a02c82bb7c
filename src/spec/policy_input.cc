// The gate's input document as policy rules see it: its fields, and the check of a rule's
// references against them. The policy module builds the document (policy/input_document.cc);
// docs/policy.md describes each field.
#include <algorithm>

#include "spec/spec.h"
#include "util/hints.h"

namespace slipway::spec {
namespace {

using Type = PolicyInputField::Type;

const char* TypeName(Type type) {
  switch (type) {
    case Type::kBool:
      return "a bool";
    case Type::kInt:
    case Type::kNullableInt:
      return "an int";
    case Type::kDouble:
    case Type::kNullableDouble:
      return "a double";
    case Type::kString:
      return "a string";
    case Type::kList:
      return "a list";
    case Type::kMap:
      return "a map";
  }
  return "a value";
}

const PolicyInputField* Find(std::string_view path) {
  for (const PolicyInputField& field : PolicyInputFields()) {
    if (field.path == path) return &field;
  }
  return nullptr;
}

// The names of the fields directly below `parent` ("" = the top level).
std::vector<std::string> Children(std::string_view parent) {
  std::vector<std::string> names;
  for (const PolicyInputField& field : PolicyInputFields()) {
    std::string_view path = field.path;
    if (!parent.empty()) {
      if (!path.starts_with(parent) || path.size() <= parent.size() || path[parent.size()] != '.') {
        continue;
      }
      path.remove_prefix(parent.size() + 1);
    }
    if (path.find('.') == std::string_view::npos) names.emplace_back(path);
  }
  return names;
}

}  // namespace

const std::vector<PolicyInputField>& PolicyInputFields() {
  static const std::vector<PolicyInputField> kFields = {
      {"project", Type::kString},
      {"environment", Type::kMap},
      {"environment.name", Type::kString},
      {"environment.strategy", Type::kString},
      {"artifact", Type::kMap},
      {"artifact.reference", Type::kString},
      {"artifact.repository", Type::kString},
      {"artifact.digest", Type::kString},
      {"artifact.provenance", Type::kMap},
      {"artifact.provenance.status", Type::kString},
      {"artifact.provenance.verified", Type::kBool},
      {"artifact.provenance.builder", Type::kString},
      {"artifact.provenance.source_repository", Type::kString},
      {"artifact.provenance.ref", Type::kString},
      {"artifact.provenance.commit", Type::kString},
      {"artifact.sbom", Type::kBool},
      {"run", Type::kMap},
      {"run.id", Type::kString},
      {"run.tests", Type::kMap},
      {"run.tests.passed", Type::kNullableInt},
      {"run.tests.failed", Type::kNullableInt},
      {"run.tests.flaky", Type::kNullableInt},
      {"run.tests.skipped", Type::kNullableInt},
      {"run.reports", Type::kList},
      {"change", Type::kMap},
      {"change.author", Type::kString},
      {"change.branch", Type::kString},
      {"change.commit", Type::kString},
      {"change.files", Type::kList},
      {"change.files_known", Type::kBool},
      {"time", Type::kMap},
      {"time.now", Type::kString},
      {"time.unix", Type::kInt},
      {"time.weekday", Type::kString},
      {"time.hour", Type::kInt},
      {"approvals", Type::kMap},
      {"approvals.required", Type::kInt},
      {"approvals.count", Type::kInt},
      {"approvals.approvers", Type::kList},
      {"approvals.satisfied", Type::kBool},
      {"error_budget", Type::kMap},
      {"error_budget.evaluated", Type::kBool},
      {"error_budget.frozen", Type::kBool},
      {"error_budget.slos", Type::kList},
  };
  return kFields;
}

std::optional<std::string> PolicyInputReferenceError(const std::vector<std::string>& path) {
  std::string prefix;
  for (const std::string& name : path) {
    const std::string parent = prefix;
    prefix += (prefix.empty() ? "" : ".") + name;
    if (const PolicyInputField* field = Find(prefix)) {
      if (field->type == Type::kList) return std::nullopt;  // elements are not described here
      continue;
    }
    if (const PolicyInputField* holder = parent.empty() ? nullptr : Find(parent);
        holder != nullptr && holder->type != Type::kMap) {
      return "'" + parent + "' is " + TypeName(holder->type) + "; it has no field '" + name + "'";
    }
    const std::vector<std::string> siblings = Children(parent);
    std::string message = "the gate's input has no field '" + prefix + "'";
    std::string hint = DidYouMean(name, siblings);
    if (hint.empty())
      hint = (parent.empty() ? "fields are " : parent + " has ") + JoinAlternatives(siblings);
    return message + " (" + hint + ")";
  }
  return std::nullopt;
}

}  // namespace slipway::spec
