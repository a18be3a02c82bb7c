// Cross-check of MannWhitneyU and FisherExact against the reference: scipy 1.10, unpacked by
// scripts/setup into <source>/.deps/python. Cases are generated here (seeded), written as JSON,
// and answered by one python process; U must agree exactly and p within 1e-9.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "verify/verify.h"

namespace slipway::verify {
namespace {

using nlohmann::json;

// Reads cases, answers each with scipy; exit 3 when scipy cannot be imported.
constexpr const char* kScript = R"(
import json, sys
try:
    import numpy
    from scipy import stats
except Exception as e:
    print("cannot import scipy: %s" % e)
    sys.exit(3)
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    if c["kind"] == "mwu":
        r = stats.mannwhitneyu(c["x"], c["y"], use_continuity=c["continuity"],
                               alternative=c["alternative"], method=c["method"])
        out.append([float(r.statistic), float(r.pvalue)])
    else:
        r = stats.fisher_exact(c["table"], alternative=c["alternative"])
        odds = float(r[0])
        out.append([odds if numpy.isfinite(odds) else None, float(r[1])])
json.dump(out, open(sys.argv[2], "w"))
)";

const char* AlternativeName(Alternative a) {
  return a == Alternative::kLess ? "less" : a == Alternative::kGreater ? "greater" : "two-sided";
}
const char* MethodName(RankMethod m) {
  return m == RankMethod::kExact ? "exact" : m == RankMethod::kAsymptotic ? "asymptotic" : "auto";
}

struct RankCase {
  std::vector<double> x, y;
  Alternative alternative;
  RankMethod method;
  bool continuity;
};

struct TableCase {
  uint64_t a, b, c, d;
  Alternative alternative;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}
  // Continuous values (no ties with probability 1), or integers in [0, levels) (many ties).
  std::vector<double> Sample(int size, int levels, double shift) {
    std::vector<double> v;
    std::normal_distribution<double> normal(shift, 1);
    std::uniform_int_distribution<int> level(0, levels - 1);
    for (int i = 0; i < size; ++i) {
      v.push_back(levels > 0 ? level(rng_) + (shift > 0 ? 1 : 0) : normal(rng_));
    }
    return v;
  }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

 private:
  std::mt19937 rng_;
};

std::vector<RankCase> RankCases() {
  Generator gen(20261127);
  std::vector<RankCase> cases;
  const Alternative alternatives[] = {Alternative::kTwoSided, Alternative::kLess,
                                      Alternative::kGreater};
  for (Alternative alt : alternatives) {
    // Every small size pair, no ties and with ties, default method (exact / asymptotic).
    for (int n1 = 1; n1 <= 10; ++n1) {
      for (int n2 = 1; n2 <= 10; ++n2) {
        const double shift = (n1 + n2) % 3 == 0 ? 1.0 : 0.0;
        cases.push_back(
            {gen.Sample(n1, 0, shift), gen.Sample(n2, 0, 0), alt, RankMethod::kAuto, true});
        cases.push_back({gen.Sample(n1, 3, shift), gen.Sample(n2, 3, 0), alt, RankMethod::kAuto,
                         (n1 + n2) % 2 == 0});
        cases.push_back({gen.Sample(n1, 0, shift), gen.Sample(n2, 0, 0), alt,
                         RankMethod::kAsymptotic, n1 % 2 == 0});
      }
    }
    // Exact on larger samples, including one tiny and one large.
    for (int i = 0; i < 12; ++i) {
      const int n1 = gen.Uniform(1, 30), n2 = i < 6 ? gen.Uniform(1, 30) : gen.Uniform(100, 200);
      cases.push_back(
          {gen.Sample(n1, 0, 0.3 * (i % 3)), gen.Sample(n2, 0, 0), alt, RankMethod::kExact, true});
    }
    // Up to 200 values: continuous and integer-valued, continuity on and off.
    for (int i = 0; i < 40; ++i) {
      const int n1 = gen.Uniform(9, 200), n2 = gen.Uniform(9, 200);
      const int levels = i % 4 == 0 ? 0 : i % 4 == 1 ? 2 : i % 4 == 2 ? 5 : 40;
      cases.push_back({gen.Sample(n1, levels, i % 5 == 0 ? 0.2 : 0.0), gen.Sample(n2, levels, 0),
                       alt, RankMethod::kAuto, i % 2 == 0});
    }
    // All values tied (the variance is 0): scipy gives 1 with the continuity correction.
    cases.push_back({{3, 3, 3}, {3, 3}, alt, RankMethod::kAuto, true});
  }
  return cases;
}

