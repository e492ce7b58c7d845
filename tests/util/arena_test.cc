#include "util/arena.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "testutil/testutil.h"

namespace strata {
namespace {

TEST(ArenaTest, TakesNoMemoryUntilFirstRequest) {
  Arena arena;
  EXPECT_EQ(arena.MemoryUsage(), 0u);
  EXPECT_EQ(arena.block_bytes(), Arena::kDefaultBlockBytes);
}

TEST(ArenaTest, AllocateAlignedIsAlignedAfterOddSizes) {
  Arena arena(4096);
  test::Random rnd(301);
  for (int i = 0; i < 10000; ++i) {
    // Odd unaligned requests in between push the bump pointer off alignment.
    arena.Allocate(1 + rnd.Uniform(13));
    const size_t bytes = 1 + rnd.Uniform(i % 50 == 0 ? 3000 : 100);
    char* p = arena.AllocateAligned(bytes);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % Arena::kAlignment, 0u)
        << "request " << i << " of " << bytes << " bytes";
  }
  static_assert(Arena::kAlignment >= alignof(void*));
  static_assert(Arena::kAlignment >= alignof(uint64_t));
}

TEST(ArenaTest, AllocationsKeepTheirContents) {
  Arena arena(1024);
  test::Random rnd(302);
  std::vector<std::pair<char*, size_t>> allocations;
  for (int i = 0; i < 5000; ++i) {
    const size_t bytes = 1 + rnd.Uniform(i % 100 == 0 ? 5000 : 200);
    char* p =
        rnd.OneIn(2) ? arena.Allocate(bytes) : arena.AllocateAligned(bytes);
    std::memset(p, static_cast<char>(i), bytes);
    allocations.emplace_back(p, bytes);
  }
  for (size_t i = 0; i < allocations.size(); ++i) {
    const auto [p, bytes] = allocations[i];
    for (size_t j = 0; j < bytes; ++j) {
      ASSERT_EQ(p[j], static_cast<char>(i)) << "allocation " << i;
    }
  }
}

TEST(ArenaTest, SmallRequestsShareABlock) {
  Arena arena(4096);
  char* a = arena.Allocate(100);
  char* b = arena.Allocate(100);
  EXPECT_EQ(b, a + 100);
  EXPECT_EQ(arena.MemoryUsage(), 4096 + sizeof(char*));
}

TEST(ArenaTest, LargeRequestGetsItsOwnBlockAndKeepsTheCurrentOne) {
  Arena arena(4096);
  char* a = arena.Allocate(1000);
  arena.Allocate(1000);
  arena.Allocate(1000);
  arena.Allocate(500);
  const size_t before = arena.MemoryUsage();
  // Over a quarter of a block, and more than the 596 bytes left.
  arena.Allocate(4096 / 4 + 1);
  EXPECT_EQ(arena.MemoryUsage(), before + 4096 / 4 + 1 + sizeof(char*));
  // The current block was not abandoned.
  EXPECT_EQ(arena.Allocate(8), a + 3500);
  // Larger than a whole block works too.
  char* huge = arena.AllocateAligned(100000);
  std::memset(huge, 1, 100000);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(huge) % Arena::kAlignment, 0u);
}

TEST(ArenaTest, FullBlockStartsANewOne) {
  Arena arena(4096);
  for (int i = 0; i < 4; ++i) {
    arena.Allocate(1000);
  }
  EXPECT_EQ(arena.MemoryUsage(), 4096 + sizeof(char*));
  arena.Allocate(1000);  // 96 bytes left: a new block.
  EXPECT_EQ(arena.MemoryUsage(), 2 * (4096 + sizeof(char*)));
}

TEST(ArenaTest, MemoryUsageGrowsWithAllocation) {
  Arena arena;
  size_t total = 0;
  size_t last_usage = 0;
  for (int i = 0; i < 100000; ++i) {
    arena.AllocateAligned(104);  // A multiple of kAlignment: no padding.
    total += 104;
    const size_t usage = arena.MemoryUsage();
    ASSERT_GE(usage, total);
    ASSERT_GE(usage, last_usage);
    last_usage = usage;
  }
  // Little waste: block tails and the partly used last block.
  EXPECT_LE(last_usage, total + total / 100 + Arena::kDefaultBlockBytes);
}

TEST(ArenaTest, MemoryUsageIsReadableWhileAllocating) {
  Arena arena(4096);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    size_t last = 0;
    while (!done.load(std::memory_order_acquire)) {
      const size_t usage = arena.MemoryUsage();
      EXPECT_GE(usage, last);  // Never goes backwards.
      last = usage;
    }
  });
  for (int i = 0; i < 100000; ++i) {
    arena.Allocate(64);
  }
  done.store(true, std::memory_order_release);
  reader.join();
  EXPECT_GE(arena.MemoryUsage(), size_t{64} * 100000);
}

}  // namespace
}  // namespace strata
