#include "util/lru_cache.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "strata/cache.h"
#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr Cache::Priority kLow = Cache::Priority::kLow;
constexpr Cache::Priority kHigh = Cache::Priority::kHigh;

// Records the ids of destroyed values, in order: evictions are observed
// without lookups (which would change the LRU order).
class Tracker {
 public:
  void Record(int id) {
    std::lock_guard<std::mutex> lock(mu_);
    destroyed_.push_back(id);
  }
  std::vector<int> destroyed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return destroyed_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<int> destroyed_;
};

struct TrackedValue {
  TrackedValue(int value_id, Tracker* value_tracker)
      : id(value_id), tracker(value_tracker) {}
  ~TrackedValue() { tracker->Record(id); }
  TrackedValue(const TrackedValue&) = delete;
  TrackedValue& operator=(const TrackedValue&) = delete;
  const int id;
  Tracker* const tracker;
};

class LRUCacheTest : public ::testing::Test {
 protected:
  // One shard unless told otherwise, so that every entry competes. The
  // tests count charges exactly, so the cache's own memory per entry is not
  // charged (LRUCacheMetadataTest covers the default, which charges it).
  void NewCache(size_t capacity, double high_pri_pool_ratio = 0.0,
                bool strict = false, int num_shard_bits = 0,
                CacheMetadataChargePolicy metadata_charge_policy =
                    kDontChargeCacheMetadata) {
    LRUCacheOptions options;
    options.capacity = capacity;
    options.metadata_charge_policy = metadata_charge_policy;
    options.num_shard_bits = num_shard_bits;
    options.strict_capacity_limit = strict;
    options.high_pri_pool_ratio = high_pri_pool_ratio;
    std::shared_ptr<Cache> cache;
    ASSERT_OK(NewLRUCache(options, &cache));
    cache_ = std::dynamic_pointer_cast<LRUCache>(cache);
    ASSERT_NE(cache_, nullptr);
  }

  std::unique_ptr<TrackedValue> Make(int id) {
    return std::make_unique<TrackedValue>(id, &tracker_);
  }

  // Inserts value `id` under `key`, unpinned.
  void Insert(const std::string& key, int id, size_t charge = 1,
              Cache::Priority priority = kLow) {
    auto value = Make(id);
    ASSERT_OK(cache_->Insert(key, &value, charge, priority));
    EXPECT_EQ(value, nullptr);
  }
  void Insert(int key, int id, size_t charge = 1,
              Cache::Priority priority = kLow) {
    Insert(std::to_string(key), id, charge, priority);
  }
  // Inserts value `id` under `key` and keeps it pinned.
  CacheHandle InsertPinned(const std::string& key, int id, size_t charge = 1,
                           Cache::Priority priority = kLow) {
    auto value = Make(id);
    CacheHandle handle;
    EXPECT_OK(cache_->Insert(key, &value, charge, priority, &handle));
    EXPECT_TRUE(handle);
    return handle;
  }
  CacheHandle InsertPinned(int key, int id, size_t charge = 1) {
    return InsertPinned(std::to_string(key), id, charge);
  }

  // The id under `key`, or -1. Counts as a use of the entry.
  int Get(const std::string& key) {
    CacheHandle handle = cache_->Lookup(key);
    return handle ? handle.value<TrackedValue>()->id : -1;
  }
  int Get(int key) { return Get(std::to_string(key)); }

  Tracker tracker_;  // Outlives cache_ (declared first).
  std::shared_ptr<LRUCache> cache_;
};

TEST_F(LRUCacheTest, LookupFindsInsertedValueAndCountsHitsAndMisses) {
  NewCache(100);
  Insert(1, 101);
  Insert(2, 102);
  EXPECT_EQ(Get(1), 101);
  EXPECT_EQ(Get(2), 102);
  EXPECT_EQ(Get(3), -1);
  const CacheStats stats = cache_->GetStats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.inserts, 2u);
  EXPECT_EQ(stats.evictions, 0u);
  EXPECT_EQ(stats.insert_failures, 0u);
  EXPECT_EQ(cache_->GetUsage(), 2u);
  EXPECT_EQ(cache_->GetPinnedUsage(), 0u);
}

TEST_F(LRUCacheTest, EvictsLeastRecentlyUsedFirst) {
  NewCache(3);
  Insert(1, 1);
  Insert(2, 2);
  Insert(3, 3);
  EXPECT_EQ(Get(1), 1);  // 2 is now the least recently used.
  Insert(4, 4);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2));
  Insert(5, 5);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2, 3));
  Insert(6, 6);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2, 3, 1));
  EXPECT_EQ(cache_->GetStats().evictions, 3u);
}

TEST_F(LRUCacheTest, CapacityIsCountedInChargeBytes) {
  NewCache(100);
  Insert(1, 1, 30);
  Insert(2, 2, 30);
  Insert(3, 3, 30);
  EXPECT_EQ(cache_->GetUsage(), 90u);
  EXPECT_THAT(tracker_.destroyed(), IsEmpty());
  Insert(4, 4, 30);  // 120 > 100: the oldest goes.
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(cache_->GetUsage(), 90u);
  Insert(5, 5, 60);  // Needs two entries' room.
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1, 2, 3));
  EXPECT_EQ(cache_->GetUsage(), 90u);
}

