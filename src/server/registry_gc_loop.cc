// Registry garbage collection: every `registry_gc_interval`, unreferenced blobs and untagged
// manifests older than `registry_gc_grace` are removed (registry::Registry::CollectGarbage,
// which keeps pushes in progress whole).

#include "server/server_impl.h"

namespace slipway::server {

void Server::Impl::RegistryGcLoop() {
  while (!stop_.WaitFor(options_.registry_gc_interval)) {
    auto report =
        registry_->CollectGarbage({.grace = options_.registry_gc_grace, .dry_run = false});
    if (!report.ok()) {
      Log("registry gc: " + report.status().message());
      continue;
    }
    if (report->manifests_deleted > 0 || report->blobs_deleted > 0) {
      Log("registry gc: removed " + std::to_string(report->manifests_deleted) +
          " untagged manifests and " + std::to_string(report->blobs_deleted) + " blobs (" +
          std::to_string(report->bytes_freed) + " bytes)");
    }
  }
}

}  // namespace slipway::server
