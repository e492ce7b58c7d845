#include "strata/thread_pool.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ThreadPoolTest, StartsWithoutThreadsAndQueuesJobs) {
  ThreadPool pool;
  EXPECT_EQ(pool.num_threads(), 0);
  std::atomic<int> ran{0};
  pool.Schedule([&] { ran.fetch_add(1); });
  pool.Schedule([&] { ran.fetch_add(1); });
  EXPECT_EQ(pool.queue_length(), 2u);
  EXPECT_EQ(ran.load(), 0);
  pool.SetBackgroundThreads(1);
  pool.WaitForJobs();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_EQ(pool.queue_length(), 0u);
}

TEST(ThreadPoolTest, RunsJobsInFifoOrderOnOneThread) {
  ThreadPool pool;
  std::vector<int> order;
  std::mutex mu;
  for (int i = 0; i < 100; ++i) {
    pool.Schedule([&, i] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
    });
  }
  pool.SetBackgroundThreads(1);
  pool.WaitForJobs();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(order[i], i);
  }
}

TEST(ThreadPoolTest, UsesSeveralThreads) {
  ThreadPool pool;
  pool.SetBackgroundThreads(3);
  EXPECT_EQ(pool.num_threads(), 3);
  // Three jobs that each wait for the others prove three run at once.
  std::atomic<int> arrived{0};
  std::mutex mu;
  std::set<std::thread::id> ids;
  for (int i = 0; i < 3; ++i) {
    pool.Schedule([&] {
      arrived.fetch_add(1);
      while (arrived.load() < 3) {
        std::this_thread::yield();
      }
      std::lock_guard<std::mutex> lock(mu);
      ids.insert(std::this_thread::get_id());
    });
  }
  pool.WaitForJobs();
  EXPECT_EQ(ids.size(), 3u);
}

TEST(ThreadPoolTest, ShrinkingKeepsRunningQueuedJobs) {
  ThreadPool pool;
  pool.SetBackgroundThreads(4);
  pool.SetBackgroundThreads(1);
  EXPECT_EQ(pool.num_threads(), 1);
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i) {
    pool.Schedule([&] { ran.fetch_add(1); });
  }
  pool.WaitForJobs();
  EXPECT_EQ(ran.load(), 10);
}

TEST(ThreadPoolTest, JobsMayScheduleJobs) {
  ThreadPool pool;
  pool.SetBackgroundThreads(2);
  std::atomic<int> ran{0};
  pool.Schedule([&] {
    ran.fetch_add(1);
    pool.Schedule([&] { ran.fetch_add(1); });
  });
  // The inner job is queued before the outer one finishes, so WaitForJobs
  // cannot return between them.
  pool.WaitForJobs();
  EXPECT_EQ(ran.load(), 2);
}

TEST(ThreadPoolTest, DestructorRunsJobsQueuedWithoutThreads) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool;
    pool.Schedule([&] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace strata