TEST_F(LRUCacheTest, PinnedEntryIsNeverEvictedAndCountsAsPinned) {
  NewCache(2);
  CacheHandle pinned = InsertPinned(1, 1);
  EXPECT_EQ(cache_->GetUsage(), 1u);
  EXPECT_EQ(cache_->GetPinnedUsage(), 1u);
  Insert(2, 2);
  Insert(3, 3);  // 1 is older, but pinned: 2 goes.
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2));
  EXPECT_EQ(cache_->GetUsage(), 2u);
  EXPECT_EQ(cache_->GetPinnedUsage(), 1u);
  EXPECT_EQ(pinned.value<TrackedValue>()->id, 1);

  pinned.Reset();  // Back on the LRU list as its most recent entry.
  EXPECT_FALSE(pinned);
  EXPECT_EQ(cache_->GetPinnedUsage(), 0u);
  EXPECT_EQ(cache_->GetUsage(), 2u);
  Insert(4, 4);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2, 3));
}

TEST_F(LRUCacheTest, LookupHandlePinsEntry) {
  NewCache(1);
  Insert(1, 1);
  CacheHandle handle = cache_->Lookup("1");
  ASSERT_TRUE(handle);
  EXPECT_EQ(cache_->GetPinnedUsage(), 1u);
  Insert(2, 2);  // No room while 1 is pinned: 2 is dropped at once.
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2));
  EXPECT_EQ(handle.value<TrackedValue>()->id, 1);
  EXPECT_EQ(Get(2), -1);
  // Two handles on one entry: pinned usage counts it once.
  CacheHandle second = cache_->Lookup("1");
  EXPECT_EQ(cache_->GetPinnedUsage(), 1u);
  handle.Reset();
  EXPECT_EQ(cache_->GetPinnedUsage(), 1u);
  second.Reset();
  EXPECT_EQ(cache_->GetPinnedUsage(), 0u);
  EXPECT_EQ(Get(1), 1);
}

TEST_F(LRUCacheTest, StrictLimitRefusesInsertAndLeavesValueWithCaller) {
  NewCache(2, 0.0, /*strict=*/true);
  CacheHandle h1 = InsertPinned(1, 1);
  CacheHandle h2 = InsertPinned(2, 2);

  auto value = Make(3);
  CacheHandle h3;
  Status s = cache_->Insert("3", &value, 1, kLow, &h3);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(),
              HasSubstr("Insert failed due to LRU cache being full"));
  EXPECT_THAT(s.ToString(), HasSubstr("charge 1 bytes"));
  ASSERT_NE(value, nullptr);  // Still the caller's, usable uncached.
  EXPECT_EQ(value->id, 3);
  EXPECT_FALSE(h3);

  // Without a handle too.
  s = cache_->Insert("3", &value, 1);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ASSERT_NE(value, nullptr);

  EXPECT_EQ(cache_->GetUsage(), 2u);
  EXPECT_EQ(Get(3), -1);
  EXPECT_EQ(cache_->GetStats().insert_failures, 2u);
  EXPECT_EQ(cache_->GetStats().inserts, 2u);
  EXPECT_THAT(tracker_.destroyed(), IsEmpty());

  h1.Reset();  // Now 1 can be evicted to make room.
  ASSERT_OK(cache_->Insert("3", &value, 1));
  EXPECT_EQ(value, nullptr);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(Get(3), 3);
}

TEST_F(LRUCacheTest, StrictUsageNeverExceedsCapacity) {
  NewCache(10, 0.0, /*strict=*/true);
  std::vector<CacheHandle> handles;
  int refused = 0;
  for (int i = 0; i < 20; ++i) {
    auto value = Make(i);
    CacheHandle handle;
    if (cache_->Insert(std::to_string(i), &value, 3, kLow, &handle).ok()) {
      handles.push_back(std::move(handle));
    } else {
      ++refused;
    }
    EXPECT_LE(cache_->GetUsage(), 10u);
  }
  EXPECT_EQ(handles.size(), 3u);  // 3 * 3 = 9 bytes; a 4th would need 12.
  EXPECT_EQ(refused, 17);
}

TEST_F(LRUCacheTest, NonStrictPinnedInsertGoesOverCapacityUntilReleased) {
  NewCache(2);
  CacheHandle h1 = InsertPinned(1, 1);
  CacheHandle h2 = InsertPinned(2, 2);
  CacheHandle h3 = InsertPinned(3, 3);
  EXPECT_EQ(cache_->GetUsage(), 3u);
  EXPECT_EQ(cache_->GetPinnedUsage(), 3u);
  EXPECT_EQ(cache_->GetStats().insert_failures, 0u);

  h1.Reset();  // Over capacity: the released entry leaves at once.
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(cache_->GetUsage(), 2u);
  h2.Reset();
  h3.Reset();
  EXPECT_EQ(cache_->GetUsage(), 2u);
  EXPECT_EQ(cache_->GetPinnedUsage(), 0u);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(cache_->GetStats().evictions, 1u);
}

