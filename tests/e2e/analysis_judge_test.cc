// `slipway analysis judge` as a user runs it: recorded samples in, a verdict with its numbers
// out (text and --json), and clear errors for bad files and flags.
#include <cmath>
#include <random>

#include "e2e/e2e_util.h"

namespace slipway::e2e {
namespace {

class AnalysisJudge : public E2eTest {
 protected:
  // Writes `n` log-normal latencies around `median` (seeded) with a comment and a blank line.
  std::string Latencies(const std::string& name, int n, double median, uint32_t seed) {
    std::mt19937 rng(seed);
    std::lognormal_distribution<double> dist(std::log(median), 0.3);
    std::string text = "# latency in ms\n\n";
    for (int i = 0; i < n; ++i) text += std::to_string(dist(rng)) + "\n";
    Write(name, text);
    return (repo_ / name).string();
  }
};

TEST_F(AnalysisJudge, SlowerCanaryFailsWithItsNumbers) {
  const std::string baseline = Latencies("baseline.txt", 150, 100, 1);
  const std::string canary = Latencies("canary.txt", 150, 130, 2);
  const Outcome text = Slipway({"analysis", "judge", "--baseline", baseline, "--canary", canary});
  EXPECT_EQ(text.exit_code, 0) << text.all();
  EXPECT_CONTAINS(text.out, "verdict: fail (score 0)");
  EXPECT_CONTAINS(text.out, "baseline  n 150, median");
  EXPECT_CONTAINS(text.out, "(95% interval +");
  EXPECT_CONTAINS(text.out, "beyond +10.0% allowed");

  const Outcome json =
      Slipway({"analysis", "judge", "--baseline", baseline, "--canary", canary, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.all();
  ASSERT_TRUE(json.json.is_object()) << json.out;
  EXPECT_EQ(json.json["outcome"], "fail");
  const Json& metric = json.json["metrics"][0];
  EXPECT_EQ(metric["outcome"], "fail");
  EXPECT_EQ(metric["test"], "mann-whitney asymptotic");
  EXPECT_EQ(metric["baseline_n"], 150);
  EXPECT_GT(metric["u"].get<double>(), 150 * 150 / 2);
  EXPECT_LT(metric["p_value"].get<double>(), 1e-6);
  EXPECT_LT(metric["effect_low"].get<double>(), metric["effect"].get<double>());
  EXPECT_GT(metric["canary_median"].get<double>(), metric["baseline_median"].get<double>());
}

TEST_F(AnalysisJudge, SameDistributionPassesAndToleranceAndDirectionMatter) {
  const std::string baseline = Latencies("baseline.txt", 100, 100, 3);
  const std::string same = Latencies("same.txt", 100, 100, 4);
  const std::string faster = Latencies("faster.txt", 100, 70, 5);
  const Outcome pass =
      Slipway({"analysis", "judge", "--baseline", baseline, "--canary", same, "--json"});
  EXPECT_EQ(pass.json["outcome"], "pass") << pass.out;
  EXPECT_EQ(pass.json["score"], 100);
  // Faster is fine when increases are bad, and a failure when decreases are.
  const Outcome up =
      Slipway({"analysis", "judge", "--baseline", baseline, "--canary", faster, "--json"});
  EXPECT_EQ(up.json["outcome"], "pass") << up.out;
  const Outcome down = Slipway({"analysis", "judge", "--baseline", baseline, "--canary", faster,
                                "--json", "--direction", "decrease"});
  EXPECT_EQ(down.json["outcome"], "fail") << down.out;
  // A 50% tolerance lets a 30% drop pass although it is significant.
  const Outcome tolerated =
      Slipway({"analysis", "judge", "--baseline", baseline, "--canary", faster, "--json",
               "--direction", "either", "--allowed-change", "0.5"});
  EXPECT_EQ(tolerated.json["outcome"], "pass") << tolerated.out;
  EXPECT_LT(tolerated.json["metrics"][0]["p_value"].get<double>(), 0.05);
}

TEST_F(AnalysisJudge, TooFewSamplesIsInconclusive) {
  const std::string baseline = Latencies("baseline.txt", 8, 100, 6);
  const std::string canary = Latencies("canary.txt", 8, 300, 7);
  const Outcome out = Slipway({"analysis", "judge", "--baseline", baseline, "--canary", canary});
  EXPECT_EQ(out.exit_code, 0) << out.all();
  EXPECT_CONTAINS(out.out, "verdict: inconclusive");
  EXPECT_CONTAINS(out.out, "too little data: 8 baseline and 8 canary samples");
  const Outcome fewer = Slipway({"analysis", "judge", "--baseline", baseline, "--canary", canary,
                                 "--min-samples", "5", "--json"});
  EXPECT_EQ(fewer.json["outcome"], "fail") << fewer.out;
  EXPECT_EQ(fewer.json["metrics"][0]["test"], "mann-whitney exact");
}

TEST_F(AnalysisJudge, CountsAreJudgedWithFishersTest) {
  Write("baseline.counts", "# errors requests, one line a minute\n10 1000\n12 1000 # spike\n");
  Write("canary.counts", "48 1000\n\n52 1000\n");
  const Outcome out = Slipway({"analysis", "judge", "--counts", "--name", "errors", "--baseline",
                               (repo_ / "baseline.counts").string(), "--canary",
                               (repo_ / "canary.counts").string(), "--json"});
  ASSERT_EQ(out.exit_code, 0) << out.all();
  const Json& metric = out.json["metrics"][0];
  EXPECT_EQ(out.json["outcome"], "fail");
  EXPECT_EQ(metric["name"], "errors");
  EXPECT_EQ(metric["test"], "fisher exact");
  EXPECT_EQ(metric["baseline_n"], 2000);
  EXPECT_DOUBLE_EQ(metric["canary_rate"].get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(metric["statistic"].get<double>(), 100);
}

TEST_F(AnalysisJudge, BadLinesAndMissingFilesAreNamed) {
  const std::string good = Latencies("good.txt", 30, 100, 8);
  Write("bad.txt", "1.5\n# fine\n2.5\n12ms\n");
  const Outcome bad =
      Slipway({"analysis", "judge", "--baseline", good, "--canary", (repo_ / "bad.txt").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_CONTAINS(bad.err, "bad.txt:4: '12ms' is not a number");
  EXPECT_EQ(bad.out, "");

  Write("bad.counts", "3 100\n7 5\n");
  const Outcome counts =
      Slipway({"analysis", "judge", "--counts", "--baseline", (repo_ / "bad.counts").string(),
               "--canary", (repo_ / "bad.counts").string()});
  EXPECT_EQ(counts.exit_code, 1);
  EXPECT_CONTAINS(counts.err, "bad.counts:2: 7 events out of 5: more events than the total");

  const Outcome missing = Slipway(
      {"analysis", "judge", "--baseline", good, "--canary", (repo_ / "missing.txt").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_CONTAINS(missing.err, "missing.txt");

  const Outcome no_canary = Slipway({"analysis", "judge", "--baseline", good});
  EXPECT_EQ(no_canary.exit_code, 2);
  EXPECT_CONTAINS(no_canary.err, "--canary FILE");
  const Outcome direction =
      Slipway({"analysis", "judge", "--baseline", good, "--canary", good, "--direction", "up"});
  EXPECT_EQ(direction.exit_code, 2);
  EXPECT_CONTAINS(direction.err, "'up' is not increase, decrease or either");
  const Outcome unknown = Slipway({"analysis", "jduge"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_CONTAINS(unknown.err, "unknown subcommand 'jduge'");
}

}  // namespace
}  // namespace slipway::e2e
