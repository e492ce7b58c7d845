#include "db/db_iter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/level_iterator.h"
#include "db/merging_iterator.h"
#include "db/range_tombstones.h"
#include "testutil/internal_iterator_model.h"
#include "testutil/testutil.h"
#include "testutil/vector_internal_iterator.h"

namespace strata {
namespace {

using test::Entry;
using test::VectorInternalIterator;

// ---------------------------------------------------------------------------
// Helpers

std::unique_ptr<Iterator> NewIter(std::vector<Entry> entries,
                                  SequenceNumber read_seq,
                                  std::vector<RangeTombstone> tombstones = {},
                                  DBIterOptions options = {},
                                  test::IterCallCounts* counts = nullptr) {
  auto internal = std::make_unique<VectorInternalIterator>(std::move(entries));
  internal->set_counts(counts);
  std::shared_ptr<const RangeTombstoneSet> set;
  if (!tombstones.empty()) {
    set = std::make_shared<const RangeTombstoneSet>(tombstones);
  }
  return NewDBIterator(std::move(internal), read_seq, std::move(set), options);
}

Entry Put(const std::string& k, SequenceNumber seq, const std::string& v) {
  return {MakeInternalKey(k, seq, ValueType::kValue), v};
}
Entry Del(const std::string& k, SequenceNumber seq) {
  return {MakeInternalKey(k, seq, ValueType::kDeletion), ""};
}
Entry SingleDel(const std::string& k, SequenceNumber seq) {
  return {MakeInternalKey(k, seq, ValueType::kSingleDeletion), ""};
}
Entry Merge(const std::string& k, SequenceNumber seq) {
  return {MakeInternalKey(k, seq, ValueType::kMerge), "operand"};
}

// "k=v k=v ..." forward from SeekToFirst, and the same from SeekToLast
// reversed; both must agree.
std::string Scan(Iterator* it) {
  std::string forward;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    forward += it->key().ToString() + "=" + it->value().ToString() + " ";
  }
  EXPECT_OK(it->status());
  std::vector<std::string> backward;
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    backward.push_back(it->key().ToString() + "=" + it->value().ToString() +
                       " ");
  }
  EXPECT_OK(it->status());
  std::string reversed;
  for (auto i = backward.rbegin(); i != backward.rend(); ++i) reversed += *i;
  EXPECT_EQ(forward, reversed);
  return forward;
}

// ---------------------------------------------------------------------------
// Visibility

TEST(DBIterTest, ShowsNewestVisibleVersion) {
  auto it = NewIter({Put("a", 1, "a1"), Put("a", 3, "a3"), Put("b", 2, "b2"),
                     Put("c", 5, "c5")},
                    /*read_seq=*/4);
  EXPECT_EQ(Scan(it.get()), "a=a3 b=b2 ");
}

TEST(DBIterTest, DeletionsHideOlderValues) {
  auto it = NewIter(
      {Put("a", 1, "a1"), Del("a", 2), Put("b", 1, "b1"), SingleDel("b", 3),
       Put("c", 1, "c1"), Del("c", 2), Put("c", 3, "c3")},
      10);
  EXPECT_EQ(Scan(it.get()), "c=c3 ");
}

TEST(DBIterTest, ReadSequenceSelectsTheVersion) {
  std::vector<Entry> entries{Put("a", 1, "a1"), Del("a", 5), Put("a", 9, "a9")};
  EXPECT_EQ(Scan(NewIter(entries, 0).get()), "");
  EXPECT_EQ(Scan(NewIter(entries, 4).get()), "a=a1 ");
  EXPECT_EQ(Scan(NewIter(entries, 5).get()), "");
  EXPECT_EQ(Scan(NewIter(entries, 8).get()), "");
  EXPECT_EQ(Scan(NewIter(entries, 9).get()), "a=a9 ");
  EXPECT_EQ(Scan(NewIter(entries, kMaxSequenceNumber).get()), "a=a9 ");
}

