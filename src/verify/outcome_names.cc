// Names of judge outcomes, as the API, the CLI and the deploy records print them.
#include "verify/verify.h"

namespace slipway::verify {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kMarginal:
      return "marginal";
    case Outcome::kFail:
      return "fail";
    case Outcome::kInconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

}  // namespace slipway::verify
