// Matrix expansion with GitHub Actions' semantics. Internal to src/spec.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "spec/spec.h"

namespace slipway::spec::internal {

// Key → value pairs of one matrix cell: the axes in declaration order, then keys added by
// `include` in the order they were added.
using Combination = std::vector<std::pair<std::string, std::string>>;

// Size of the cartesian product of the axes, saturating at UINT64_MAX; 0 without axes.
uint64_t ProductSize(const MatrixSpec& matrix);

struct MatrixExpansion {
  uint64_t count = 0;                     // instances after exclude and include
  std::vector<Combination> combinations;  // all of them when count <= the `keep` asked for
};

// Cartesian product (last axis fastest), minus every combination that matches all keys of
// some `exclude` entry; then each `include` entry is merged into every remaining original
// combination whose axis values it does not contradict (its other keys added, overwriting
// keys an earlier include added), or, when it fits none, appended as a combination of its own
// (exact repeats of an appended combination are dropped). Streams the product, so a huge
// matrix is counted without being held in memory; combinations are kept only when at most
// `keep` of them survive.
MatrixExpansion ExpandMatrix(const MatrixSpec& matrix, uint64_t keep);

}  // namespace slipway::spec::internal
