// CEL's math extension (cel-go ext.Math): math.greatest, math.least, rounding, signs,
// classification of doubles and bit operations.
#include "expr/library.h"

namespace slipway::expr::library {

void AddMathExtensions(FunctionTable& /*table*/) {}

}  // namespace slipway::expr::library