TEST_F(LRUCacheTest, NonStrictUnpinnedInsertThatCannotFitIsDroppedAtOnce) {
  NewCache(5);
  Insert(1, 1, /*charge=*/10);  // Bigger than the whole cache.
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(cache_->GetUsage(), 0u);
  EXPECT_EQ(Get(1), -1);
  const CacheStats stats = cache_->GetStats();
  EXPECT_EQ(stats.inserts, 1u);
  EXPECT_EQ(stats.evictions, 1u);

  // Pinned, it is kept over capacity until released.
  CacheHandle handle = InsertPinned(2, 2, /*charge=*/10);
  EXPECT_EQ(cache_->GetUsage(), 10u);
  handle.Reset();
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1, 2));
  EXPECT_EQ(cache_->GetUsage(), 0u);
}

TEST_F(LRUCacheTest, DroppedInsertStillRemovesOlderValueOfKey) {
  NewCache(5);
  CacheHandle old_value = InsertPinned("k", 1, 5);
  Insert("k", 2, 1);  // No room while the old value is pinned: dropped.
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2));
  EXPECT_EQ(Get("k"), -1);  // Not the stale value 1.
  EXPECT_EQ(old_value.value<TrackedValue>()->id, 1);
  old_value.Reset();
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2, 1));
  EXPECT_EQ(cache_->GetUsage(), 0u);
}

TEST_F(LRUCacheTest, LowPriorityEntriesAreEvictedBeforeHighPriorityOnes) {
  NewCache(4, /*high_pri_pool_ratio=*/0.5);
  Insert(1, 1, 1, kHigh);
  Insert(2, 2, 1, kLow);
  Insert(3, 3, 1, kLow);
  Insert(4, 4, 1, kHigh);
  EXPECT_EQ(cache_->GetShardHighPriPoolUsage(0), 2u);
  Insert(5, 5);  // 1 is the oldest, but high priority: 2 goes.
  Insert(6, 6);
  Insert(7, 7);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2, 3, 5));
}

TEST_F(LRUCacheTest, HighPriorityPoolKeepsOnlyItsShare) {
  NewCache(10, /*high_pri_pool_ratio=*/0.5);  // A pool of 5 bytes.
  for (int i = 1; i <= 8; ++i) {
    Insert(i, i, 1, kHigh);
  }
  // 1..3 overflowed the pool and became the most recent low entries.
  EXPECT_EQ(cache_->GetShardHighPriPoolUsage(0), 5u);
  Insert(11, 11);
  Insert(12, 12);
  EXPECT_EQ(cache_->GetUsage(), 10u);
  Insert(13, 13);
  Insert(14, 14);
  Insert(15, 15);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1, 2, 3));
  for (int i = 16; i <= 20; ++i) {
    Insert(i, i);
  }
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1, 2, 3, 11, 12, 13, 14, 15));
  EXPECT_EQ(cache_->GetShardHighPriPoolUsage(0), 5u);
  for (int i = 4; i <= 8; ++i) {
    EXPECT_EQ(Get(i), i);
  }
}

TEST_F(LRUCacheTest, ZeroPoolRatioMakesHighPriorityPlainLru) {
  NewCache(2, /*high_pri_pool_ratio=*/0.0);
  Insert(1, 1, 1, kHigh);
  Insert(2, 2, 1, kLow);
  Insert(3, 3, 1, kLow);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(cache_->GetShardHighPriPoolUsage(0), 0u);
}

TEST_F(LRUCacheTest, HitEntryJoinsHighPoolAndSurvivesScan) {
  NewCache(4, /*high_pri_pool_ratio=*/0.5);
  Insert(1, 1);
  EXPECT_EQ(Get(1), 1);  // A hit: back on the list in the high pool.
  EXPECT_EQ(cache_->GetShardHighPriPoolUsage(0), 1u);
  for (int i = 2; i <= 6; ++i) {  // A scan of entries read once.
    Insert(i, i);
  }
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(2, 3));
  EXPECT_EQ(Get(1), 1);
}

TEST_F(LRUCacheTest, WithoutPoolHitEntryIsFlushedByScan) {
  NewCache(4, /*high_pri_pool_ratio=*/0.0);
  Insert(1, 1);
  EXPECT_EQ(Get(1), 1);
  for (int i = 2; i <= 6; ++i) {
    Insert(i, i);
  }
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1, 2));
}

TEST_F(LRUCacheTest, EraseRemovesUnpinnedEntryAtOnce) {
  NewCache(10);
  Insert(1, 1, 4);
  cache_->Erase("1");
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(cache_->GetUsage(), 0u);
  EXPECT_EQ(Get(1), -1);
  cache_->Erase("1");  // Erasing a missing key does nothing.
  EXPECT_EQ(cache_->GetStats().evictions, 0u);
}

