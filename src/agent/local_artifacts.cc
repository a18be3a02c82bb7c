// LocalTransport's artifact calls: embedded agents hand archives to AgentService directly, through
// the same checks (lease, size, format) as remote agents' uploads.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "agent/agent.h"
#include "util/cancel.h"
#include "util/fs.h"

namespace slipway::agent {

Status LocalTransport::PutArtifacts(const engine::JobAssignment& job,
                                    const std::filesystem::path& archive,
                                    const CancelToken& cancel) {
  const int fd = open(archive.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + archive.string(), errno);
  const tree_archive::ByteSource file = tree_archive::FdSource(fd);
  auto stored = service_->PutArtifacts(
      job.attempt_id, job.lease_token, [&](char* data, size_t size) -> Result<size_t> {
        if (cancel.cancelled()) return Cancelled("cancelled while uploading the artifacts");
        return file(data, size);
      });
  close(fd);
  return stored.status();
}

Status LocalTransport::GetArtifacts(const engine::JobAssignment& job,
                                    const engine::ArtifactRef& ref,
                                    const std::filesystem::path& to) {
  SLIPWAY_ASSIGN_OR_RETURN(
      engine::ArtifactStore::Archive archive,
      service_->OpenArtifacts(job.attempt_id, job.lease_token, ref.attempt_id));
  return CopyFile(archive.path, to);
}

}  // namespace slipway::agent
