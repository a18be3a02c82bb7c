// What a judged metric has gathered from one revision since its analysis started. Internal to
// src/verify.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "verify/verify.h"

namespace slipway::verify::internal {

// Turns a provider's successive measurements into the judge's data for one side:
// - counts are cumulative counters (the proxy's requests and 5xx): kept as the difference from
//   the first measurement (a counter that went backwards, a restarted proxy, starts over);
// - samples that come with `samples_seen` are the most recent ones (the proxy's latency ring):
//   only the newest `seen − previously seen` of them are new, so none is counted twice;
// - samples without counts (a range query, an exec script) and lone values are all new.
// The start measurement only sets the counters' origin.
class MeasurementSeries {
 public:
  // Adds one measurement; returns how many new samples it brought.
  uint64_t Absorb(const Measurement& measurement, bool start);

  const std::vector<double>& samples() const { return samples_; }
  bool has_counts() const { return origin_.has_value(); }
  Counts counts() const { return counts_; }
  // Samples, or for counts the total: what min-samples is compared with.
  uint64_t size() const { return has_counts() ? counts_.total : samples_.size(); }

 private:
  std::optional<Counts> origin_;  // the raw counters counted from
  Counts carried_;                // counted before a reset
  Counts last_raw_;
  Counts counts_;
  std::optional<uint64_t> last_seen_;
  std::vector<double> samples_;
};

}  // namespace slipway::verify::internal
