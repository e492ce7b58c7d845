#include "db/memtable.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "table/internal_key.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using GetResult = MemTable::GetResult;
constexpr ValueType kPut = ValueType::kValue;
constexpr ValueType kDel = ValueType::kDeletion;
constexpr ValueType kSingleDel = ValueType::kSingleDeletion;
constexpr ValueType kRangeDel = ValueType::kRangeDeletion;

// The outcome of one Get, with the in/out tombstone sequence.
struct Lookup {
  GetResult result;
  std::string value;
  SequenceNumber found_seq;
  SequenceNumber max_covering;
};

Lookup DoGet(const MemTable& mem, Slice user_key, SequenceNumber read_seq,
             SequenceNumber max_covering_in = 0) {
  Lookup l{GetResult::kNotPresent, "untouched", 12345, max_covering_in};
  l.result =
      mem.Get(user_key, read_seq, &l.value, &l.found_seq, &l.max_covering);
  return l;
}

TEST(MemTableTest, EmptyMemTable) {
  MemTable mem;
  EXPECT_TRUE(mem.empty());
  EXPECT_EQ(mem.num_entries(), 0u);
  EXPECT_EQ(mem.first_sequence(), 0u);
  EXPECT_EQ(mem.last_sequence(), 0u);
  const Lookup l = DoGet(mem, "a", kMaxSequenceNumber);
  EXPECT_EQ(l.result, GetResult::kNotPresent);
  EXPECT_EQ(l.value, "untouched");
  EXPECT_EQ(l.found_seq, 12345u);
  auto iter = mem.NewIterator();
  iter->SeekToFirst();
  EXPECT_FALSE(iter->Valid());
  EXPECT_TRUE(mem.GetRangeTombstones().empty());
}

TEST(MemTableTest, GetReturnsNewestVersionVisibleAtReadSequence) {
  MemTable mem;
  mem.Add(1, kPut, "key", "v1");
  mem.Add(3, kPut, "key", "v3");
  mem.Add(5, kPut, "key", "v5");
  const std::vector<std::tuple<SequenceNumber, std::string, SequenceNumber>>
      cases = {{kMaxSequenceNumber, "v5", 5},
               {100, "v5", 5},
               {5, "v5", 5},
               {4, "v3", 3},
               {3, "v3", 3},
               {2, "v1", 1},
               {1, "v1", 1}};
  for (const auto& [read_seq, value, seq] : cases) {
    const Lookup l = DoGet(mem, "key", read_seq);
    EXPECT_EQ(l.result, GetResult::kFound) << "read_seq " << read_seq;
    EXPECT_EQ(l.value, value) << "read_seq " << read_seq;
    EXPECT_EQ(l.found_seq, seq) << "read_seq " << read_seq;
    EXPECT_EQ(l.max_covering, 0u);
  }
  // Older than every version: look in older sources.
  EXPECT_EQ(DoGet(mem, "key", 0).result, GetResult::kNotPresent);
}

TEST(MemTableTest, GetMatchesWholeUserKeysOnly) {
  MemTable mem;
  mem.Add(1, kPut, "key", "v");
  mem.Add(2, kPut, "", "empty");
  for (const char* other : {"ke", "keya", "kez", "a", "z"}) {
    EXPECT_EQ(DoGet(mem, other, 10).result, GetResult::kNotPresent) << other;
  }
  EXPECT_EQ(DoGet(mem, std::string("key\0", 4), 10).result,
            GetResult::kNotPresent);
  const Lookup l = DoGet(mem, "", 10);
  EXPECT_EQ(l.result, GetResult::kFound);
  EXPECT_EQ(l.value, "empty");
}

TEST(MemTableTest, GetCopiesLargeAndEmptyValues) {
  MemTable mem;
  const std::string big(300000, 'x');  // Longer than an arena block.
  mem.Add(1, kPut, "big", big);
  mem.Add(2, kPut, "empty", "");
  EXPECT_EQ(DoGet(mem, "big", 5).value, big);
  const Lookup l = DoGet(mem, "empty", 5);
  EXPECT_EQ(l.result, GetResult::kFound);
  EXPECT_EQ(l.value, "");
}

TEST(MemTableTest, DeleteHidesOlderPutsOnlyFromLaterSnapshots) {
  MemTable mem;
  mem.Add(1, kPut, "k", "v1");
  mem.Add(2, kDel, "k", "");
  mem.Add(3, kPut, "k", "v3");
  const Lookup deleted = DoGet(mem, "k", 2);
  EXPECT_EQ(deleted.result, GetResult::kDeleted);
  EXPECT_EQ(deleted.value, "untouched");
  EXPECT_EQ(deleted.found_seq, 12345u);
  EXPECT_EQ(DoGet(mem, "k", 1).value, "v1");
  EXPECT_EQ(DoGet(mem, "k", 3).value, "v3");
}

