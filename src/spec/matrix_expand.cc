#include "spec/matrix_expand.h"

#include <algorithm>
#include <limits>
#include <map>

namespace slipway::spec {
namespace internal {
namespace {

// An include/exclude entry split into the axes it names (by index) and its other keys.
struct Entry {
  std::vector<std::pair<size_t, const std::string*>> axis_values;
  std::vector<std::pair<std::string, std::string>> extra;  // include only
};

Entry Split(const MatrixSpec& matrix, const std::map<std::string, std::string>& raw) {
  Entry entry;
  for (const auto& [key, value] : raw) {
    auto axis = std::find_if(matrix.axes.begin(), matrix.axes.end(),
                             [&key = key](const auto& a) { return a.first == key; });
    if (axis == matrix.axes.end()) {
      entry.extra.emplace_back(key, value);
    } else {
      entry.axis_values.emplace_back(axis - matrix.axes.begin(), &value);
    }
  }
  return entry;
}

bool Fits(const MatrixSpec& matrix, const Entry& entry, const std::vector<size_t>& index) {
  for (const auto& [axis, value] : entry.axis_values) {
    if (matrix.axes[axis].second[index[axis]] != *value) return false;
  }
  return true;
}

// An unmatched include entry as a combination: its axis keys in axis order, then the rest.
Combination Standalone(const MatrixSpec& matrix, const Entry& entry) {
  std::vector<std::pair<size_t, const std::string*>> axes = entry.axis_values;
  std::sort(axes.begin(), axes.end());
  Combination combination;
  for (const auto& [axis, value] : axes) combination.emplace_back(matrix.axes[axis].first, *value);
  for (const auto& pair : entry.extra) combination.push_back(pair);
  return combination;
}

void Merge(Combination& combination, const Entry& entry) {
  for (const auto& [key, value] : entry.extra) {
    auto existing = std::find_if(combination.begin(), combination.end(),
                                 [&key = key](const auto& pair) { return pair.first == key; });
    if (existing == combination.end()) {
      combination.emplace_back(key, value);
    } else {
      existing->second = value;  // added by an earlier include: may be overwritten
    }
  }
}

}  // namespace

uint64_t ProductSize(const MatrixSpec& matrix) {
  if (matrix.axes.empty()) return 0;
  uint64_t product = 1;
  for (const auto& [axis, values] : matrix.axes) {
    if (values.empty()) return 0;
    if (product > std::numeric_limits<uint64_t>::max() / values.size()) {
      return std::numeric_limits<uint64_t>::max();
    }
    product *= values.size();
  }
  return product;
}

MatrixExpansion ExpandMatrix(const MatrixSpec& matrix, uint64_t keep) {
  std::vector<Entry> excludes, includes;
  for (const auto& raw : matrix.exclude) excludes.push_back(Split(matrix, raw));
  for (const auto& raw : matrix.include) includes.push_back(Split(matrix, raw));

  MatrixExpansion result;
  // Originals that survive exclude, as value indexes; include merges need them in order.
  std::vector<std::vector<size_t>> kept;
  std::vector<bool> include_fits(includes.size(), false);
  if (ProductSize(matrix) > 0) {
    std::vector<size_t> index(matrix.axes.size(), 0);
    while (true) {
      const bool excluded = std::any_of(excludes.begin(), excludes.end(),
                                        [&](const Entry& e) { return Fits(matrix, e, index); });
      if (!excluded) {
        ++result.count;
        if (result.count <= keep) kept.push_back(index);
        for (size_t i = 0; i < includes.size(); ++i) {
          include_fits[i] = include_fits[i] || Fits(matrix, includes[i], index);
        }
      }
      // Odometer: the last axis varies fastest.
      size_t axis = matrix.axes.size();
      while (axis > 0 && ++index[axis - 1] == matrix.axes[axis - 1].second.size()) {
        index[--axis] = 0;
      }
      if (axis == 0) break;
    }
  }

  std::vector<Combination> appended;
  for (size_t i = 0; i < includes.size(); ++i) {
    if (include_fits[i]) continue;
    Combination combination = Standalone(matrix, includes[i]);
    if (std::find(appended.begin(), appended.end(), combination) == appended.end()) {
      appended.push_back(std::move(combination));
    }
  }
  result.count += appended.size();
  if (result.count > keep) return result;

  for (const std::vector<size_t>& index : kept) {
    Combination combination;
    for (size_t axis = 0; axis < matrix.axes.size(); ++axis) {
      combination.emplace_back(matrix.axes[axis].first, matrix.axes[axis].second[index[axis]]);
    }
    for (size_t i = 0; i < includes.size(); ++i) {
      if (Fits(matrix, includes[i], index)) Merge(combination, includes[i]);
    }
    result.combinations.push_back(std::move(combination));
  }
  for (Combination& combination : appended) result.combinations.push_back(std::move(combination));
  return result;
}

}  // namespace internal

std::vector<JobInstance> ExpandJob(const Job& job) {
  if (!job.matrix) return {JobInstance{&job, job.name, {}}};
  std::vector<JobInstance> instances;
  auto expansion = internal::ExpandMatrix(*job.matrix, std::numeric_limits<uint64_t>::max());
  for (internal::Combination& combination : expansion.combinations) {
    std::string id = job.name + " (";
    for (size_t i = 0; i < combination.size(); ++i) {
      if (i > 0) id += ", ";
      id += combination[i].second;
    }
    id += ")";
    instances.push_back(JobInstance{&job, std::move(id), std::move(combination)});
  }
  return instances;
}

std::vector<JobInstance> ExpandPipeline(const Pipeline& pipeline) {
  std::vector<JobInstance> instances;
  for (const Job& job : pipeline.jobs) {
    std::vector<JobInstance> more = ExpandJob(job);
    instances.insert(instances.end(), std::make_move_iterator(more.begin()),
                     std::make_move_iterator(more.end()));
  }
  return instances;
}

}  // namespace slipway::spec
