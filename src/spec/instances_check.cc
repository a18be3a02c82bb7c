// CheckInstances: how many runnable copies the pipeline has. Each matrix must expand to at
// least one and at most LoadOptions::max_matrix_instances instances with distinct names, and
// the whole pipeline to at most LoadOptions::max_jobs.
#include <set>

#include "spec/loader.h"
#include "spec/matrix_expand.h"

namespace slipway::spec::internal {
namespace {

// Products larger than this are not enumerated to apply `exclude`: the limit check then
// uses the product itself, which is what a runaway matrix looks like anyway.
constexpr uint64_t kMaxEnumerated = uint64_t{1} << 20;

}  // namespace

void CheckInstances(LoadContext& context, const Pipeline& pipeline) {
  const auto limit = static_cast<uint64_t>(std::max(context.options->max_matrix_instances, 0));
  uint64_t total = 0;
  // A matrix over its own limit would also inflate the total; one cause, one message.
  bool matrix_over_limit = false;
  for (const Job& job : pipeline.jobs) {
    if (!job.matrix) {
      ++total;
      continue;
    }
    const MatrixSpec& matrix = *job.matrix;
    const std::string limit_text = "more than the limit of " + std::to_string(limit);
    const uint64_t product = ProductSize(matrix);
    if (product > kMaxEnumerated) {
      context.reader->Error(matrix.pos, "matrix of job '" + job.name + "' has " +
                                            std::to_string(product) +
                                            " combinations before exclude, " + limit_text);
      matrix_over_limit = true;
      continue;
    }
    MatrixExpansion expansion = ExpandMatrix(matrix, limit);
    total += expansion.count;
    if (expansion.count > limit) {
      context.reader->Error(matrix.pos, "matrix of job '" + job.name + "' expands to " +
                                            std::to_string(expansion.count) + " instances, " +
                                            limit_text);
      matrix_over_limit = true;
      continue;
    }
    if (expansion.count == 0) {
      context.reader->Error(matrix.pos, "matrix of job '" + job.name + "' expands to no instances",
                            "exclude removes every combination");
      continue;
    }
    std::set<std::string> ids;
    for (const JobInstance& instance : ExpandJob(job)) {
      if (!ids.insert(instance.id).second) {
        context.reader->Error(
            matrix.pos,
            "matrix of job '" + job.name + "' has two instances named '" + instance.id + "'",
            "give the include entries distinct values");
      }
    }
  }
  const auto max_jobs = static_cast<uint64_t>(std::max(context.options->max_jobs, 0));
  if (!matrix_over_limit && total > max_jobs) {
    context.reader->Error(context.jobs_pos, "the pipeline expands to " + std::to_string(total) +
                                                " job instances, more than the limit of " +
                                                std::to_string(max_jobs));
  }
}

}  // namespace slipway::spec::internal
