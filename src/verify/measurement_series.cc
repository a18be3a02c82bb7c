#include "verify/measurement_series.h"

#include <algorithm>

namespace slipway::verify::internal {

uint64_t MeasurementSeries::Absorb(const Measurement& measurement, bool start) {
  if (measurement.counts) {
    const Counts now = *measurement.counts;
    if (!origin_) {
      origin_ = now;
    } else if (now.total < last_raw_.total || now.events < last_raw_.events) {
      // The counters were reset (a restarted proxy): keep what was counted, count on from 0.
      carried_ = counts_;
      origin_ = Counts{};
    }
    last_raw_ = now;
    counts_ = {.events = carried_.events + now.events - origin_->events,
               .total = carried_.total + now.total - origin_->total};
  }
  if (start) {
    last_seen_ = measurement.samples_seen;
    return 0;
  }
  std::vector<double> fresh;
  if (measurement.samples_seen) {
    const uint64_t seen = *measurement.samples_seen;
    const uint64_t added = last_seen_ && seen >= *last_seen_ ? seen - *last_seen_ : seen;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(added, measurement.samples.size()));
    fresh.assign(measurement.samples.end() - static_cast<std::ptrdiff_t>(take),
                 measurement.samples.end());
    last_seen_ = seen;
  } else if (!measurement.samples.empty()) {
    fresh = measurement.samples;
  } else if (measurement.value && !measurement.counts) {
    fresh.push_back(*measurement.value);
  }
  samples_.insert(samples_.end(), fresh.begin(), fresh.end());
  return fresh.size();
}

}  // namespace slipway::verify::internal