TEST(MemTableTest, SingleDeleteHidesOlderPut) {
  MemTable mem;
  mem.Add(1, kPut, "k", "v1");
  mem.Add(2, kSingleDel, "k", "");
  EXPECT_EQ(DoGet(mem, "k", 2).result, GetResult::kDeleted);
  EXPECT_EQ(DoGet(mem, "k", 1).result, GetResult::kFound);
}

TEST(MemTableTest, DeleteWithNothingOlderIsStillDeleted) {
  MemTable mem;
  mem.Add(7, kDel, "k", "");
  // kDeleted, not kNotPresent: older sources must not be consulted.
  EXPECT_EQ(DoGet(mem, "k", 7).result, GetResult::kDeleted);
  EXPECT_EQ(DoGet(mem, "k", 6).result, GetResult::kNotPresent);
}

TEST(MemTableTest, RangeTombstoneCoversOlderPointsInItsRange) {
  MemTable mem;
  mem.Add(1, kPut, "b", "vb");
  mem.Add(2, kPut, "d", "vd");
  mem.Add(3, kPut, "a", "va");
  mem.Add(4, kRangeDel, "b", "d");  // [b, d)
  const Lookup covered = DoGet(mem, "b", 10);
  EXPECT_EQ(covered.result, GetResult::kDeleted);
  EXPECT_EQ(covered.max_covering, 4u);
  EXPECT_EQ(covered.value, "untouched");
  // No point entry, but covered.
  const Lookup no_point = DoGet(mem, "c", 10);
  EXPECT_EQ(no_point.result, GetResult::kDeleted);
  EXPECT_EQ(no_point.max_covering, 4u);
  // The end is exclusive; keys before the begin are not covered.
  const Lookup end = DoGet(mem, "d", 10);
  EXPECT_EQ(end.result, GetResult::kFound);
  EXPECT_EQ(end.value, "vd");
  EXPECT_EQ(end.max_covering, 0u);
  EXPECT_EQ(DoGet(mem, "a", 10).value, "va");
  EXPECT_EQ(DoGet(mem, "e", 10).result, GetResult::kNotPresent);
  EXPECT_EQ(DoGet(mem, "", 10).result, GetResult::kNotPresent);
}

TEST(MemTableTest, RangeTombstoneDoesNotCoverNewerPut) {
  MemTable mem;
  mem.Add(2, kRangeDel, "a", "z");
  mem.Add(3, kPut, "k", "v3");
  const Lookup l = DoGet(mem, "k", 10);
  EXPECT_EQ(l.result, GetResult::kFound);
  EXPECT_EQ(l.value, "v3");
  EXPECT_EQ(l.max_covering, 2u);
}

TEST(MemTableTest, RangeTombstoneNewerThanReadSequenceIsIgnored) {
  MemTable mem;
  mem.Add(1, kPut, "k", "v1");
  mem.Add(5, kRangeDel, "a", "z");
  const Lookup before = DoGet(mem, "k", 4);
  EXPECT_EQ(before.result, GetResult::kFound);
  EXPECT_EQ(before.max_covering, 0u);
  EXPECT_EQ(DoGet(mem, "m", 4).result, GetResult::kNotPresent);
  const Lookup after = DoGet(mem, "k", 5);
  EXPECT_EQ(after.result, GetResult::kDeleted);
  EXPECT_EQ(after.max_covering, 5u);
}

TEST(MemTableTest, OverlappingTombstonesGiveTheNewestVisible) {
  MemTable mem;
  mem.Add(3, kRangeDel, "a", "m");
  mem.Add(9, kRangeDel, "c", "e");
  mem.Add(6, kRangeDel, "b", "z");
  mem.Add(12, kRangeDel, "d", "f");
  EXPECT_EQ(DoGet(mem, "d", 100).max_covering, 12u);
  EXPECT_EQ(DoGet(mem, "d", 11).max_covering, 9u);
  EXPECT_EQ(DoGet(mem, "d", 8).max_covering, 6u);
  EXPECT_EQ(DoGet(mem, "a", 100).max_covering, 3u);
  EXPECT_EQ(DoGet(mem, "n", 100).max_covering, 6u);
  EXPECT_EQ(DoGet(mem, "d", 2).max_covering, 0u);
}

