// Drift: every `reconcile_interval`, the environments deployed from this server are compared
// with their desired state (deploy::Deployments::Reconcile); what differs is logged, recorded
// with the environment, and healed where the environment says `self-heal: true`.

#include "server/server_impl.h"

namespace slipway::server {

void Server::Impl::ReconcileLoop() {
  while (!stop_.WaitFor(options_.reconcile_interval)) {
    for (const deploy::DriftEvent& event : deployments_->Reconcile()) {
      Log("drift in " + event.project + "/" + event.environment + " (" + event.kind +
          "): " + event.message + (event.healed ? " — healed" : ""));
    }
  }
}

}  // namespace slipway::server
