#include "strata/env.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(ManualClockTest, MovesOnlyWhenTold) {
  ManualClock clock(1000);
  EXPECT_EQ(clock.NowMicros(), 1000u);
  EXPECT_EQ(clock.NowNanos(), 1000000u);
  clock.Advance(500);
  EXPECT_EQ(clock.NowMicros(), 1500u);
  clock.SleepForMicros(2500);  // Advances instead of sleeping.
  EXPECT_EQ(clock.NowMicros(), 4000u);
  clock.Set(10000);
  EXPECT_EQ(clock.NowMicros(), 10000u);
}

TEST(SystemClockTest, MonotonicNanosNeverGoBack) {
  Clock* clock = SystemClock();
  uint64_t prev = clock->NowNanos();
  for (int i = 0; i < 1000; ++i) {
    uint64_t now = clock->NowNanos();
    ASSERT_GE(now, prev);
    prev = now;
  }
  // Wall clock is after 2020-01-01.
  EXPECT_GT(clock->NowMicros(), 1577836800000000ull);
}

TEST(EnvTest, BundlesFileSystemClockAndPool) {
  ManualClock clock;
  Env env(nullptr, &clock);
  EXPECT_EQ(env.clock(), &clock);
  EXPECT_EQ(env.file_system(), nullptr);
  EXPECT_EQ(env.thread_pool()->num_threads(), 0);
  int ran = 0;
  env.thread_pool()->Schedule([&] { ++ran; });
  env.thread_pool()->SetBackgroundThreads(1);
  env.thread_pool()->WaitForJobs();
  EXPECT_EQ(ran, 1);
}

TEST(EnvTest, DefaultUsesRealFileSystemAndSystemClock) {
  Env* env = Env::Default();
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env, Env::Default());
  EXPECT_EQ(env->clock(), SystemClock());
  ASSERT_NE(env->file_system(), nullptr);
  EXPECT_STREQ(env->file_system()->Name(), "PosixFileSystem");
}

TEST(FileKindTest, EveryKindHasADistinctName) {
  std::set<std::string> names;
  for (int k = 0; k < kNumFileKinds; ++k) {
    names.insert(FileKindName(static_cast<FileKind>(k)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kNumFileKinds));
  EXPECT_STREQ(FileKindName(FileKind::kWal), "wal");
  EXPECT_STREQ(IOModeName(IOMode::kDirect), "direct");
}

}  // namespace
}  // namespace strata
