// Webhook deliveries are recorded with the run they start, in one transaction.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store_fixture.h"

namespace slipway::store::testing {
namespace {

class DeliveriesTest : public StoreTest {
 protected:
  store::Run PushRun(int64_t project_id) {
    store::Run r;
    r.project_id = project_id;
    r.trigger = "webhook";
    r.event = "push";
    r.ref = "refs/heads/main";
    r.commit = std::string(40, 'b');
    return r;
  }
  size_t RunCount() {
    auto runs = store().ListRuns({});
    EXPECT_TRUE(runs.ok());
    return runs.ok() ? runs->size() : 0;
  }
};
SLIPWAY_STORE_TEST_SUITE(DeliveriesTest);

TEST_P(DeliveriesTest, ADeliveryStartsOneRunPerProvider) {
  Project p = MakeProject("p");
  ASSERT_OK_AND_ASSIGN(store::Run first, store().CreateDeliveredRun({"github", "abc-1", At(1)},
                                                                    PushRun(p.id), {MakeJob(0)}));
  EXPECT_EQ(first.number, 1);
  EXPECT_EQ(first.delivery_id, "abc-1");
  ASSERT_OK_AND_ASSIGN(auto jobs, store().ListJobs(first.id));
  EXPECT_EQ(jobs.size(), 1u);

  auto repeat = store().CreateDeliveredRun({"github", "abc-1", At(2)}, PushRun(p.id), {});
  EXPECT_EQ(repeat.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(repeat.status().message().find("abc-1"), std::string::npos);
  EXPECT_EQ(RunCount(), 1u);
  // The store keeps working after a repeat (on PostgreSQL a failed statement would abort the
  // transaction; the repeat must not be one).
  ASSERT_OK(store().CreateDeliveredRun({"gitlab", "abc-1", At(3)}, PushRun(p.id), {}).status());
  ASSERT_OK(store().CreateDeliveredRun({"github", "abc-2", At(4)}, PushRun(p.id), {}).status());
  EXPECT_EQ(RunCount(), 3u);
  EXPECT_EQ(store().CreateDeliveredRun({"", "x", At(5)}, PushRun(p.id), {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store().CreateDeliveredRun({"github", "", At(5)}, PushRun(p.id), {}).status().code(),
            StatusCode::kInvalidArgument);
}

// A run that cannot be stored leaves its delivery unrecorded: the redelivery starts it.
TEST_P(DeliveriesTest, ADeliveryWhoseRunFailsIsNotRecorded) {
  Project p = MakeProject("p");
  auto failed = store().CreateDeliveredRun({"github", "d-1", At(1)}, PushRun(424242), {});
  EXPECT_EQ(failed.status().code(), StatusCode::kNotFound);
  auto bad_jobs = store().CreateDeliveredRun({"github", "d-1", At(1)}, PushRun(p.id),
                                             {MakeJob(0), MakeJob(0)});  // one index twice
  EXPECT_EQ(bad_jobs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunCount(), 0u);
  ASSERT_OK_AND_ASSIGN(store::Run run,
                       store().CreateDeliveredRun({"github", "d-1", At(2)}, PushRun(p.id), {}));
  EXPECT_EQ(run.number, 1);
}

TEST_P(DeliveriesTest, ConcurrentCopiesOfADeliveryStartOneRun) {
  Project p = MakeProject("p");
  constexpr int kCopies = 8;
  std::atomic<int> started{0}, repeats{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCopies; ++i) {
    threads.emplace_back([&] {
      auto run = store().CreateDeliveredRun({"github", "same", At(1)}, PushRun(p.id),
                                            {MakeJob(0), MakeJob(1)});
      if (run.ok()) ++started;
      if (run.status().code() == StatusCode::kAlreadyExists) ++repeats;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(started, 1);
  EXPECT_EQ(repeats, kCopies - 1);
  EXPECT_EQ(RunCount(), 1u);
}

}  // namespace
}  // namespace slipway::store::testing