std::vector<TableCase> TableCases() {
  Generator gen(7);
  std::vector<TableCase> cases;
  for (Alternative alt : {Alternative::kTwoSided, Alternative::kLess, Alternative::kGreater}) {
    for (int i = 0; i < 60; ++i) {
      const int scale = i < 20 ? 6 : i < 40 ? 60 : 2000;
      cases.push_back({uint64_t(gen.Uniform(0, scale / 3)), uint64_t(gen.Uniform(0, scale)),
                       uint64_t(gen.Uniform(0, scale / 3)), uint64_t(gen.Uniform(0, scale)), alt});
    }
    cases.push_back({0, 0, 3, 4, alt});    // a zero row: p = 1
    cases.push_back({5, 5, 5, 5, alt});    // symmetric: the observed table is the mode
    cases.push_back({1, 99, 5, 95, alt});  // a sparse error regression
  }
  return cases;
}

struct Answers {
  std::vector<std::pair<double, double>> rows;
  std::string error;
};

Answers AskScipy(const json& cases) {
  namespace fs = std::filesystem;
  char pattern[] = "/tmp/slipway-scipy-XXXXXX";
  const char* dir_name = mkdtemp(pattern);
  if (dir_name == nullptr) return {{}, "cannot make a temp dir"};
  const fs::path dir(dir_name);
  std::ofstream(dir / "check.py") << kScript;
  std::ofstream(dir / "cases.json") << cases.dump();
  const std::string command =
      "PYTHONPATH='" SLIPWAY_SOURCE_DIR "/.deps/python' /usr/bin/python3 '" +
      (dir / "check.py").string() + "' '" + (dir / "cases.json").string() + "' '" +
      (dir / "answers.json").string() + "' > '" + (dir / "log").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::stringstream log;
  log << std::ifstream(dir / "log").rdbuf();
  Answers answers;
  if (status != 0) {
    answers.error = "python with scipy failed (run scripts/setup to unpack scipy into " +
                    std::string(SLIPWAY_SOURCE_DIR) + "/.deps/python): " + log.str();
  } else {
    const json out = json::parse(std::ifstream(dir / "answers.json"));
    for (const auto& row : out) {
      // Fisher's odds ratio is null when infinite or NaN (JSON has neither).
      answers.rows.emplace_back(row[0].is_null() ? NAN : row[0].get<double>(), row[1]);
    }
  }
  fs::remove_all(dir);
  return answers;
}

TEST(MannWhitneyScipyTest, AgreesWithScipyOnGeneratedSamples) {
  const std::vector<RankCase> rank_cases = RankCases();
  const std::vector<TableCase> table_cases = TableCases();
  json cases = json::array();
  for (const RankCase& c : rank_cases) {
    cases.push_back({{"kind", "mwu"},
                     {"x", c.x},
                     {"y", c.y},
                     {"alternative", AlternativeName(c.alternative)},
                     {"method", MethodName(c.method)},
                     {"continuity", c.continuity}});
  }
  for (const TableCase& c : table_cases) {
    cases.push_back({{"kind", "fisher"},
                     {"table", {{c.a, c.b}, {c.c, c.d}}},
                     {"alternative", AlternativeName(c.alternative)}});
  }
  const Answers answers = AskScipy(cases);
  ASSERT_TRUE(answers.error.empty()) << answers.error;
  ASSERT_EQ(answers.rows.size(), cases.size());

  int exact = 0, asymptotic = 0;
  for (size_t i = 0; i < rank_cases.size(); ++i) {
    const RankCase& c = rank_cases[i];
    auto ours = MannWhitneyU(c.x, c.y, c.alternative, c.method, c.continuity);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString() << " case " << cases[i].dump();
    (ours->exact ? exact : asymptotic)++;
    EXPECT_EQ(ours->u, answers.rows[i].first) << "case " << cases[i].dump();
    EXPECT_NEAR(ours->p_value, answers.rows[i].second, 1e-9) << "case " << cases[i].dump();
  }
  // Both branches were really exercised.
  EXPECT_GT(exact, 300);
  EXPECT_GT(asymptotic, 600);
  for (size_t j = 0; j < table_cases.size(); ++j) {
    const TableCase& c = table_cases[j];
    const size_t i = rank_cases.size() + j;
    auto ours = FisherExact(c.a, c.b, c.c, c.d, c.alternative);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    EXPECT_NEAR(ours->p_value, answers.rows[i].second, 1e-9) << "case " << cases[i].dump();
    if (std::isfinite(answers.rows[i].first)) {
      EXPECT_DOUBLE_EQ(ours->odds_ratio, answers.rows[i].first) << "case " << cases[i].dump();
    }
  }
}

}  // namespace
}  // namespace slipway::verify