TEST(DBIterTest, RangeTombstoneHidesOnlyOlderEntries) {
  std::vector<Entry> entries{Put("a", 1, "a1"), Put("b", 2, "b2"),
                             Put("c", 7, "c7"), Put("d", 3, "d3")};
  std::vector<RangeTombstone> ts{RangeTombstone{"a", "d", 5}};
  EXPECT_EQ(Scan(NewIter(entries, 10, ts).get()), "c=c7 d=d3 ");
  // The tombstone is newer than the read: it does not apply.
  EXPECT_EQ(Scan(NewIter(entries, 4, ts).get()), "a=a1 b=b2 d=d3 ");
}

TEST(DBIterTest, EmptyTombstoneSetIsAccepted) {
  auto set = std::make_shared<RangeTombstoneSet>();
  set->Finish();
  auto it = NewDBIterator(std::make_unique<VectorInternalIterator>(
                              std::vector<Entry>{Put("a", 1, "x")}),
                          5, set, DBIterOptions{});
  EXPECT_EQ(Scan(it.get()), "a=x ");
}

TEST(DBIterTest, ForwardKeyAndValueAreNotCopied) {
  auto internal = std::make_unique<VectorInternalIterator>(
      std::vector<Entry>{Put("a", 1, "x"), Put("b", 1, "y")});
  VectorInternalIterator* raw = internal.get();
  auto it = NewDBIterator(std::move(internal), 5, nullptr, DBIterOptions{});
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().data(), raw->key().data());
  EXPECT_EQ(it->value().data(), raw->value().data());
}

TEST(DBIterTest, ReverseKeyAndValueStayValidUntilTheIteratorMoves) {
  auto it = NewIter({Put("a", 1, "va"), Put("b", 1, "vb"), Put("b", 2, "vb2"),
                     Put("c", 1, "vc")},
                    5);
  it->SeekToLast();
  it->Prev();
  ASSERT_TRUE(it->Valid());
  // The internal iterator has moved on to "a" (and freed "b"'s entry).
  const Slice key = it->key();
  const Slice value = it->value();
  EXPECT_TRUE(it->Valid());
  EXPECT_OK(it->status());
  EXPECT_EQ(key.ToString(), "b");
  EXPECT_EQ(value.ToString(), "vb2");
}

// ---------------------------------------------------------------------------
// Unsupported types and corruption

TEST(DBIterTest, MergeIsNotSupportedNamingTypeAndKey) {
  std::vector<Entry> entries{Put("a", 1, "a1"), Merge("b", 2),
                             Put("c", 1, "c1")};
  auto it = NewIter(entries, 10);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsNotSupported()) << it->status().ToString();
  EXPECT_NE(it->status().ToString().find("kTypeMerge"), std::string::npos)
      << it->status().ToString();
  EXPECT_NE(it->status().ToString().find(Slice("b").ToHex()),
            std::string::npos);
  // Backward, too.
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  it->Prev();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsNotSupported());
  // A new seek clears the error.
  it->Seek("c");
  ASSERT_TRUE(it->Valid());
  EXPECT_OK(it->status());
}

TEST(DBIterTest, OtherValueTypesAreNotSupported) {
  for (ValueType t :
       {ValueType::kBlobIndex, ValueType::kWideColumnEntity,
        ValueType::kRangeDeletion, ValueType::kDeletionWithTimestamp}) {
    auto it = NewIter({{MakeInternalKey("k", 1, t), "x"}}, 10);
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().IsNotSupported()) << it->status().ToString();
    EXPECT_NE(
        it->status().ToString().find(ValueTypeName(static_cast<uint8_t>(t))),
        std::string::npos);
  }
}

TEST(DBIterTest, MergeThatDoesNotDecideIsIgnored) {
  // Older than a put, newer than the read, or covered by a tombstone.
  auto it = NewIter({Merge("a", 1), Put("a", 2, "a2"), Put("b", 1, "b1"),
                     Merge("b", 20), Merge("c", 3)},
                    10, {RangeTombstone{"c", "d", 4}});
  EXPECT_EQ(Scan(it.get()), "a=a2 b=b1 ");
}