TEST_F(LRUCacheTest, EraseWhileReferencedKeepsValueUntilReleased) {
  NewCache(10);
  CacheHandle handle = InsertPinned(1, 1, 4);
  cache_->Erase("1");
  EXPECT_EQ(Get(1), -1);
  EXPECT_THAT(tracker_.destroyed(), IsEmpty());
  EXPECT_EQ(handle.value<TrackedValue>()->id, 1);
  EXPECT_EQ(cache_->GetUsage(), 4u);  // Still alive, still counted.
  EXPECT_EQ(cache_->GetPinnedUsage(), 4u);
  handle.Reset();
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(cache_->GetUsage(), 0u);
  EXPECT_EQ(cache_->GetPinnedUsage(), 0u);
}

TEST_F(LRUCacheTest, ReplaceWhileReferencedKeepsOldValueUntilReleased) {
  NewCache(10);
  CacheHandle old_handle = InsertPinned("k", 1, 3);
  Insert("k", 2, 4);
  EXPECT_EQ(Get("k"), 2);
  EXPECT_EQ(old_handle.value<TrackedValue>()->id, 1);
  EXPECT_THAT(tracker_.destroyed(), IsEmpty());
  EXPECT_EQ(cache_->GetUsage(), 7u);
  EXPECT_EQ(cache_->GetShardEntryCount(0), 1u);
  old_handle.Reset();
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(cache_->GetUsage(), 4u);
  EXPECT_EQ(Get("k"), 2);
}

TEST_F(LRUCacheTest, ReplaceUnreferencedDestroysOldValueAtOnce) {
  NewCache(10);
  Insert("k", 1, 3);
  Insert("k", 2, 4);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
  EXPECT_EQ(cache_->GetUsage(), 4u);
  EXPECT_EQ(Get("k"), 2);
  EXPECT_EQ(cache_->GetStats().inserts, 2u);
  EXPECT_EQ(cache_->GetStats().evictions, 0u);
}

TEST_F(LRUCacheTest, InsertReleasesWhatTheGivenHandleHeld) {
  NewCache(10);
  CacheHandle handle = InsertPinned(1, 1);
  auto value = Make(2);
  ASSERT_OK(cache_->Insert("2", &value, 1, kLow, &handle));
  EXPECT_EQ(handle.value<TrackedValue>()->id, 2);
  EXPECT_EQ(cache_->GetPinnedUsage(), 1u);  // Only 2 is pinned now.
}

TEST_F(LRUCacheTest, SetCapacityShrinkingEvictsOldestEntries) {
  NewCache(10);
  for (int i = 1; i <= 10; ++i) {
    Insert(i, i);
  }
  cache_->SetCapacity(5);
  EXPECT_EQ(cache_->GetCapacity(), 5u);
  EXPECT_EQ(cache_->GetUsage(), 5u);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(cache_->GetStats().evictions, 5u);
  cache_->SetCapacity(20);  // Growing evicts nothing.
  Insert(11, 11);
  EXPECT_EQ(cache_->GetUsage(), 6u);
}

TEST_F(LRUCacheTest, SetCapacityBelowPinnedUsageEvictsOnRelease) {
  NewCache(3);
  CacheHandle h1 = InsertPinned(1, 1);
  CacheHandle h2 = InsertPinned(2, 2);
  CacheHandle h3 = InsertPinned(3, 3);
  cache_->SetCapacity(1);
  EXPECT_EQ(cache_->GetUsage(), 3u);
  EXPECT_THAT(tracker_.destroyed(), IsEmpty());
  h1.Reset();
  h2.Reset();
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1, 2));
  h3.Reset();
  EXPECT_EQ(cache_->GetUsage(), 1u);
  EXPECT_EQ(Get(3), 3);
}

TEST_F(LRUCacheTest, SetCapacityResizesHighPriorityPool) {
  NewCache(10, /*high_pri_pool_ratio=*/0.5);
  for (int i = 1; i <= 5; ++i) {
    Insert(i, i, 1, kHigh);
  }
  EXPECT_EQ(cache_->GetShardHighPriPoolUsage(0), 5u);
  cache_->SetCapacity(4);  // Pool of 2; the 3 oldest move down, then 1 goes.
  EXPECT_EQ(cache_->GetShardHighPriPoolUsage(0), 2u);
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(1));
}

TEST_F(LRUCacheTest, SetStrictCapacityLimitAppliesToLaterInserts) {
  NewCache(1);
  EXPECT_FALSE(cache_->HasStrictCapacityLimit());
  CacheHandle h1 = InsertPinned(1, 1);
  CacheHandle h2 = InsertPinned(2, 2);  // Allowed: not strict.
  cache_->SetStrictCapacityLimit(true);
  EXPECT_TRUE(cache_->HasStrictCapacityLimit());
  auto value = Make(3);
  CacheHandle h3;
  EXPECT_FALSE(cache_->Insert("3", &value, 1, kLow, &h3).ok());
  EXPECT_EQ(cache_->GetUsage(), 2u);  // The earlier overflow stays.
  cache_->SetStrictCapacityLimit(false);
  EXPECT_OK(cache_->Insert("3", &value, 1, kLow, &h3));
}

