// The judge's pieces, shared by Judge (one look) and SequentialJudge (many). Internal to
// verify/.
#pragma once

#include <span>
#include <string>

#include "verify/verify.h"

namespace slipway::verify {

// One metric judged by its fixed-sample test at significance `alpha` (normally 1 -
// confidence; less at a sequential analysis' final look). Never fails: bad or missing data
// make the verdict inconclusive, with the reason in `rule`.
MetricVerdict JudgeMetric(const MetricCriteria& criteria, const MetricData& data, double alpha);

// True when `effect` is beyond what `criteria` allows, in its bad direction.
bool BeyondAllowed(const MetricCriteria& criteria, double effect);

// The analysis' outcome, score and summary from its metrics' verdicts (parallel to
// `criteria`), by the scoring rules in verify.h.
Judgement Aggregate(std::span<const MetricCriteria> criteria, std::vector<MetricVerdict> metrics,
                    const JudgeOptions& options);

// "0.0012", "3.1e-07": p-values and other numbers as rules and summaries print them.
std::string FormatNumber(double value);
// "+31.0%", "-4.2%", "+inf%": a relative change.
std::string FormatPercent(double relative);

}  // namespace slipway::verify