TEST(DBIterTest, ShortInternalKeyIsCorruption) {
  std::vector<Entry> entries{Put("a", 1, "a1"), {"bad", "x"}};
  for (bool forward : {true, false}) {
    auto it = NewDBIterator(
        std::make_unique<VectorInternalIterator>(entries,
                                                 /*already_sorted=*/true),
        10, nullptr, DBIterOptions{});
    if (forward) {
      it->SeekToFirst();
      ASSERT_TRUE(it->Valid());
      it->Next();
    } else {
      it->SeekToLast();
    }
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  }
}

TEST(DBIterTest, UnknownTypeByteIsCorruption) {
  std::vector<Entry> entries{
      Put("a", 1, "a1"), {MakeInternalKey("b", 1, ValueType::kLogData), "x"}};
  for (bool forward : {true, false}) {
    auto it = NewIter(entries, 10);
    if (forward) {
      it->SeekToFirst();
      ASSERT_TRUE(it->Valid());
      it->Next();
    } else {
      it->SeekToLast();
    }
    EXPECT_FALSE(it->Valid());
    EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
    EXPECT_NE(it->status().ToString().find(Slice("b").ToHex()),
              std::string::npos);
  }
}

TEST(DBIterTest, InternalErrorSurfaces) {
  auto it = NewDBIterator(NewEmptyInternalIterator(Status::IOError("boom")), 5,
                          nullptr, DBIterOptions{});
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
  it->SeekForPrev("z");
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
}

TEST(DBIterTest, ErrorWhileWalkingBackHidesThePartlyReadKey) {
  // SeekToLast lands on b@1; the next Prev (to b@2) fails. b's newest
  // version was not seen, so b must not be shown.
  auto internal = std::make_unique<VectorInternalIterator>(std::vector<Entry>{
      Put("a", 1, "a1"), Put("b", 1, "old"), Put("b", 2, "new")});
  internal->FailAfterMoves(1, Status::IOError("read failed"));
  auto it = NewDBIterator(std::move(internal), 5, nullptr, DBIterOptions{});
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
}

TEST(DBIterTest, ErrorWhileMovingForwardSurfaces) {
  auto internal = std::make_unique<VectorInternalIterator>(
      std::vector<Entry>{Put("a", 1, "a1"), Put("b", 1, "b1")});
  internal->FailAfterMoves(1, Status::IOError("read failed"));
  auto it = NewDBIterator(std::move(internal), 5, nullptr, DBIterOptions{});
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
}

// ---------------------------------------------------------------------------
// Lifetime

class FlagOnDestroy final : public InternalIterator {
 public:
  explicit FlagOnDestroy(bool* destroyed) : destroyed_(destroyed) {}
  ~FlagOnDestroy() override { *destroyed_ = true; }
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Seek(Slice) override {}
  void SeekForPrev(Slice) override {}
  void Next() override {}
  void Prev() override {}
  Slice key() const override { return Slice(); }
  Slice value() const override { return Slice(); }
  Status status() const override { return Status::OK(); }

 private:
  bool* destroyed_;
};

TEST(DBIterTest, CleanupRunsAfterTheInternalIteratorIsDestroyed) {
  bool destroyed = false;
  int cleanups = 0;
  bool destroyed_at_cleanup = false;
  DBIterOptions options;
  options.cleanup = [&] {
    cleanups++;
    destroyed_at_cleanup = destroyed;
  };
  auto it = NewDBIterator(std::make_unique<FlagOnDestroy>(&destroyed), 5,
                          nullptr, options);
  EXPECT_EQ(cleanups, 0);
  it.reset();
  EXPECT_EQ(cleanups, 1);
  EXPECT_TRUE(destroyed_at_cleanup);
}

