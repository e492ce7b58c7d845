#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "strata/memory_allocator.h"
#include "util/allocated_memory.h"

namespace strata {
namespace {

constexpr size_t kKiB = 1024;

// Whether the page holding `p` is resident (mincore).
bool PageResident(const void* p) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* base = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(p) /
                                       page * page);
  unsigned char vec = 0;
  EXPECT_EQ(0, mincore(base, page, &vec));
  return (vec & 1) != 0;
}

TEST(BlockMemoryPoolTest, SlotsAreSixtyFourByteMultiplesAndAligned) {
  auto pool = NewBlockMemoryPool();
  EXPECT_EQ(64u, pool->UsableSize(1));
  EXPECT_EQ(64u, pool->UsableSize(64));
  EXPECT_EQ(4160u, pool->UsableSize(4097));
  std::vector<std::pair<void*, size_t>> live;
  for (size_t size : {1u, 63u, 100u, 4096u, 4101u, 9000u}) {
    void* p = pool->Allocate(size);
    EXPECT_EQ(0u, reinterpret_cast<uintptr_t>(p) % 64) << size;
    std::memset(p, 0xab, size);
    live.emplace_back(p, size);
  }
  EXPECT_EQ(64u + 64 + 128 + 4096 + 4160 + 9024,
            pool->GetStats().allocated_bytes);
  for (auto [p, size] : live) pool->Deallocate(p, size);
  EXPECT_EQ(0u, pool->GetStats().allocated_bytes);
}

TEST(BlockMemoryPoolTest, AFreedSlotServesTheNextRequestOfItsClassOnly) {
  auto pool = NewBlockMemoryPool();
  void* a = pool->Allocate(4101);
  pool->Deallocate(a, 4101);
  EXPECT_EQ(4160u, pool->GetStats().free_bytes);
  // Another size class: a fresh slot.
  void* b = pool->Allocate(4000);
  EXPECT_NE(a, b);
  // The same class (4097..4160 bytes): the freed slot.
  void* c = pool->Allocate(4150);
  EXPECT_EQ(a, c);
  EXPECT_EQ(0u, pool->GetStats().free_bytes);
  pool->Deallocate(b, 4000);
  pool->Deallocate(c, 4150);
}

TEST(BlockMemoryPoolTest, ChunksStartSmallAndDoubleUpToTheMaximum) {
  BlockMemoryPoolOptions options;
  options.max_chunk_bytes = 1024 * kKiB;
  auto pool = NewBlockMemoryPool(options);
  EXPECT_EQ(0u, pool->GetStats().chunk_bytes);
  std::vector<void*> live;
  live.push_back(pool->Allocate(4096));
  EXPECT_EQ(256 * kKiB, pool->GetStats().chunk_bytes);
  // Fill the first chunk exactly; the next slot needs a 512 KiB chunk.
  while (pool->GetStats().allocated_bytes < 256 * kKiB) {
    live.push_back(pool->Allocate(4096));
  }
  EXPECT_EQ(256 * kKiB, pool->GetStats().chunk_bytes);
  live.push_back(pool->Allocate(4096));
  EXPECT_EQ(768 * kKiB, pool->GetStats().chunk_bytes);
  while (pool->GetStats().allocated_bytes < 768 * kKiB) {
    live.push_back(pool->Allocate(4096));
  }
  live.push_back(pool->Allocate(4096));
  EXPECT_EQ(1792 * kKiB, pool->GetStats().chunk_bytes);
  while (pool->GetStats().allocated_bytes < 1792 * kKiB) {
    live.push_back(pool->Allocate(4096));
  }
  live.push_back(pool->Allocate(4096));  // Capped at 1 MiB.
  EXPECT_EQ(2816 * kKiB, pool->GetStats().chunk_bytes);
  for (void* p : live) pool->Deallocate(p, 4096);
}

TEST(BlockMemoryPoolTest, LargeRequestsGoToMalloc) {
  BlockMemoryPoolOptions options;
  options.max_pooled_bytes = 16 * kKiB;
  auto pool = NewBlockMemoryPool(options);
  void* big = pool->Allocate(16 * kKiB + 1);
  std::memset(big, 1, 16 * kKiB + 1);
  const BlockMemoryPool::Stats stats = pool->GetStats();
  EXPECT_EQ(1u, stats.large_allocations);
  EXPECT_EQ(0u, stats.chunk_bytes);
  EXPECT_EQ(0u, stats.allocated_bytes);
  EXPECT_EQ(16 * kKiB + 1, pool->UsableSize(16 * kKiB + 1));
  pool->Deallocate(big, 16 * kKiB + 1);
  EXPECT_EQ(0u, pool->GetStats().free_bytes);
}

