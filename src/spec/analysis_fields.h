// Readers for the parts of an analysis template (analysis_template.cc, analysis_fields.cc).
// Internal to src/spec.
//
// Queries, URLs, bodies and commands are `${{ }}` templates over the analysis variables, filled
// when the analysis runs: revision, baseline, environment, project, service and args.NAME.
// Conditions are expressions over `result` (the measurement) and args.NAME.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/loader.h"

namespace slipway::spec::internal {

// A template whose expressions only name analysis variables (syntax and names checked now).
std::optional<std::string> ReadAnalysisText(LoadContext& context, const Field& field);
// An expression over `result` and `args` (a `${{ }}` wrapper is removed).
std::optional<std::string> ReadResultCondition(LoadContext& context, const Field& field);
// "http://HOST:PORT[/path]"; `templated` allows `${{ }}` parts after the scheme.
std::optional<std::string> ReadHttpUrl(LoadContext& context, const Field& field, bool templated);
// `{NAME: VALUE}` HTTP header fields: RFC 9110 token names, literal values on one line.
std::optional<NamedValues> ReadHeaders(LoadContext& context, const Field& field);
// An HTTP method: GET, POST, PUT, HEAD.
std::optional<std::string> ReadMethod(LoadContext& context, const Field& field);
// One of `choices`, with a did-you-mean hint otherwise.
std::optional<std::string> ReadChoice(LoadContext& context, const Field& field,
                                      const std::vector<std::string>& choices);
// A name as IsValidName has it; `what` words the error ("metric name").
std::optional<std::string> ReadName(LoadContext& context, const Field& field,
                                    std::string_view what);
// Every `args.NAME` read since the last call names an argument `analysis` declares; reports
// the others and forgets them all.
void CheckTemplateVariables(LoadContext& context, const AnalysisTemplate& analysis);

}  // namespace slipway::spec::internal
