// Workspaces and artifacts: each attempt starts from a fresh copy of the repository files,
// plus the artifacts of the jobs it needs at the paths they had in their own workspaces.
#include <string>

#include "engine/pipeline_run.h"
#include "util/fs.h"

namespace slipway::engine {
namespace {

namespace fs = std::filesystem;

// Copies `relative` (a file, a symlink or a directory) from one tree to the same place in
// another.
Status CopyRelative(const fs::path& from_root, const fs::path& to_root, const fs::path& relative) {
  const fs::path from = from_root / relative;
  const fs::path to = to_root / relative;
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec) return ErrnoStatus("cannot create " + to.parent_path().string(), ec.value());
  if (fs::is_directory(fs::symlink_status(from, ec))) return CopyTree(from, to);
  return CopyFile(from, to);
}

}  // namespace

Status PipelineRun::PrepareWorkspace(const InstanceState& state, const fs::path& workspace) {
  SLIPWAY_RETURN_IF_ERROR(CopyTree(options_.source, workspace));
  for (size_t need : view_->needs(state.job_index)) {
    for (size_t i : view_->instances_of(need)) {
      const fs::path& artifacts = instances_[i].artifacts_dir;
      if (artifacts.empty()) continue;
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(artifacts, ec)) {
        SLIPWAY_RETURN_IF_ERROR(CopyRelative(artifacts, workspace, entry.path().filename()));
      }
      if (ec)
        return ErrnoStatus("cannot read artifacts of " + instances_[i].instance.id, ec.value());
    }
  }
  return Status::Ok();
}

void PipelineRun::SaveArtifacts(InstanceState& state, const fs::path& workspace,
                                runner::LogSink& log) {
  const auto& patterns = state.instance.job->artifacts;
  if (patterns.empty()) return;
  const size_t index = static_cast<size_t>(&state - instances_.data());
  const fs::path target = options_.work_dir / "artifacts" / std::to_string(index);
  size_t saved = 0;
  for (const auto& relative : CollectArtifacts(patterns, workspace, log)) {
    if (Status s = CopyRelative(workspace, target, relative); !s.ok()) {
      log.Line("warning: artifacts: " + s.message());
      continue;
    }
    ++saved;
  }
  if (saved > 0) {
    state.artifacts_dir = target;
    log.Line("artifacts: kept " + std::to_string(saved) + " path(s) for dependent jobs");
  }
}

}  // namespace slipway::engine
