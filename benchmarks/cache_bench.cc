// cache_bench: the LRU block cache (util/lru_cache.h) on its hot paths.
//
//   cache_bench [google benchmark flags]
//
// BM_LookupHit/<num_shard_bits>/threads:N: Lookup + release of keys that are
//   all in the cache (8192 entries of 4 KiB charge in 64 MiB), as a table
//   reader does for a hot data block; -1 shard bits is the default (64
//   shards), 0 a single shard, to show what sharding buys under contention.
//   items/s is lookups per second over all threads.
// BM_InsertEvict/threads:N: inserts of new keys into a full 8 MiB cache
//   (4 KiB charge), so that every insert evicts one entry; includes
//   allocating and destroying the small value object. items/s is inserts.
// Keys look like table readers' block keys: an 8-byte cache id, then the
// varint block offset.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strata/cache.h"
#include "util/coding.h"

namespace strata {
namespace {

constexpr size_t kBlockCharge = 4096;

struct FakeBlock {
  explicit FakeBlock(uint64_t block_offset) : offset(block_offset) {}
  uint64_t offset;
};

std::string BlockKey(uint64_t cache_id, uint64_t offset) {
  std::string key;
  PutFixed64(&key, cache_id);
  PutVarint64(&key, offset);
  return key;
}

// Shared by the threads of one run: set up and torn down by thread 0 (the
// benchmark library starts and ends the timed loop of all threads together).
std::shared_ptr<Cache> g_cache;
std::vector<std::string> g_keys;

void BM_LookupHit(benchmark::State& state) {
  constexpr size_t kEntries = 8192;
  if (state.thread_index() == 0) {
    g_cache = NewLRUCache(size_t{64} << 20, static_cast<int>(state.range(0)));
    const uint64_t id = g_cache->NewId();
    g_keys.clear();
    for (size_t i = 0; i < kEntries; ++i) {
      g_keys.push_back(BlockKey(id, i * kBlockCharge));
      auto block = std::make_unique<FakeBlock>(i * kBlockCharge);
      if (!g_cache->Insert(g_keys.back(), &block, kBlockCharge).ok()) {
        state.SkipWithError("insert failed");
      }
    }
  }
  // Threads walk the keys with a large odd stride from different starts.
  size_t index = static_cast<size_t>(state.thread_index()) * 4099;
  uint64_t misses = 0;
  for (auto _ : state) {
    index = (index + 7919) % kEntries;
    CacheHandle handle = g_cache->Lookup(g_keys[index]);
    const FakeBlock* block = handle.value<FakeBlock>();
    benchmark::DoNotOptimize(block);
    misses += block == nullptr;
  }
  if (misses != 0) {
    state.SkipWithError("unexpected miss");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    g_cache.reset();
  }
}
BENCHMARK(BM_LookupHit)->Arg(-1)->Arg(0)->Threads(1)->Threads(2)->UseRealTime();

void BM_InsertEvict(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_cache = NewLRUCache(size_t{8} << 20);
  }
  // Distinct keys per thread and per run: every insert is of a new block.
  uint64_t offset = 0;
  uint64_t failures = 0;
  std::string key;
  const uint64_t id = static_cast<uint64_t>(state.thread_index()) + 1;
  for (auto _ : state) {
    key = BlockKey(id, offset);
    auto block = std::make_unique<FakeBlock>(offset);
    failures += !g_cache->Insert(key, &block, kBlockCharge).ok();
    offset += kBlockCharge;
  }
  if (failures != 0) {
    state.SkipWithError("insert failed");
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    g_cache.reset();
  }
}
BENCHMARK(BM_InsertEvict)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace strata

BENCHMARK_MAIN();