// ---------------------------------------------------------------------------
// Skipping many versions

std::vector<Entry> ManyVersions(size_t n) {
  std::vector<Entry> entries{Put("a", 1, "a")};
  for (size_t i = 1; i <= n; i++) entries.push_back(Put("b", i, "b"));
  entries.push_back(Put("c", 1, "c"));
  return entries;
}

TEST(DBIterTest, ManyOldVersionsAreSkippedBySeek) {
  test::IterCallCounts counts;
  auto it = NewIter(ManyVersions(100), kMaxSequenceNumber, {}, {}, &counts);
  it->SeekToFirst();
  const size_t seeks_before = counts.seeks;
  EXPECT_EQ(Scan(it.get()), "a=a b=b c=c ");
  it->SeekToFirst();
  it->Next();
  counts = test::IterCallCounts{};
  it->Next();  // Past b's 99 older versions.
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), "c");
  EXPECT_EQ(counts.seeks, 1u);
  EXPECT_LE(counts.nexts, kMaxSequentialSkips + 2);
  (void)seeks_before;
}

TEST(DBIterTest, FewOldVersionsAreSkippedWithoutSeeking) {
  test::IterCallCounts counts;
  auto it = NewIter(ManyVersions(kMaxSequentialSkips), kMaxSequenceNumber, {},
                    {}, &counts);
  it->SeekToFirst();
  it->Next();
  counts = test::IterCallCounts{};
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), "c");
  EXPECT_EQ(counts.seeks, 0u);
}

TEST(DBIterTest, ManyInvisibleVersionsAreSkippedBySeek) {
  test::IterCallCounts counts;
  // b has versions 1..100; a read at 1 sees only b@1, the oldest.
  auto it = NewIter(ManyVersions(100), 1, {}, {}, &counts);
  it->SeekToFirst();
  counts = test::IterCallCounts{};
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), "b");
  EXPECT_EQ(counts.seeks, 1u);
  EXPECT_LE(counts.nexts, kMaxSequentialSkips + 2);
}

TEST(DBIterTest, ManyVersionsAreSkippedBySeekInReverse) {
  test::IterCallCounts counts;
  auto it = NewIter(ManyVersions(100), 50, {}, {}, &counts);
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), "c");
  counts = test::IterCallCounts{};
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), "b");
  EXPECT_LE(counts.prevs, 2 * kMaxSequentialSkips + 2);
  EXPECT_LE(counts.seeks, 2u);
  // And switching from forward to reverse at a key with many versions.
  it->Seek("b");
  counts = test::IterCallCounts{};
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), "a");
  EXPECT_LE(counts.prevs, kMaxSequentialSkips + 2);
}

TEST(DBIterTest, NextAfterReverseStepOffTheFirstEntry) {
  // Backward onto "a", the first entry: the internal iterator is exhausted
  // (before the beginning), and Next must still find "b".
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(std::make_unique<VectorInternalIterator>(
      std::vector<Entry>{Put("a", 1, "a")}));
  children.push_back(std::make_unique<VectorInternalIterator>(
      std::vector<Entry>{Put("b", 1, "b")}));
  auto it = NewDBIterator(NewMergingIterator(std::move(children)), 5, nullptr,
                          DBIterOptions{});
  it->SeekForPrev("a");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), "a");
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key().ToString(), "b");
}

// ---------------------------------------------------------------------------
// Bounds

std::unique_ptr<Iterator> BoundedIter(std::optional<std::string> lower,
                                      std::optional<std::string> upper) {
  DBIterOptions options;
  options.lower_bound = std::move(lower);
  options.upper_bound = std::move(upper);
  return NewIter({Put("a", 1, "1"), Put("b", 1, "2"), Put("c", 1, "3"),
                  Put("d", 1, "4"), Put("e", 1, "5")},
                 10, {}, options);
}

std::string KeyOrInvalid(Iterator* it) {
  return it->Valid() ? it->key().ToString() : "(invalid)";
}