TEST_F(LRUCacheTest, EraseUnRefEntriesKeepsPinnedOnes) {
  NewCache(10);
  CacheHandle pinned = InsertPinned(1, 1);
  Insert(2, 2);
  Insert(3, 3, 1, kHigh);
  cache_->EraseUnRefEntries();
  EXPECT_THAT(tracker_.destroyed(), UnorderedElementsAre(2, 3));
  EXPECT_EQ(cache_->GetUsage(), 1u);
  EXPECT_EQ(cache_->GetStats().evictions, 0u);
  pinned.Reset();
  EXPECT_EQ(Get(1), 1);
}

// A deleter that counts, for values inserted as a CacheValue.
std::atomic<int> g_int_values_deleted{0};
void DeleteCountedInt(void* value) {
  g_int_values_deleted.fetch_add(1, std::memory_order_relaxed);
  std::default_delete<int>()(static_cast<int*>(value));
}
CacheValue MakeCountedInt(int v) {
  return CacheValue(std::make_unique<int>(v).release(), &DeleteCountedInt);
}

TEST_F(LRUCacheTest, DeleterRunsExactlyOnceForEveryValue) {
  g_int_values_deleted.store(0, std::memory_order_relaxed);
  NewCache(4);
  int created = 0;
  auto insert = [&](const std::string& key, CacheHandle* handle) {
    CacheValue value = MakeCountedInt(++created);
    Status s = cache_->Insert(key, &value, 1, kLow, handle);
    return s;
  };
  for (int i = 0; i < 10; ++i) {  // Six evictions.
    ASSERT_OK(insert("e" + std::to_string(i), nullptr));
  }
  ASSERT_OK(insert("r", nullptr));  // Replaced twice.
  ASSERT_OK(insert("r", nullptr));
  ASSERT_OK(insert("r", nullptr));
  CacheHandle pinned;
  ASSERT_OK(insert("p", &pinned));
  EXPECT_EQ(*static_cast<int*>(pinned.raw_value()), created);
  EXPECT_EQ(pinned.value<int>(), nullptr);  // Not a unique_ptr<int> value.
  cache_->Erase("p");                       // Erased while pinned.
  cache_->SetStrictCapacityLimit(true);
  std::vector<CacheHandle> held(4);
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(insert("h" + std::to_string(i), &held[i]));
  }
  Status refused = insert("x", &held[3]);  // 3 held + "p" pinned: full.
  EXPECT_FALSE(refused.ok());              // The caller's value died here.
  cache_->SetStrictCapacityLimit(false);
  ASSERT_OK(insert("h0", nullptr));  // Dropped at once; erases pinned "h0".
  held.clear();
  pinned.Reset();
  cache_->EraseUnRefEntries();
  ASSERT_OK(insert("last", nullptr));
  cache_.reset();  // Destroys what is left.
  EXPECT_EQ(g_int_values_deleted.load(std::memory_order_relaxed), created);
}

TEST_F(LRUCacheTest, HandleMayOutliveCache) {
  NewCache(10, 0.5, false, /*num_shard_bits=*/2);
  CacheHandle handle = InsertPinned(1, 1);
  CacheHandle other = InsertPinned(2, 2);
  Insert(3, 3);
  cache_.reset();
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(3));
  EXPECT_EQ(handle.value<TrackedValue>()->id, 1);  // ASan: still valid.
  handle.Reset();
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(3, 1));
  CacheHandle moved = std::move(other);
  moved.Reset();
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(3, 1, 2));
}

// A value that pins another entry of the same cache, as a partitioned index
// pins its partitions.
struct Parent {
  Parent(CacheHandle pinned_child, Tracker* parent_tracker)
      : child(std::move(pinned_child)), tracker(parent_tracker) {}
  ~Parent() { tracker->Record(-1); }
  CacheHandle child;
  Tracker* tracker;
};

TEST_F(LRUCacheTest, ValueDestructorMayReleaseHandlesOfSameCache) {
  NewCache(2);
  auto parent = std::make_unique<Parent>(InsertPinned("c", 1), &tracker_);
  ASSERT_OK(cache_->Insert("p", &parent, 1));
  Insert("x", 2);  // Evicts "p"; its destructor releases "c" (no deadlock).
  EXPECT_THAT(tracker_.destroyed(), ElementsAre(-1));
  EXPECT_EQ(cache_->GetPinnedUsage(), 0u);
  EXPECT_EQ(Get("c"), 1);

  // The same while the cache is being destroyed.
  auto parent2 = std::make_unique<Parent>(InsertPinned("c2", 3), &tracker_);
  ASSERT_OK(cache_->Insert("p2", &parent2, 1));
  cache_.reset();
  EXPECT_THAT(tracker_.destroyed(), UnorderedElementsAre(-1, -1, 1, 2, 3));
}

