// PrometheusSliSources: spec::Slo's Prometheus SLI → verify's PromQL SLI sources, with the
// queries run by the caller (the integrator passes the Prometheus provider's instant query).
#include <utility>

#include "deploy/deploy.h"
#include "verify/verify.h"

namespace slipway::deploy {

SliSourceFactory PrometheusSliSources(PromQlRunner run) {
  return
      [run = std::move(run)](const spec::Slo& slo) -> Result<std::unique_ptr<verify::SliSource>> {
        if (!run) return InvalidArgument("no PromQL runner for SLO " + slo.name);
        if (!slo.sli.prometheus)
          return InvalidArgument("SLO " + slo.name + " has no Prometheus SLI");
        const spec::PrometheusSliSpec server = *slo.sli.prometheus;
        verify::PromQlQuery query = [run, server](const std::string& promql) {
          return run(server, promql);
        };
        if (!server.latency.empty()) {
          return verify::MakePromQlFractionSliSource(server.latency, std::move(query));
        }
        return verify::MakePromQlSliSource(server.good, server.total, std::move(query));
      };
}

}  // namespace slipway::deploy
