// The gate's input document as policy rules see it: its fields, and the check of a rule's
// references against them. The policy module builds the document (policy/input_document.cc);
// docs/policy.md describes each field.
#include <algorithm>

#include "spec/spec.h"
#include "util/hints.h"

namespace slipway::spec {
namespace {

using Kind = expr::Type::Kind;

// "a string", "an int", "a list": how a field's type reads in a message.
std::string Described(const expr::Type& type) {
  switch (type.kind()) {
    case Kind::kWrapper:
      return Described(type.element());
    case Kind::kList:
      return "a list";
    case Kind::kMap:
      return "a map";
    case Kind::kInt:
      return "an int";
    case Kind::kTimestamp:
      return "a timestamp";
    default:
      return "a " + type.ToString();
  }
}

// A map whose fields are listed below it (selecting another is an error).
bool IsRecord(const expr::Type& type) { return type.kind() == Kind::kMap && type.value().is_dyn(); }

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
  using expr::Type;
  static const Type kBool = Type::Of(Kind::kBool), kInt = Type::Of(Kind::kInt),
                    kString = Type::Of(Kind::kString), kNullableInt = Type::Wrapper(kInt),
                    kStrings = Type::List(kString), kRecord = Type::Map(kString, Type()),
                    kRecords = Type::List(kRecord);
  static const std::vector<PolicyInputField> kFields = {
      {"project", kString},
      {"environment", kRecord},
      {"environment.name", kString},
      {"environment.strategy", kString},
      {"artifact", kRecord},
      {"artifact.reference", kString},
      {"artifact.repository", kString},
      {"artifact.digest", kString},
      {"artifact.provenance", kRecord},
      {"artifact.provenance.status", kString},
      {"artifact.provenance.verified", kBool},
      {"artifact.provenance.builder", kString},
      {"artifact.provenance.source_repository", kString},
      {"artifact.provenance.ref", kString},
      {"artifact.provenance.commit", kString},
      {"artifact.sbom", kBool},
      {"run", kRecord},
      {"run.id", kString},
      {"run.tests", kRecord},
      {"run.tests.passed", kNullableInt},
      {"run.tests.failed", kNullableInt},
      {"run.tests.flaky", kNullableInt},
      {"run.tests.skipped", kNullableInt},
      {"run.reports", kRecords},
      {"change", kRecord},
      {"change.author", kString},
      {"change.branch", kString},
      {"change.commit", kString},
      {"change.files", kStrings},
      {"change.files_known", kBool},
      {"time", kRecord},
      {"time.now", Type::Of(Kind::kTimestamp)},
      {"time.unix", kInt},
      {"time.weekday", kString},
      {"time.hour", kInt},
      {"approvals", kRecord},
      {"approvals.required", kInt},
      {"approvals.count", kInt},
      {"approvals.approvers", kStrings},
      {"approvals.satisfied", kBool},
      {"error_budget", kRecord},
      {"error_budget.evaluated", kBool},
      {"error_budget.frozen", kBool},
      {"error_budget.slos", kRecords},
      {"gate", kRecord},
      {"gate.step", kString},
  };
  return kFields;
}

std::optional<std::string> PolicyInputReferenceError(const std::vector<std::string>& path) {
  std::string prefix;
  for (const std::string& name : path) {
    const std::string parent = prefix;
    prefix += (prefix.empty() ? "" : ".") + name;
    if (const PolicyInputField* field = Find(prefix)) {
      if (field->type.kind() == Kind::kList) return std::nullopt;  // CheckType checks elements
      continue;
    }
    if (const PolicyInputField* holder = parent.empty() ? nullptr : Find(parent);
        holder != nullptr && !IsRecord(holder->type)) {
      return "'" + parent + "' is " + Described(holder->type) + "; it has no field '" + name + "'";
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

expr::Scope PolicyRuleScope() {
  expr::Scope scope;
  scope.check_reference = [](const std::vector<std::string>& path) {
    return PolicyInputReferenceError(path);
  };
  for (const PolicyInputField& field : PolicyInputFields()) {
    scope.variables.emplace(field.path, field.type);
  }
  return scope;
}

}  // namespace slipway::spec