TEST_F(LRUCacheTest, TypedValueIsReturnedOnlyForItsExactType) {
  NewCache(10);
  auto value = std::make_unique<std::string>("block");
  CacheHandle handle;
  ASSERT_OK(cache_->Insert("k", &value, 5, kLow, &handle));
  ASSERT_NE(handle.value<std::string>(), nullptr);
  EXPECT_EQ(*handle.value<std::string>(), "block");
  EXPECT_EQ(handle.value<int>(), nullptr);
  EXPECT_EQ(handle.raw_value(), handle.value<std::string>());
  CacheHandle empty;
  EXPECT_EQ(empty.value<std::string>(), nullptr);
  EXPECT_EQ(empty.raw_value(), nullptr);
}

TEST_F(LRUCacheTest, MoveAssignmentReleasesTheOverwrittenHandle) {
  NewCache(10);
  CacheHandle a = InsertPinned(1, 1);
  CacheHandle b = InsertPinned(2, 2);
  a = std::move(b);
  EXPECT_FALSE(b);  // NOLINT(bugprone-use-after-move): moved-from is empty.
  EXPECT_EQ(a.value<TrackedValue>()->id, 2);
  EXPECT_EQ(cache_->GetPinnedUsage(), 1u);
  CacheHandle& self = a;
  a = std::move(self);  // Self-move keeps the pin.
  EXPECT_EQ(cache_->GetPinnedUsage(), 1u);
}

TEST_F(LRUCacheTest, NewIdIsUniqueAndNeverZero) {
  NewCache(10);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 100; ++i) {
    ids.push_back(cache_->NewId());
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_NE(ids[i], 0u);
    if (i > 0) {
      EXPECT_GT(ids[i], ids[i - 1]);
    }
  }
}

TEST(LRUCacheOptionsTest, DefaultShardBitsFollowRocksDb) {
  constexpr size_t kKiB = 1024;
  constexpr size_t kMiB = 1024 * kKiB;
  EXPECT_EQ(LRUCache::DefaultShardBits(0), 0);
  EXPECT_EQ(LRUCache::DefaultShardBits(512 * kKiB), 0);
  EXPECT_EQ(LRUCache::DefaultShardBits(1 * kMiB - 1), 0);
  EXPECT_EQ(LRUCache::DefaultShardBits(1 * kMiB), 1);
  EXPECT_EQ(LRUCache::DefaultShardBits(8 * kMiB), 4);
  EXPECT_EQ(LRUCache::DefaultShardBits(32 * kMiB), 6);
  EXPECT_EQ(LRUCache::DefaultShardBits(64 * kMiB), 6);
  EXPECT_EQ(LRUCache::DefaultShardBits(size_t{1} << 40), 6);

  std::shared_ptr<Cache> cache = NewLRUCache(8 * kMiB);
  ASSERT_NE(cache, nullptr);
  auto* lru = dynamic_cast<LRUCache*>(cache.get());
  ASSERT_NE(lru, nullptr);
  EXPECT_EQ(lru->num_shard_bits(), 4);
  EXPECT_EQ(lru->num_shards(), 16u);
  EXPECT_EQ(lru->high_pri_pool_ratio(), 0.5);
  EXPECT_FALSE(cache->HasStrictCapacityLimit());
  EXPECT_EQ(cache->GetCapacity(), 8 * kMiB);
  EXPECT_STREQ(cache->Name(), "LRUCache");
}

TEST(LRUCacheOptionsTest, InvalidOptionsAreRejectedNamingTheField) {
  LRUCacheOptions options;
  options.capacity = 1024;
  std::shared_ptr<Cache> cache;
  options.num_shard_bits = 20;
  Status s = NewLRUCache(options, &cache);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(s.ToString(), HasSubstr("num_shard_bits: 20"));
  EXPECT_EQ(cache, nullptr);
  options.num_shard_bits = 19;
  EXPECT_OK(NewLRUCache(options, &cache));

  options.num_shard_bits = -1;
  for (double ratio : {-0.1, 1.5, std::nan("")}) {
    options.high_pri_pool_ratio = ratio;
    s = NewLRUCache(options, &cache);
    EXPECT_TRUE(s.IsInvalidArgument()) << ratio;
    EXPECT_THAT(s.ToString(), HasSubstr("high_pri_pool_ratio"));
  }
  options.high_pri_pool_ratio = 0.5;
  options.metadata_charge_policy = static_cast<CacheMetadataChargePolicy>(7);
  s = NewLRUCache(options, &cache);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(s.ToString(), HasSubstr("metadata_charge_policy: 7"));

  EXPECT_EQ(NewLRUCache(1024, 20), nullptr);
  EXPECT_EQ(NewLRUCache(1024, 0, false, 1.01), nullptr);
  EXPECT_NE(NewLRUCache(1024, 0, true, 1.0), nullptr);
}

