// Provider::Measure may be called from several threads at once on one provider (verify.h):
// each call is independent (its own connection or process), so all of them succeed.
#include <gmock/gmock.h>

#include <thread>

#include "fake_source.h"

namespace slipway::verify::testing {
namespace {

// Runs `measure` 5 times on each of 6 threads; returns how many calls succeeded.
int SucceededInParallel(Provider& provider, const expr::Value::Map& variables,
                        const std::function<bool(const Measurement&)>& right) {
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto m = provider.Measure(RequestFor(variables));
        if (m.ok() && right(*m)) ++succeeded;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return succeeded;
}

TEST(ProviderThreads, OneProviderMeasuresFromManyThreads) {
  FakeSource source({"/api/v1/query", "/healthz"});
  source.Answer(200, R"({"status":"success","data":{"resultType":"scalar","result":[1,"2.5"]}})");
  const expr::Value::Map variables = {{"revision", "canary"}};

  PrometheusProviderOptions prometheus;
  prometheus.address = source.base_url();
  prometheus.query = "x{rev=\"${{ revision }}\"}";
  auto query = MakePrometheusProvider(prometheus);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(
      SucceededInParallel(**query, variables, [](const Measurement& m) { return m.value == 2.5; }),
      30);

  HttpCheckOptions check;
  check.url = source.base_url() + "/healthz?rev=${{ revision }}";
  auto http = MakeHttpCheckProvider(check);
  ASSERT_TRUE(http.ok());
  EXPECT_EQ(SucceededInParallel(**http, variables,
                                [](const Measurement& m) {
                                  return m.result.as_map().at("ok") == expr::Value(true);
                                }),
            30);

  ExecProviderOptions exec;
  exec.command = "test \"$SLIPWAY_REVISION\" = canary && echo $$";  // its own pid
  auto command = MakeExecProvider(exec);
  ASSERT_TRUE(command.ok());
  EXPECT_EQ(
      SucceededInParallel(**command, variables, [](const Measurement& m) { return m.value > 1; }),
      30);
}

}  // namespace
}  // namespace slipway::verify::testing
