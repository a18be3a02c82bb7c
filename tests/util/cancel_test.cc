#include "util/cancel.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <thread>
#include <vector>

namespace slipway {
namespace {

bool Readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

TEST(CancelTokenTest, StartsNotCancelledAndFdNotReadable) {
  CancelToken token;
  EXPECT_FALSE(token.cancelled());
  EXPECT_GE(token.wait_fd(), 0);
  EXPECT_FALSE(Readable(token.wait_fd()));
}

TEST(CancelTokenTest, CancelIsIdempotentAndFdStaysReadable) {
  CancelToken token;
  token.Cancel();
  token.Cancel();
  EXPECT_TRUE(token.cancelled());
  // Polling does not consume readiness: every poller keeps seeing it.
  EXPECT_TRUE(Readable(token.wait_fd()));
  EXPECT_TRUE(Readable(token.wait_fd()));
}

TEST(CancelTokenTest, WakesManyPollersOnOtherThreads) {
  CancelToken token;
  std::vector<std::thread> pollers;
  std::atomic<int> woken{0};
  for (int i = 0; i < 8; ++i) {
    pollers.emplace_back([&] {
      pollfd p{token.wait_fd(), POLLIN, 0};
      if (poll(&p, 1, 60000) == 1) woken.fetch_add(1);
    });
  }
  std::vector<std::thread> cancellers;
  for (int i = 0; i < 4; ++i) cancellers.emplace_back([&] { token.Cancel(); });
  for (auto& t : cancellers) t.join();
  for (auto& t : pollers) t.join();
  EXPECT_EQ(woken.load(), 8);
  EXPECT_TRUE(token.cancelled());
}

TEST(CancelTokenTest, WaitForEndsAtTheTimeoutOrAtTheCancel) {
  CancelToken token;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(token.WaitFor(std::chrono::milliseconds(50)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));

  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    token.Cancel();
  });
  EXPECT_TRUE(token.WaitFor(std::chrono::minutes(10)));  // returns at the cancel, not later
  token.Wait();                                          // already cancelled: returns at once
  canceller.join();
  EXPECT_TRUE(token.WaitFor(std::chrono::milliseconds(0)));
}

}  // namespace
}  // namespace slipway