TEST(DBIterTest, BoundsLimitScans) {
  EXPECT_EQ(Scan(BoundedIter("b", "d").get()), "b=2 c=3 ");
  EXPECT_EQ(Scan(BoundedIter("bb", "cc").get()), "c=3 ");
  EXPECT_EQ(Scan(BoundedIter(std::nullopt, "c").get()), "a=1 b=2 ");
  EXPECT_EQ(Scan(BoundedIter("d", std::nullopt).get()), "d=4 e=5 ");
  EXPECT_EQ(Scan(BoundedIter("c", "c").get()), "");
  EXPECT_EQ(Scan(BoundedIter("d", "b").get()), "");
  EXPECT_EQ(Scan(BoundedIter("f", std::nullopt).get()), "");
  EXPECT_EQ(Scan(BoundedIter(std::nullopt, "a").get()), "");
}

TEST(DBIterTest, SeeksHonorBounds) {
  auto it = BoundedIter("b", "d");
  it->Seek("a");  // Below the lower bound: at the lower bound.
  EXPECT_EQ(KeyOrInvalid(it.get()), "b");
  it->Seek("c");
  EXPECT_EQ(KeyOrInvalid(it.get()), "c");
  it->Seek("d");  // At the upper bound.
  EXPECT_EQ(KeyOrInvalid(it.get()), "(invalid)");
  it->Seek("z");
  EXPECT_EQ(KeyOrInvalid(it.get()), "(invalid)");
  it->SeekForPrev("z");  // Past the upper bound: the last key below it.
  EXPECT_EQ(KeyOrInvalid(it.get()), "c");
  it->SeekForPrev("d");
  EXPECT_EQ(KeyOrInvalid(it.get()), "c");
  it->SeekForPrev("bb");
  EXPECT_EQ(KeyOrInvalid(it.get()), "b");
  it->SeekForPrev("b");
  EXPECT_EQ(KeyOrInvalid(it.get()), "b");
  it->SeekForPrev("a");  // Below the lower bound.
  EXPECT_EQ(KeyOrInvalid(it.get()), "(invalid)");
  EXPECT_OK(it->status());
}

TEST(DBIterTest, EntrySortingWithTheUpperBoundSeekKeyIsOutOfBounds) {
  // SeekToLast positions at (upper, kMaxSequenceNumber, kValueTypeForSeek),
  // which an entry of the upper bound key itself can equal; it must still
  // be left out.
  DBIterOptions options;
  options.upper_bound = "c";
  auto it = NewIter(
      {Put("a", 1, "1"),
       {MakeInternalKey("c", kMaxSequenceNumber, kValueTypeForSeek), "x"}},
      kMaxSequenceNumber, {}, options);
  it->SeekToLast();
  EXPECT_EQ(KeyOrInvalid(it.get()), "a");
  EXPECT_OK(it->status());
}

TEST(DBIterTest, StepsStopAtBounds) {
  auto it = BoundedIter("b", "d");
  it->SeekToFirst();
  EXPECT_EQ(KeyOrInvalid(it.get()), "b");
  it->Prev();
  EXPECT_EQ(KeyOrInvalid(it.get()), "(invalid)");
  it->SeekToLast();
  EXPECT_EQ(KeyOrInvalid(it.get()), "c");
  it->Next();
  EXPECT_EQ(KeyOrInvalid(it.get()), "(invalid)");
  it->SeekToLast();
  it->Prev();
  EXPECT_EQ(KeyOrInvalid(it.get()), "b");
  it->Next();
  EXPECT_EQ(KeyOrInvalid(it.get()), "c");
}