TEST(MemTableTest, MaxCoveringTombstoneIsInOut) {
  MemTable mem;
  mem.Add(5, kPut, "k", "v5");
  mem.Add(4, kRangeDel, "a", "c");
  // A newer source's tombstone at 10 covers the put at 5.
  Lookup l = DoGet(mem, "k", 100, /*max_covering_in=*/10);
  EXPECT_EQ(l.result, GetResult::kDeleted);
  EXPECT_EQ(l.max_covering, 10u);
  // One at 3 does not.
  l = DoGet(mem, "k", 100, 3);
  EXPECT_EQ(l.result, GetResult::kFound);
  EXPECT_EQ(l.max_covering, 3u);
  // A key with no entry here, covered by a newer source: deleted.
  l = DoGet(mem, "x", 100, 7);
  EXPECT_EQ(l.result, GetResult::kDeleted);
  EXPECT_EQ(l.max_covering, 7u);
  // This memtable's tombstone raises a smaller incoming value...
  l = DoGet(mem, "b", 100, 2);
  EXPECT_EQ(l.result, GetResult::kDeleted);
  EXPECT_EQ(l.max_covering, 4u);
  // ...and never lowers a larger one.
  l = DoGet(mem, "b", 100, 8);
  EXPECT_EQ(l.max_covering, 8u);
}

TEST(MemTableTest, PointIteratorReturnsAllVersionsInInternalKeyOrder) {
  test::Random rnd(1234);
  MemTable mem;
  // Model: internal key -> value.
  std::map<std::string, std::string, InternalKeyComparator> model;
  SequenceNumber seq = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string user_key = "key" + std::to_string(rnd.Uniform(300));
    const ValueType type =
        rnd.OneIn(5) ? (rnd.OneIn(2) ? kDel : kSingleDel) : kPut;
    const std::string value =
        type == kPut ? rnd.RandomBytes(rnd.Uniform(40)) : std::string();
    // Sequence numbers out of order too: the memtable must sort them.
    const SequenceNumber s = rnd.OneIn(10) ? 100000 + i : ++seq;
    mem.Add(s, type, user_key, value);
    model[MakeInternalKey(user_key, s, type)] = value;
  }
  mem.Add(++seq, kRangeDel, "key", "kez");  // Not a point entry.

  auto iter = mem.NewIterator();
  auto expected = model.begin();
  for (iter->SeekToFirst(); iter->Valid(); iter->Next(), ++expected) {
    ASSERT_NE(expected, model.end());
    ASSERT_EQ(iter->key(), Slice(expected->first));
    ASSERT_EQ(iter->value(), Slice(expected->second));
  }
  EXPECT_EQ(expected, model.end());
  EXPECT_OK(iter->status());

  auto rexpected = model.rbegin();
  for (iter->SeekToLast(); iter->Valid(); iter->Prev(), ++rexpected) {
    ASSERT_NE(rexpected, model.rend());
    ASSERT_EQ(iter->key(), Slice(rexpected->first));
  }
  EXPECT_EQ(rexpected, model.rend());

  for (int i = 0; i < 2000; ++i) {
    const std::string target =
        MakeInternalKey("key" + std::to_string(rnd.Uniform(310)),
                        rnd.Uniform(seq + 10), rnd.OneIn(2) ? kPut : kDel);
    iter->Seek(target);
    auto lower = model.lower_bound(target);
    ASSERT_EQ(iter->Valid(), lower != model.end());
    if (iter->Valid()) {
      ASSERT_EQ(iter->key(), Slice(lower->first));
    }
    iter->SeekForPrev(target);
    auto upper = model.upper_bound(target);
    ASSERT_EQ(iter->Valid(), upper != model.begin());
    if (iter->Valid()) {
      ASSERT_EQ(iter->key(), Slice(std::prev(upper)->first));
    }
  }
}

TEST(MemTableTest, RangeTombstonesAreSortedByBeginThenNewestFirst) {
  MemTable mem;
  mem.Add(1, kRangeDel, "m", "p");
  mem.Add(2, kRangeDel, "a", "c");
  mem.Add(3, kRangeDel, "m", "z");
  mem.Add(4, kPut, "b", "v");
  const std::vector<RangeTombstone> tombstones = mem.GetRangeTombstones();
  ASSERT_EQ(tombstones.size(), 3u);
  EXPECT_EQ(tombstones[0].begin_user_key, "a");
  EXPECT_EQ(tombstones[0].end_user_key, "c");
  EXPECT_EQ(tombstones[0].sequence, 2u);
  EXPECT_EQ(tombstones[1].begin_user_key, "m");
  EXPECT_EQ(tombstones[1].end_user_key, "z");
  EXPECT_EQ(tombstones[1].sequence, 3u);
  EXPECT_EQ(tombstones[2].begin_user_key, "m");
  EXPECT_EQ(tombstones[2].end_user_key, "p");
  EXPECT_EQ(tombstones[2].sequence, 1u);
  // The point iterator holds only the put.
  auto iter = mem.NewIterator();
  iter->SeekToFirst();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), Slice(MakeInternalKey("b", 4, kPut)));
  iter->Next();
  EXPECT_FALSE(iter->Valid());
}

