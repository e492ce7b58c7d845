// LRUCache: the sharded LRU implementation of strata::Cache
// (include/strata/cache.h), made by NewLRUCache.
//
// Sharding: a 64-bit hash of the key picks one of 2^num_shard_bits shards by
// its top bits (the low bits pick the shard's hash bucket). Each shard has
// its own mutex, hash table, LRU lists, capacity (the total divided evenly,
// rounded up) and counters, so threads working on different shards never
// share a lock or a written cache line.
//
// Eviction within a shard: unpinned entries sit on two LRU lists. The
// high-priority pool list holds entries inserted with Priority::kHigh and
// entries hit at least once by Lookup, up to high_pri_pool_ratio of the
// shard's capacity; when it holds more, its least recently used entries move
// to the front of the low-priority list. Everything else goes on the
// low-priority list. Eviction takes the low list's least recently used entry
// first, and the high list's only when the low list is empty. So index and
// filter blocks outlive data blocks, and a scan of blocks read once cannot
// flush blocks that were hit (RocksDB's "midpoint insertion"). Pinned entries
// are on neither list.
//
// Thread-safety and ownership: as Cache. The per-shard accessors below take
// that shard's lock. Destroying an LRUCache while handles are outstanding is
// allowed: a shard with pinned entries then outlives the cache and is freed
// by the release of its last handle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "strata/cache.h"
#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class LRUCacheShard;  // Defined in lru_cache.cc.

class LRUCache final : public Cache {
 public:
  // REQUIRES: ValidateOptions(options) is OK and
  // options.num_shard_bits >= 0 (NewLRUCache resolves a negative one).
  explicit LRUCache(const LRUCacheOptions& options);
  ~LRUCache() override;

  CacheHandle Lookup(Slice key) override;
  void Erase(Slice key) override;
  void EraseUnRefEntries() override;
  void SetCapacity(size_t capacity) override;
  size_t GetCapacity() const override;
  void SetStrictCapacityLimit(bool strict_capacity_limit) override;
  bool HasStrictCapacityLimit() const override;
  size_t GetUsage() const override;
  size_t GetPinnedUsage() const override;
  CacheStats GetStats() const override;
  const char* Name() const override { return "LRUCache"; }

  int num_shard_bits() const { return num_shard_bits_; }
  size_t num_shards() const { return shards_.size(); }
  double high_pri_pool_ratio() const { return high_pri_pool_ratio_; }
  // The shard `key` belongs to.
  size_t ShardOf(Slice key) const;
  // One shard's figures. REQUIRES: shard < num_shards().
  size_t GetShardCapacity(size_t shard) const;
  size_t GetShardUsage(size_t shard) const;
  size_t GetShardEntryCount(size_t shard) const;  // Entries in the cache.
  // Charge of the unpinned entries on the shard's high-priority pool list.
  size_t GetShardHighPriPoolUsage(size_t shard) const;

  // RocksDB's default: one shard per 512 KiB of capacity, rounded down to a
  // power of two, between 1 and 64 shards.
  static int DefaultShardBits(size_t capacity);
  // OK, or InvalidArgument naming the bad field and its value.
  static Status ValidateOptions(const LRUCacheOptions& options);
  // The hash sharding and bucketing use (stable within a process only).
  static uint64_t HashKey(Slice key);

 protected:
  Status DoInsert(Slice key, CacheValue* value, size_t charge,
                  Priority priority, CacheHandle* handle) override;

 private:
  size_t ShardIndex(uint64_t hash) const;
  LRUCacheShard& ShardFor(uint64_t hash) const;
  size_t ShardCapacity(size_t capacity) const;

  const int num_shard_bits_;
  const double high_pri_pool_ratio_;
  // Each shard is its own allocation: it may outlive the cache (see above),
  // and it is aligned to its own cache lines. Never null while the cache
  // lives; the vector itself is never resized.
  std::vector<std::unique_ptr<LRUCacheShard>> shards_;

  // Serializes SetCapacity / SetStrictCapacityLimit, so that all shards
  // agree with the totals reported here.
  mutable std::mutex config_mutex_;
  size_t capacity_;             // Guarded by config_mutex_.
  bool strict_capacity_limit_;  // Guarded by config_mutex_.
};

}  // namespace strata