TEST(DBIterTest, DirectionSwitchesAtTheEnds) {
  auto it = BoundedIter(std::nullopt, std::nullopt);
  it->SeekToFirst();
  it->Prev();
  EXPECT_EQ(KeyOrInvalid(it.get()), "(invalid)");
  it->SeekToLast();
  it->Next();
  EXPECT_EQ(KeyOrInvalid(it.get()), "(invalid)");
  it->SeekToLast();
  it->Prev();
  it->Next();
  EXPECT_EQ(KeyOrInvalid(it.get()), "e");
  it->Prev();
  it->Prev();
  EXPECT_EQ(KeyOrInvalid(it.get()), "c");
  EXPECT_EQ(it->value().ToString(), "3");
}

// ---------------------------------------------------------------------------
// Randomized model

struct Op {
  enum Kind { kPut, kDelete, kSingleDelete, kMerge, kRangeDelete } kind;
  std::string key;  // Begin for range deletions.
  std::string end;  // Range deletions only.
  SequenceNumber seq;
};

struct Workload {
  std::vector<Op> ops;
  std::vector<std::string> keys;  // Key space, sorted.
};

std::string ValueOf(const Op& op) { return "v" + std::to_string(op.seq); }

// The profile varies with the seed: plain histories, many versions of few
// keys (exercising the re-seeks), some merges, or an internal stack that
// includes a level iterator.
Workload RandomWorkload(test::Random& rnd, int profile) {
  Workload w;
  const size_t num_keys =
      profile == 1 ? 1 + rnd.Uniform(3) : 1 + rnd.Uniform(12);
  std::set<std::string> keys;
  while (keys.size() < num_keys) keys.insert(test::RandomUserKey(rnd));
  w.keys.assign(keys.begin(), keys.end());
  const size_t num_ops = profile == 1 ? 20 + rnd.Uniform(60) : rnd.Uniform(40);
  const bool range_deletes = !rnd.OneIn(4);
  SequenceNumber seq = 0;
  for (size_t i = 0; i < num_ops; i++) {
    seq += 1 + (rnd.OneIn(4) ? rnd.Uniform(3) : 0);
    Op op;
    op.seq = seq;
    op.key = w.keys[rnd.Uniform(w.keys.size())];
    const uint64_t r = rnd.Uniform(100);
    if (r < 55) {
      op.kind = Op::kPut;
    } else if (r < 70) {
      op.kind = Op::kDelete;
    } else if (r < 80) {
      op.kind = Op::kSingleDelete;
    } else if (r < 90 && range_deletes) {
      op.kind = Op::kRangeDelete;
      op.key = test::RandomUserKey(rnd);
      op.end = test::RandomUserKey(rnd);
    } else if (profile == 2) {
      op.kind = Op::kMerge;
    } else {
      op.kind = Op::kPut;
    }
    w.ops.push_back(op);
  }
  return w;
}

// What the iterator should show, in key order: (key, value), or (key,
// nullopt) for a key whose deciding entry is a merge (the iterator stops
// there with NotSupported).
using View = std::vector<std::pair<std::string, std::optional<std::string>>>;

View ModelView(const Workload& w, SequenceNumber read_seq,
               const DBIterOptions& options) {
  View view;
  for (const std::string& k : w.keys) {
    if (options.lower_bound && k < *options.lower_bound) continue;
    if (options.upper_bound && k >= *options.upper_bound) continue;
    const Op* newest = nullptr;
    SequenceNumber tombstone = 0;
    for (const Op& op : w.ops) {
      if (op.seq > read_seq) continue;
      if (op.kind == Op::kRangeDelete) {
        if (op.key <= k && k < op.end) tombstone = std::max(tombstone, op.seq);
      } else if (op.key == k) {
        if (newest == nullptr || op.seq > newest->seq) newest = &op;
      }
    }
    if (newest == nullptr || tombstone > newest->seq) continue;
    switch (newest->kind) {
      case Op::kPut:
        view.emplace_back(k, ValueOf(*newest));
        break;
      case Op::kMerge:
        view.emplace_back(k, std::nullopt);
        break;
      default:
        break;
    }
  }
  return view;
}

