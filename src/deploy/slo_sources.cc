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

PromQlRunner PrometheusInstantQueries() {
  return [](const spec::PrometheusSliSpec& server, const std::string& promql) -> Result<double> {
    verify::PrometheusProviderOptions options;
    options.address = server.address;
    options.query = promql;
    options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(server.timeout);
    SLIPWAY_ASSIGN_OR_RETURN(std::unique_ptr<verify::Provider> provider,
                             verify::MakePrometheusProvider(std::move(options)));
    SLIPWAY_ASSIGN_OR_RETURN(verify::Measurement measured, provider->Measure({}));
    if (!measured.value)
      return NotFound("prometheus " + server.address + ": no value for " + promql);
    return *measured.value;
  };
}

}  // namespace slipway::deploy
