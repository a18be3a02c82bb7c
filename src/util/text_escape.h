// Escaping text for the two places it is spliced into a wire format by hand: URL components
// and Prometheus label values.
#pragma once

#include <string>
#include <string_view>

namespace slipway {

// RFC 3986 percent-encoding: every byte but the unreserved ones (letters, digits, - . _ ~) as
// %XX (upper-case hex). Safe for a path segment and for a query value.
std::string PercentEncode(std::string_view text);

// A Prometheus text-format label value: backslash, double quote and newline escaped (the
// format's only escapes); the caller adds the surrounding quotes.
std::string PrometheusLabelValue(std::string_view text);

}  // namespace slipway
