// The input document's top-level fields, as the variables of a rule's evaluation. Internal to
// policy/.
#pragma once

#include "expr/expr.h"
#include "policy/policy.h"

namespace slipway::policy {

// InputDocument(input) is Value(InputVariables(input)).
expr::Value::Map InputVariables(const GateInput& input);

}  // namespace slipway::policy