// By default (RocksDB's kFullChargeCacheMetadata) an entry counts its
// node and its key as well as the caller's charge, so a full cache of small
// values holds fewer of them, and the capacity bounds real memory.
TEST_F(LRUCacheTest, MetadataIsChargedByDefault) {
  LRUCacheOptions defaults;
  EXPECT_EQ(kFullChargeCacheMetadata, defaults.metadata_charge_policy);
  NewCache(1 << 20, 0.0, false, 0, kFullChargeCacheMetadata);
  Insert("k", 1, 100);
  const size_t per_entry = cache_->GetUsage() - 100;
  // At least the links, key, value, charge and hash it keeps.
  EXPECT_GE(per_entry, 2 * sizeof(void*) + sizeof(std::string) +
                           sizeof(CacheValue) + 2 * sizeof(uint64_t));
  EXPECT_LE(per_entry, 512u);
  // A key too long to live inside the entry adds its heap bytes.
  const std::string long_key(1000, 'x');
  Insert(long_key, 2, 100);
  EXPECT_GE(cache_->GetUsage(), 2 * (100 + per_entry) + 1000);
  // Pinned usage counts the same charge.
  CacheHandle pinned = InsertPinned("p", 3, 100);
  EXPECT_EQ(100 + per_entry, cache_->GetPinnedUsage());
  pinned.Reset();
  cache_->EraseUnRefEntries();
  EXPECT_EQ(0u, cache_->GetUsage());

  // What fits: ten 100-byte values in 1,000 bytes without the metadata,
  // fewer with it.
  for (CacheMetadataChargePolicy policy :
       {kDontChargeCacheMetadata, kFullChargeCacheMetadata}) {
    NewCache(1000, 0.0, false, 0, policy);
    for (int i = 0; i < 10; ++i) Insert(i, i, 100);
    const CacheStats stats = cache_->GetStats();
    if (policy == kDontChargeCacheMetadata) {
      EXPECT_EQ(0u, stats.evictions);
      EXPECT_EQ(1000u, cache_->GetUsage());
    } else {
      EXPECT_GT(stats.evictions, 0u);
      EXPECT_LE(cache_->GetUsage(), 1000u);
    }
  }
}

