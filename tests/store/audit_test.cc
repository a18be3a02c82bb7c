#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

class AuditTest : public StoreTest {
 protected:
  void AppendMany(int n) {
    for (int i = 0; i < n; ++i) {
      AuditRecord r;
      r.actor = "admin";
      r.action = "project.add";
      r.target = "project/p" + std::to_string(i);
      r.details_json = R"({"i": )" + std::to_string(i) + "}";
      r.time = At(1000 + i);
      ASSERT_OK(store().AppendAudit(r).status());
    }
  }
};
SLIPWAY_STORE_TEST_SUITE(AuditTest);

TEST_P(AuditTest, AppendBuildsAChain) {
  ASSERT_OK(VerifyAuditChain(store()));  // empty is intact
  AuditRecord r;
  r.actor = "admin";
  r.action = "token.create";
  r.target = "token/ci";
  r.time = At(1234);
  ASSERT_OK_AND_ASSIGN(AuditRecord first, store().AppendAudit(r));
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.prev_hash, std::string(64, '0'));
  EXPECT_EQ(first.details_json, "{}");
  EXPECT_EQ(first.hash, AuditHash(first));
  ASSERT_OK_AND_ASSIGN(AuditRecord second, store().AppendAudit(r));
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.prev_hash, first.hash);
  EXPECT_NE(second.hash, first.hash);

  AppendMany(20);
  ASSERT_OK_AND_ASSIGN(auto page, store().ListAudit(0, 5));
  ASSERT_EQ(page.size(), 5u);
  EXPECT_EQ(page[0].seq, 1);
  EXPECT_EQ(page[0].hash, first.hash);
  EXPECT_EQ(page[0].time, At(1234));
  EXPECT_EQ(page[0].target, "token/ci");
  ASSERT_OK_AND_ASSIGN(auto rest, store().ListAudit(20, 100));
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[1].seq, 22);
  ASSERT_OK(VerifyAuditChain(store()));
}

// The hash covers the details text exactly as stored, and clients re-verify records from the
// text the API returns: the store keeps one canonical text (compact JSON, keys sorted, UTF-8),
// whatever form the caller wrote, so a record always reads back the same way.
TEST_P(AuditTest, DetailsAreStoredCanonically) {
  AuditRecord r;
  r.actor = "system";
  r.action = "token.create";
  r.target = "token/initial-admin";
  r.time = At(1);
  r.details_json = R"({"role": "admin",  "reason":"first start", "n": [1, 2]})";
  ASSERT_OK_AND_ASSIGN(AuditRecord first, store().AppendAudit(r));
  EXPECT_EQ(first.details_json, R"({"n":[1,2],"reason":"first start","role":"admin"})");
  EXPECT_EQ(first.hash, AuditHash(first));
  r.details_json = "{\"name\": \"caf\u00e9 \\u2713\"}";
  ASSERT_OK_AND_ASSIGN(AuditRecord second, store().AppendAudit(r));
  EXPECT_EQ(second.details_json, "{\"name\":\"caf\u00e9 \u2713\"}");
  ASSERT_OK_AND_ASSIGN(auto stored, store().ListAudit(0, 10));
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].details_json, first.details_json);
  EXPECT_EQ(stored[1].details_json, second.details_json);
  ASSERT_OK(VerifyAuditChain(store()));

  for (const char* bad : {"not json", "[1, 2]", R"({"a": 1} trailing)"}) {
    r.details_json = bad;
    EXPECT_EQ(store().AppendAudit(r).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  ASSERT_OK_AND_ASSIGN(stored, store().ListAudit(0, 10));
  EXPECT_EQ(stored.size(), 2u);
}

TEST_P(AuditTest, ConcurrentAppendsFormOneChain) {
  constexpr int kThreads = 8, kEach = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AuditRecord r;
        r.actor = "thread" + std::to_string(t);
        r.action = "run.start";
        r.target = "run/" + std::to_string(i);
        EXPECT_OK(store().AppendAudit(r).status());
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_OK(VerifyAuditChain(store()));
  ASSERT_OK_AND_ASSIGN(auto all, store().ListAudit(0, 1000));
  ASSERT_EQ(all.size(), size_t{kThreads * kEach});
  EXPECT_EQ(all.back().seq, kThreads * kEach);
}

TEST_P(AuditTest, VerifyFindsAnEditedRecord) {
  AppendMany(10);
  ASSERT_OK(ExecSql("UPDATE audit SET actor = 'mallory' WHERE seq = 5"));
  Status s = VerifyAuditChain(store());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("seq 5"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("hash mismatch"), std::string::npos) << s.message();
}

TEST_P(AuditTest, VerifyFindsADeletedRecord) {
  AppendMany(10);
  ASSERT_OK(ExecSql("DELETE FROM audit WHERE seq = 5"));
  Status s = VerifyAuditChain(store());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("gap after 4"), std::string::npos) << s.message();
}

TEST_P(AuditTest, VerifyFindsASwappedPair) {
  AppendMany(10);
  // Records 3 and 4 trade places: each keeps its content and hashes, the seqs are exchanged.
  ASSERT_OK(
      ExecSql("UPDATE audit SET seq = -3 WHERE seq = 3; "
              "UPDATE audit SET seq = 3 WHERE seq = 4; "
              "UPDATE audit SET seq = 4 WHERE seq = -3"));
  Status s = VerifyAuditChain(store());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("seq 3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("prev_hash mismatch"), std::string::npos) << s.message();
}

TEST_P(AuditTest, VerifyFindsARecordReplacedWithAValidHash) {
  AppendMany(10);
  // A forger rewrites record 6 and recomputes its hash: record 7 no longer follows.
  ASSERT_OK_AND_ASSIGN(auto page, store().ListAudit(5, 1));
  AuditRecord forged = page.at(0);
  forged.actor = "mallory";
  forged.hash = AuditHash(forged);
  ASSERT_OK(
      ExecSql("UPDATE audit SET actor = 'mallory', hash = '" + forged.hash + "' WHERE seq = 6"));
  Status s = VerifyAuditChain(store());
  EXPECT_NE(s.message().find("seq 7"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("prev_hash mismatch"), std::string::npos) << s.message();
}

TEST(AuditHashTest, CoversEveryFieldUnambiguously) {
  AuditRecord r;
  r.seq = 1;
  r.time = At(1000);
  r.actor = "ab";
  r.action = "c";
  r.target = "t";
  r.prev_hash = std::string(64, '0');
  const std::string base = AuditHash(r);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(AuditHash(r), base);  // deterministic
  AuditRecord shifted = r;        // the same bytes split differently
  shifted.actor = "a";
  shifted.action = "bc";
  EXPECT_NE(AuditHash(shifted), base);
  std::set<std::string> hashes = {base};
  auto vary = [&](auto change) {
    AuditRecord v = r;
    change(v);
    EXPECT_TRUE(hashes.insert(AuditHash(v)).second);
  };
  vary([](AuditRecord& v) { v.seq = 2; });
  vary([](AuditRecord& v) { v.time = At(1001); });
  vary([](AuditRecord& v) { v.actor = "ax"; });
  vary([](AuditRecord& v) { v.action = "d"; });
  vary([](AuditRecord& v) { v.target = "u"; });
  vary([](AuditRecord& v) { v.details_json = "{\"a\":1}"; });
  vary([](AuditRecord& v) { v.prev_hash = std::string(64, '1'); });
  AuditRecord with_hash = r;  // the hash field itself is not an input
  with_hash.hash = "whatever";
  EXPECT_EQ(AuditHash(with_hash), base);
}

}  // namespace
}  // namespace slipway::store::testing
