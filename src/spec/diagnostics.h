// Collects the problems found while loading one pipeline file. Internal to src/spec.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "spec/spec.h"

namespace slipway::spec::internal {

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  Diagnostics(const Diagnostics&) = delete;
  Diagnostics& operator=(const Diagnostics&) = delete;

  void Add(SourcePos pos, std::string message, std::string hint = {});
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  const std::string& file() const { return file_; }

  // The diagnostics in file order (stable for equal positions), exact duplicates removed.
  std::vector<Diagnostic> Take() &&;

 private:
  std::string file_;
  std::vector<Diagnostic> list_;
};

}  // namespace slipway::spec::internal