// The internal iterator: the point entries spread over several vector
// children, one of them sometimes a level iterator over cut-up files.
std::unique_ptr<InternalIterator> BuildInternal(
    const Workload& w, test::Random& rnd, bool with_level,
    std::vector<std::vector<Entry>>* level_files) {
  std::vector<Entry> entries;
  for (const Op& op : w.ops) {
    switch (op.kind) {
      case Op::kPut:
        entries.push_back(Put(op.key, op.seq, ValueOf(op)));
        break;
      case Op::kDelete:
        entries.push_back(Del(op.key, op.seq));
        break;
      case Op::kSingleDelete:
        entries.push_back(SingleDel(op.key, op.seq));
        break;
      case Op::kMerge:
        entries.push_back(Merge(op.key, op.seq));
        break;
      case Op::kRangeDelete:
        break;
    }
  }
  const size_t num_children = 1 + rnd.Uniform(4);
  std::vector<std::vector<Entry>> parts(num_children + (with_level ? 1 : 0));
  for (Entry& e : entries) parts[rnd.Uniform(parts.size())].push_back(e);
  std::vector<std::unique_ptr<InternalIterator>> children;
  for (size_t i = 0; i < num_children; i++) {
    children.push_back(std::make_unique<VectorInternalIterator>(parts[i]));
  }
  if (with_level) {
    std::vector<Entry>& run = parts.back();
    std::sort(run.begin(), run.end(), test::EntryLess);
    for (Entry& e : run) {
      if (level_files->empty() || rnd.OneIn(3)) level_files->emplace_back();
      level_files->back().push_back(e);
    }
    std::vector<LevelFileRange> ranges;
    for (const auto& f : *level_files) {
      ranges.push_back(LevelFileRange{f.front().first, f.back().first});
    }
    children.push_back(NewLevelIterator(ranges, [level_files](size_t i) {
      std::unique_ptr<InternalIterator> file =
          std::make_unique<VectorInternalIterator>((*level_files)[i]);
      return file;
    }));
  }
  return NewMergingIterator(std::move(children));
}

std::optional<std::string> RandomBound(test::Random& rnd) {
  if (rnd.OneIn(2)) return std::nullopt;
  return test::RandomUserKey(rnd);
}

// Checks the iterator's state against view[pos] (kEnd: exhausted).
constexpr size_t kEnd = ~size_t{0};

void ExpectAt(Iterator* it, const View& view, size_t pos,
              const std::string& what) {
  if (pos == kEnd) {
    ASSERT_FALSE(it->Valid()) << what << ": at " << it->key().ToString();
    ASSERT_TRUE(it->status().ok()) << what << ": " << it->status().ToString();
    return;
  }
  if (!view[pos].second) {
    ASSERT_FALSE(it->Valid()) << what;
    ASSERT_TRUE(it->status().IsNotSupported())
        << what << ": " << it->status().ToString();
    return;
  }
  ASSERT_TRUE(it->status().ok()) << what << ": " << it->status().ToString();
  ASSERT_TRUE(it->Valid()) << what << ": expected " << view[pos].first;
  const Slice key = it->key();
  const Slice value = it->value();
  ASSERT_EQ(key.ToString(), view[pos].first) << what;
  ASSERT_EQ(value.ToString(), *view[pos].second) << what;
  // Still the same bytes after more calls that do not move the iterator.
  ASSERT_TRUE(it->Valid());
  ASSERT_EQ(key.ToString(), view[pos].first) << what;
  ASSERT_EQ(value.ToString(), *view[pos].second) << what;
}

size_t FirstAtOrAfter(const View& view, const std::string& t) {
  for (size_t i = 0; i < view.size(); i++) {
    if (view[i].first >= t) return i;
  }
  return kEnd;
}
size_t LastAtOrBefore(const View& view, const std::string& t) {
  for (size_t i = view.size(); i-- > 0;) {
    if (view[i].first <= t) return i;
  }
  return kEnd;
}