TEST(BlockMemoryPoolTest, FreeSlotsBeyondTheBudgetGiveTheirPagesBack) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  BlockMemoryPoolOptions options;
  options.max_resident_free_bytes = 4 * page;
  auto pool = NewBlockMemoryPool(options);
  const size_t size = 4 * page;  // Always holds 3 whole pages past a header.
  char* kept = static_cast<char*>(pool->Allocate(size));
  char* released = static_cast<char*>(pool->Allocate(size));
  std::memset(kept, 7, size);
  std::memset(released, 7, size);
  char* probe_kept = kept + 2 * page;
  char* probe_released = released + 2 * page;
  pool->Deallocate(kept, size);  // Within the budget: stays resident.
  pool->Deallocate(released, size);  // Beyond it: pages go.
  BlockMemoryPool::Stats stats = pool->GetStats();
  EXPECT_EQ(2 * size, stats.free_bytes);
  EXPECT_EQ(size, stats.released_bytes);
  EXPECT_TRUE(PageResident(probe_kept));
  EXPECT_FALSE(PageResident(probe_released));

  // Both slots are served again (most recently freed first), and a released
  // one is as usable as any.
  char* again = static_cast<char*>(pool->Allocate(size));
  EXPECT_EQ(released, again);
  EXPECT_EQ(0u, pool->GetStats().released_bytes);
  std::memset(again, 9, size);
  EXPECT_EQ(9, again[size - 1]);
  char* again2 = static_cast<char*>(pool->Allocate(size));
  EXPECT_EQ(kept, again2);
  stats = pool->GetStats();
  EXPECT_EQ(0u, stats.free_bytes);
  EXPECT_EQ(2 * size, stats.allocated_bytes);
  pool->Deallocate(again, size);
  pool->Deallocate(again2, size);
}

TEST(BlockMemoryPoolTest, ABlockKeepsItsPoolAlive) {
  auto pool = NewBlockMemoryPool();
  std::weak_ptr<BlockMemoryPool> watch = pool;
  AllocatedMemory block(pool, 5000);
  std::memset(block.data(), 3, block.size());
  pool.reset();
  EXPECT_FALSE(watch.expired());
  AllocatedMemory moved = std::move(block);
  EXPECT_EQ(nullptr, block.data());
  EXPECT_EQ(3, moved.data()[4999]);
  moved.Reset();
  EXPECT_TRUE(watch.expired());
}

// Threads allocate, fill, check and free blocks of mixed sizes: no block is
// handed out twice, and the books balance at the end.
TEST(BlockMemoryPoolTest, ConcurrentUseKeepsBlocksApartAndTheBooksBalanced) {
  BlockMemoryPoolOptions options;
  options.max_resident_free_bytes = 64 * kKiB;  // Exercise page release too.
  auto pool = NewBlockMemoryPool(options);
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&pool, t] {
      std::mt19937 rnd(static_cast<uint32_t>(t));
      std::vector<std::pair<char*, size_t>> live;
      for (int i = 0; i < 20000; ++i) {
        if (live.size() < 64 && (live.empty() || rnd() % 3 != 0)) {
          const size_t size = 1 + rnd() % (12 * kKiB);
          char* p = static_cast<char*>(pool->Allocate(size));
          std::memset(p, static_cast<char>(t + 1), size);
          live.emplace_back(p, size);
        } else {
          const size_t at = rnd() % live.size();
          auto [p, size] = live[at];
          for (size_t j = 0; j < size; j += 257) {
            ASSERT_EQ(static_cast<char>(t + 1), p[j]);
          }
          ASSERT_EQ(static_cast<char>(t + 1), p[size - 1]);
          pool->Deallocate(p, size);
          live[at] = live.back();
          live.pop_back();
        }
      }
      for (auto [p, size] : live) pool->Deallocate(p, size);
    });
  }
  for (std::thread& t : threads) t.join();
  const BlockMemoryPool::Stats stats = pool->GetStats();
  EXPECT_EQ(0u, stats.allocated_bytes);
  EXPECT_GT(stats.free_bytes, 0u);
  EXPECT_LE(stats.free_bytes, stats.chunk_bytes);
  EXPECT_LE(stats.free_bytes - stats.released_bytes,
            64 * kKiB + 12 * kKiB * kThreads);
}

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer a freed block and the end of a slot past the
// request are poisoned: a read after eviction is reported.
TEST(BlockMemoryPoolDeathTest, UseAfterFreeIsReportedUnderAsan) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto pool = NewBlockMemoryPool();
  char* p = static_cast<char*>(pool->Allocate(4101));
  std::memset(p, 1, 4101);
  pool->Deallocate(p, 4101);
  EXPECT_DEATH({ [[maybe_unused]] volatile char c = p[100]; }, "poison");
  char* q = static_cast<char*>(pool->Allocate(4101));
  EXPECT_DEATH({ [[maybe_unused]] volatile char c = q[4101]; }, "poison");
  pool->Deallocate(q, 4101);
}
#endif

}  // namespace
}  // namespace strata