TEST(MemTableTest, CountersAndSequenceBounds) {
  MemTable mem;
  mem.Add(10, kPut, "a", "1");
  EXPECT_FALSE(mem.empty());
  EXPECT_EQ(mem.first_sequence(), 10u);
  EXPECT_EQ(mem.last_sequence(), 10u);
  mem.Add(12, kDel, "a", "");
  mem.Add(11, kSingleDel, "b", "");
  mem.Add(7, kRangeDel, "c", "d");
  mem.Add(13, kPut, "c", "2");
  EXPECT_EQ(mem.num_entries(), 5u);
  EXPECT_EQ(mem.num_deletes(), 2u);
  EXPECT_EQ(mem.num_range_deletes(), 1u);
  EXPECT_EQ(mem.first_sequence(), 7u);
  EXPECT_EQ(mem.last_sequence(), 13u);
}

TEST(MemTableTest, OnlyARangeDeletionMakesItNonEmpty) {
  MemTable mem;
  mem.Add(3, kRangeDel, "a", "b");
  EXPECT_FALSE(mem.empty());
  EXPECT_EQ(mem.first_sequence(), 3u);
}

TEST(MemTableTest, MemoryUsageGrowsWithEntries) {
  MemTable mem;
  const size_t initial = mem.ApproximateMemoryUsage();
  const std::string value(100, 'v');
  for (int i = 0; i < 10000; ++i) {
    mem.Add(i + 1, kPut, "key" + std::to_string(i), value);
  }
  const size_t usage = mem.ApproximateMemoryUsage();
  EXPECT_GT(usage, initial);
  // At least the bytes of the entries themselves, and not wildly more.
  EXPECT_GE(usage, size_t{10000} * (100 + 8 + 4));
  EXPECT_LE(usage, size_t{10000} * 250 + Arena::kDefaultBlockBytes);
}

TEST(MemTableDeathTest, SameUserKeyAndSequenceTwiceIsAsserted) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MemTable mem;
  mem.Add(5, kPut, "k", "v");
  mem.Add(5, kPut, "other", "v");   // Different key: fine.
  mem.Add(5, kRangeDel, "k", "l");  // Range deletions are kept apart.
  EXPECT_DEBUG_DEATH(mem.Add(5, kDel, "k", ""), "");
}

// Readers look up keys while the writer adds more: every key whose Add had
// returned when the Get started is found with its value.
TEST(MemTableTest, ConcurrentGetsSeeCompletedAdds) {
  constexpr int kKeys = 30000;
  constexpr int kReaders = 2;
  MemTable mem;
  std::atomic<int> completed{0};
  std::atomic<bool> failed{false};
  auto key_of = [](int i) { return "k" + std::to_string(i * 7919 % kKeys); };
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      test::Random rnd(r + 1);
      std::string value;
      SequenceNumber seq;
      while (!failed.load(std::memory_order_relaxed)) {
        const int done = completed.load(std::memory_order_acquire);
        if (done == 0) {
          continue;
        }
        const int i = static_cast<int>(rnd.Uniform(done));
        SequenceNumber max_covering = 0;
        if (mem.Get(key_of(i), kMaxSequenceNumber, &value, &seq,
                    &max_covering) != GetResult::kFound ||
            value != "value" + std::to_string(i) ||
            seq != static_cast<SequenceNumber>(i + 1)) {
          ADD_FAILURE() << "key " << i << " of " << done << " completed";
          failed.store(true, std::memory_order_relaxed);
        }
        if (done == kKeys) {
          return;
        }
      }
    });
  }
  for (int i = 0; i < kKeys; ++i) {
    mem.Add(i + 1, kPut, key_of(i), "value" + std::to_string(i));
    completed.store(i + 1, std::memory_order_release);
  }
  for (auto& reader : readers) {
    reader.join();
  }
}

}  // namespace
}  // namespace strata