void CheckAgainstModel(uint64_t seed) {
  test::Random rnd(seed);
  const int profile = static_cast<int>(seed % 4);
  const Workload w = RandomWorkload(rnd, profile);
  SequenceNumber max_seq = w.ops.empty() ? 0 : w.ops.back().seq;
  const SequenceNumber read_seq =
      rnd.OneIn(4) ? kMaxSequenceNumber : rnd.Uniform(max_seq + 2);
  DBIterOptions options;
  if (!rnd.OneIn(3)) {
    options.lower_bound = RandomBound(rnd);
    options.upper_bound = RandomBound(rnd);
  }
  std::vector<RangeTombstone> tombstones;
  for (const Op& op : w.ops) {
    if (op.kind == Op::kRangeDelete) {
      tombstones.push_back(RangeTombstone{op.key, op.end, op.seq});
    }
  }
  std::shared_ptr<const RangeTombstoneSet> set;
  if (!tombstones.empty() || rnd.OneIn(2)) {
    set = std::make_shared<const RangeTombstoneSet>(tombstones);
  }
  std::vector<std::vector<Entry>> level_files;
  auto it = NewDBIterator(BuildInternal(w, rnd, profile == 3, &level_files),
                          read_seq, set, options);
  const View view = ModelView(w, read_seq, options);

  // Full scans.
  it->SeekToFirst();
  for (size_t i = 0;; i++) {
    ASSERT_NO_FATAL_FAILURE(
        ExpectAt(it.get(), view, i < view.size() ? i : kEnd, "forward scan"));
    if (i == view.size() || !view[i].second) break;
    it->Next();
  }
  it->SeekToLast();
  for (size_t i = view.size();; i--) {
    const size_t pos = i == 0 ? kEnd : i - 1;
    ASSERT_NO_FATAL_FAILURE(ExpectAt(it.get(), view, pos, "reverse scan"));
    if (pos == kEnd || !view[pos].second) break;
    it->Prev();
  }

  // Random seeks and walks.
  size_t pos = kEnd;
  bool positioned = false;  // Valid and not at an error.
  for (size_t step = 0; step < 60; step++) {
    const uint64_t op = rnd.Uniform(positioned ? 8 : 4);
    std::string what;
    if (op == 0) {
      what = "SeekToFirst";
      it->SeekToFirst();
      pos = view.empty() ? kEnd : 0;
    } else if (op == 1) {
      what = "SeekToLast";
      it->SeekToLast();
      pos = view.empty() ? kEnd : view.size() - 1;
    } else if (op == 2) {
      const std::string t = rnd.OneIn(2) ? w.keys[rnd.Uniform(w.keys.size())]
                                         : test::RandomUserKey(rnd);
      what = "Seek '" + Slice(t).ToHex() + "'";
      it->Seek(t);
      pos = FirstAtOrAfter(view, t);
    } else if (op == 3) {
      const std::string t = rnd.OneIn(2) ? w.keys[rnd.Uniform(w.keys.size())]
                                         : test::RandomUserKey(rnd);
      what = "SeekForPrev '" + Slice(t).ToHex() + "'";
      it->SeekForPrev(t);
      pos = LastAtOrBefore(view, t);
    } else if (op < 6) {
      what = "Next";
      it->Next();
      pos = pos + 1 < view.size() ? pos + 1 : kEnd;
    } else {
      what = "Prev";
      it->Prev();
      pos = pos == 0 ? kEnd : pos - 1;
    }
    ASSERT_NO_FATAL_FAILURE(ExpectAt(
        it.get(), view, pos, "step " + std::to_string(step) + " " + what));
    positioned = pos != kEnd && view[pos].second.has_value();
  }
}

TEST(DBIterModelTest, RandomHistoriesMatchTheModel) {
  for (uint64_t seed = 0; seed < 4000 && !HasFailure(); seed++) {
    SCOPED_TRACE("profile " + std::to_string(seed % 4));
    CheckAgainstModel(seed);
  }
}

}  // namespace
}  // namespace strata