TEST_F(LRUCacheTest, CapacityIsSplitEvenlyAmongShards) {
  NewCache(400, 0.0, false, /*num_shard_bits=*/2);
  ASSERT_EQ(cache_->num_shards(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(cache_->GetShardCapacity(i), 100u);
  }
  cache_->SetCapacity(10);  // Rounded up per shard.
  EXPECT_EQ(cache_->GetCapacity(), 10u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(cache_->GetShardCapacity(i), 3u);
  }
}

TEST_F(LRUCacheTest, ShardingSpreadsBlockKeysEvenly) {
  constexpr int kShardBits = 4;
  constexpr int kKeys = 16000;
  NewCache(size_t{1} << 30, 0.0, false, kShardBits);
  // Keys as table readers make them: a cache id, then the block offset.
  const uint64_t id = cache_->NewId();
  for (int i = 0; i < kKeys; ++i) {
    std::string key;
    PutFixed64(&key, id);
    PutVarint64(&key, uint64_t{4096} * i);
    Insert(key, i);
  }
  const size_t expected = kKeys >> kShardBits;  // 1000 each.
  size_t total = 0;
  for (size_t i = 0; i < cache_->num_shards(); ++i) {
    const size_t count = cache_->GetShardEntryCount(i);
    total += count;
    EXPECT_GT(count, expected * 3 / 4) << "shard " << i;
    EXPECT_LT(count, expected * 5 / 4) << "shard " << i;
    EXPECT_EQ(cache_->GetShardUsage(i), count);
  }
  EXPECT_EQ(total, static_cast<size_t>(kKeys));
  EXPECT_EQ(cache_->ShardOf("a"), cache_->ShardOf("a"));
}

// Values of the stress test: check that a handle sees the value of its key,
// and count destructions.
struct StressValue {
  StressValue(uint64_t value_key, std::atomic<int64_t>* value_destroyed)
      : key(value_key), destroyed(value_destroyed) {}
  ~StressValue() {
    magic = 0;
    destroyed->fetch_add(1, std::memory_order_relaxed);
  }
  static constexpr uint64_t kMagic = 0x5ca1ab1e0ddba11;
  const uint64_t key;
  uint64_t magic = kMagic;
  std::atomic<int64_t>* const destroyed;
};

void RunStress(bool strict) {
  constexpr int kThreads = 4;
  constexpr int kOpsPerThread = 20000;
  constexpr uint64_t kKeys = 400;
  constexpr size_t kMaxHeld = 8;
  // 4 shards of 256 bytes; charges 1..64, so the cache is always full and
  // the up to 32 handles held (about 1 KiB) often leave no room at all.
  LRUCacheOptions options;
  options.capacity = 1024;
  options.num_shard_bits = 2;
  options.strict_capacity_limit = strict;
  options.high_pri_pool_ratio = 0.25;
  options.metadata_charge_policy = kDontChargeCacheMetadata;
  std::shared_ptr<Cache> cache;
  ASSERT_OK(NewLRUCache(options, &cache));
  auto* lru = dynamic_cast<LRUCache*>(cache.get());
  ASSERT_NE(lru, nullptr);

  test::Random seeds(2024);
  std::atomic<int64_t> created{0};
  std::atomic<int64_t> destroyed{0};
  std::atomic<int64_t> wrong_values{0};
  std::atomic<int64_t> over_capacity{0};
  std::atomic<int64_t> unexpected_failures{0};
  std::atomic<int64_t> lookups{0};
  std::atomic<int64_t> insert_attempts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, seed = seeds.Next()] {
      std::mt19937_64 rng(seed);
      std::vector<CacheHandle> held;
      auto keep = [&](CacheHandle handle) {
        if (held.size() < kMaxHeld) {
          held.push_back(std::move(handle));
        }
      };
      for (int op = 0; op < kOpsPerThread; ++op) {
        const uint64_t k = rng() % kKeys;
        const std::string key = "key" + std::to_string(k);
        const uint64_t dice = rng() % 100;
        if (dice < 45) {
          lookups.fetch_add(1, std::memory_order_relaxed);
          CacheHandle handle = cache->Lookup(key);
          if (handle) {
            const StressValue* v = handle.value<StressValue>();
            if (v == nullptr || v->key != k ||
                v->magic != StressValue::kMagic) {
              wrong_values.fetch_add(1, std::memory_order_relaxed);
            }
            if (rng() % 4 == 0) keep(std::move(handle));
          }
        } else if (dice < 80) {
          insert_attempts.fetch_add(1, std::memory_order_relaxed);
          auto value = std::make_unique<StressValue>(k, &destroyed);
          created.fetch_add(1, std::memory_order_relaxed);
          const size_t charge = 1 + rng() % 64;
          const auto priority = rng() % 4 == 0 ? kHigh : kLow;
          CacheHandle handle;
          const bool pin = rng() % 2 == 0;
          Status s = cache->Insert(key, &value, charge, priority,
                                   pin ? &handle : nullptr);
          if (s.ok() != (value == nullptr) || (!s.ok() && !strict)) {
            unexpected_failures.fetch_add(1, std::memory_order_relaxed);
          }
          if (handle) keep(std::move(handle));
        } else if (dice < 88) {
          cache->Erase(key);
        } else if (!held.empty()) {
          held.erase(held.begin() + static_cast<long>(rng() % held.size()));
        }
        if (strict && op % 64 == 0) {
          for (size_t s = 0; s < lru->num_shards(); ++s) {
            if (lru->GetShardUsage(s) > lru->GetShardCapacity(s)) {
              over_capacity.fetch_add(1, std::memory_order_relaxed);
            }
          }
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(wrong_values.load(), 0);
  EXPECT_EQ(unexpected_failures.load(), 0);
  EXPECT_EQ(over_capacity.load(), 0);
  EXPECT_EQ(cache->GetPinnedUsage(), 0u);
  EXPECT_LE(cache->GetUsage(), cache->GetCapacity());
  const CacheStats stats = cache->GetStats();
  EXPECT_EQ(static_cast<int64_t>(stats.hits + stats.misses), lookups.load());
  EXPECT_EQ(static_cast<int64_t>(stats.inserts + stats.insert_failures),
            insert_attempts.load());
  EXPECT_GT(stats.hits, 0u);
  EXPECT_GT(stats.evictions, 0u);
  if (strict) {
    EXPECT_GT(stats.insert_failures, 0u);
  } else {
    EXPECT_EQ(stats.insert_failures, 0u);
  }
  cache.reset();
  EXPECT_EQ(created.load(), destroyed.load());
}

// By default a cache brings its own block memory pool; an allocator given
// in the options is used instead, and without the pool there is none.
TEST(LRUCacheAllocatorTest, DefaultIsAPoolOfTheCachesOwn) {
  std::shared_ptr<Cache> a = NewLRUCache(1 << 20);
  std::shared_ptr<Cache> b = NewLRUCache(1 << 20);
  ASSERT_NE(nullptr, a->memory_allocator());
  EXPECT_STREQ("BlockMemoryPool", a->memory_allocator()->Name());
  EXPECT_NE(a->memory_allocator(), b->memory_allocator());

  LRUCacheOptions options;
  options.capacity = 1 << 20;
  options.memory_allocator = NewBlockMemoryPool();
  std::shared_ptr<Cache> given;
  ASSERT_OK(NewLRUCache(options, &given));
  EXPECT_EQ(options.memory_allocator, given->memory_allocator());

  options.memory_allocator = nullptr;
  options.use_block_memory_pool = false;
  std::shared_ptr<Cache> plain;
  ASSERT_OK(NewLRUCache(options, &plain));
  EXPECT_EQ(nullptr, plain->memory_allocator());
}

TEST(LRUCacheStressTest, ConcurrentStrictCacheStaysConsistent) {
  RunStress(/*strict=*/true);
}

TEST(LRUCacheStressTest, ConcurrentNonStrictCacheStaysConsistent) {
  RunStress(/*strict=*/false);
}

}  // namespace
}  // namespace strata
