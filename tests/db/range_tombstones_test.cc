#include "db/range_tombstones.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testutil/testutil.h"

namespace strata {
namespace {

// Brute force: the newest tombstone <= read_seq covering `key`.
SequenceNumber ModelMaxCoveringSeq(const std::vector<RangeTombstone>& ts,
                                   const std::string& key,
                                   SequenceNumber read_seq) {
  SequenceNumber best = 0;
  for (const RangeTombstone& t : ts) {
    if (t.sequence <= read_seq && t.begin_user_key <= key &&
        key < t.end_user_key && t.sequence > best) {
      best = t.sequence;
    }
  }
  return best;
}

// Short strings over a small alphabet, the empty string included, so that
// prefixes and neighbours ("a", "a\0", "aa", "ab") all occur.
std::string RandomKey(test::Random& rnd) {
  static const char kAlphabet[] = {'\0', 'a', 'b', 'c'};
  std::string k;
  const size_t len = rnd.Uniform(4);
  for (size_t i = 0; i < len; i++) k.push_back(kAlphabet[rnd.Uniform(4)]);
  return k;
}

// Every string of length <= 3 over the same alphabet: the probe keys.
std::vector<std::string> AllKeys() {
  std::vector<std::string> keys{""};
  for (size_t i = 0; i < keys.size(); i++) {
    if (keys[i].size() == 3) continue;
    for (char c : {'\0', 'a', 'b', 'c'}) keys.push_back(keys[i] + c);
  }
  return keys;
}

std::vector<RangeTombstone> RandomTombstones(test::Random& rnd) {
  std::vector<RangeTombstone> ts;
  const size_t n = rnd.Uniform(8);
  for (size_t i = 0; i < n; i++) {
    ts.push_back(
        RangeTombstone{RandomKey(rnd), RandomKey(rnd), 1 + rnd.Uniform(20)});
  }
  return ts;
}

TEST(RangeTombstoneSetTest, EmptySetCoversNothing) {
  RangeTombstoneSet set;
  set.Finish();
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.MaxCoveringSeq("a", kMaxSequenceNumber), 0u);
  EXPECT_FALSE(set.ShouldDelete(MakeInternalKey("a", 1, ValueType::kValue),
                                kMaxSequenceNumber));
  EXPECT_TRUE(set.TombstonesInRange(nullptr, nullptr).empty());
}

TEST(RangeTombstoneSetTest, EmptyAndInvertedRangesAreIgnored) {
  RangeTombstoneSet set;
  set.Add("b", "b", 5);
  set.Add("c", "a", 5);
  set.Finish();
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.MaxCoveringSeq("b", 10), 0u);
  EXPECT_EQ(set.MaxCoveringSeq("a", 10), 0u);
}

TEST(RangeTombstoneSetTest, RangeIsHalfOpen) {
  RangeTombstoneSet set({RangeTombstone{"b", "d", 7}});
  EXPECT_FALSE(set.empty());
  EXPECT_EQ(set.MaxCoveringSeq("a", 10), 0u);
  EXPECT_EQ(set.MaxCoveringSeq("b", 10), 7u);
  EXPECT_EQ(set.MaxCoveringSeq("c", 10), 7u);
  EXPECT_EQ(set.MaxCoveringSeq("czzz", 10), 7u);
  EXPECT_EQ(set.MaxCoveringSeq("d", 10), 0u);
}

TEST(RangeTombstoneSetTest, ReadSequenceSelectsVisibleTombstones) {
  RangeTombstoneSet set({RangeTombstone{"a", "z", 5},
                         RangeTombstone{"a", "z", 20},
                         RangeTombstone{"m", "p", 10}});
  EXPECT_EQ(set.MaxCoveringSeq("n", 4), 0u);
  EXPECT_EQ(set.MaxCoveringSeq("n", 5), 5u);
  EXPECT_EQ(set.MaxCoveringSeq("n", 15), 10u);
  EXPECT_EQ(set.MaxCoveringSeq("b", 15), 5u);
  EXPECT_EQ(set.MaxCoveringSeq("n", 20), 20u);
  EXPECT_EQ(set.MaxCoveringSeq("n", kMaxSequenceNumber), 20u);
}

TEST(RangeTombstoneSetTest, ShouldDeleteOnlyOlderEntries) {
  RangeTombstoneSet set({RangeTombstone{"a", "c", 10}});
  EXPECT_TRUE(set.ShouldDelete(MakeInternalKey("b", 9, ValueType::kValue), 10));
  EXPECT_FALSE(
      set.ShouldDelete(MakeInternalKey("b", 10, ValueType::kValue), 10));
  EXPECT_FALSE(
      set.ShouldDelete(MakeInternalKey("b", 11, ValueType::kValue), 20));
  // The tombstone is not visible to a read at 9.
  EXPECT_FALSE(set.ShouldDelete(MakeInternalKey("b", 5, ValueType::kValue), 9));
  EXPECT_FALSE(
      set.ShouldDelete(MakeInternalKey("c", 5, ValueType::kValue), 20));
}

TEST(RangeTombstoneSetTest, OverlapsAreFragmented) {
  // [a, e)@5 and [c, g)@8: fragments [a,c){5} [c,e){8,5} [e,g){8}.
  RangeTombstoneSet set(
      {RangeTombstone{"a", "e", 5}, RangeTombstone{"c", "g", 8}});
  EXPECT_EQ(set.num_fragments(), 3u);
  Slice end;
  SequenceNumber seq = 0;
  ASSERT_TRUE(set.FindFragment("b", 100, &end, &seq));
  EXPECT_EQ(end.ToString(), "c");
  EXPECT_EQ(seq, 5u);
  ASSERT_TRUE(set.FindFragment("d", 7, &end, &seq));
  EXPECT_EQ(end.ToString(), "e");
  EXPECT_EQ(seq, 5u);
  ASSERT_TRUE(set.FindFragment("e", 7, &end, &seq));
  EXPECT_EQ(end.ToString(), "g");
  EXPECT_EQ(seq, 0u);  // Covered only by a tombstone newer than the read.
  EXPECT_FALSE(set.FindFragment("g", 100, &end, &seq));
}

TEST(RangeTombstoneSetTest, AdjacentFragmentsWithSameTombstonesMerge) {
  RangeTombstoneSet set({RangeTombstone{"a", "c", 5},
                         RangeTombstone{"c", "e", 5},
                         RangeTombstone{"e", "f", 6}});
  EXPECT_EQ(set.num_fragments(), 2u);
  Slice end;
  SequenceNumber seq = 0;
  ASSERT_TRUE(set.FindFragment("a", 10, &end, &seq));
  EXPECT_EQ(end.ToString(), "e");
  // Disjoint ranges stay apart.
  RangeTombstoneSet gap(
      {RangeTombstone{"a", "b", 5}, RangeTombstone{"c", "d", 5}});
  EXPECT_EQ(gap.num_fragments(), 2u);
  EXPECT_EQ(gap.MaxCoveringSeq("b", 10), 0u);
}

TEST(RangeTombstoneSetTest, DuplicateTombstonesCountOnce) {
  RangeTombstoneSet set(
      {RangeTombstone{"a", "c", 5}, RangeTombstone{"a", "c", 5}});
  std::vector<RangeTombstone> out = set.TombstonesInRange(nullptr, nullptr);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].sequence, 5u);
}

TEST(RangeTombstoneSetTest, RandomizedMatchesBruteForce) {
  const std::vector<std::string> probes = AllKeys();
  for (uint64_t seed = 0; seed < 1000 && !HasFailure(); seed++) {
    test::Random rnd(seed);
    const std::vector<RangeTombstone> ts = RandomTombstones(rnd);
    RangeTombstoneSet set(ts);
    for (SequenceNumber read_seq : {SequenceNumber{0}, 1 + rnd.Uniform(21),
                                    1 + rnd.Uniform(21), kMaxSequenceNumber}) {
      for (const std::string& k : probes) {
        ASSERT_EQ(set.MaxCoveringSeq(k, read_seq),
                  ModelMaxCoveringSeq(ts, k, read_seq))
            << "key '" << Slice(k).ToHex() << "' read_seq " << read_seq;
      }
    }
  }
}

TEST(RangeTombstoneSetTest, OverlappingIsClippedToTheFileRange) {
  const std::vector<std::string> probes = AllKeys();
  for (uint64_t seed = 0; seed < 1000 && !HasFailure(); seed++) {
    test::Random rnd(seed);
    const std::vector<RangeTombstone> ts = RandomTombstones(rnd);
    RangeTombstoneSet set(ts);
    std::string smallest = RandomKey(rnd);
    std::string largest = RandomKey(rnd);
    if (largest < smallest) std::swap(smallest, largest);
    const std::vector<RangeTombstone> out =
        set.TombstonesOverlapping(smallest, largest);
    for (const RangeTombstone& t : out) {
      ASSERT_LE(smallest, t.begin_user_key);
      ASSERT_LT(t.begin_user_key, t.end_user_key);
      ASSERT_LE(t.end_user_key, largest + std::string(1, '\0'));
    }
    RangeTombstoneSet clipped(out);
    for (const std::string& k : probes) {
      const bool inside = smallest <= k && k <= largest;
      const SequenceNumber expected =
          inside ? ModelMaxCoveringSeq(ts, k, kMaxSequenceNumber) : 0;
      ASSERT_EQ(clipped.MaxCoveringSeq(k, kMaxSequenceNumber), expected)
          << "key '" << Slice(k).ToHex() << "'";
    }
  }
}

TEST(RangeTombstoneSetTest, InRangePiecesPartitionTheSet) {
  const std::vector<std::string> probes = AllKeys();
  for (uint64_t seed = 0; seed < 1000 && !HasFailure(); seed++) {
    test::Random rnd(seed);
    const std::vector<RangeTombstone> ts = RandomTombstones(rnd);
    RangeTombstoneSet set(ts);
    std::vector<std::string> cuts;
    for (size_t n = rnd.Uniform(4); n > 0; n--) cuts.push_back(RandomKey(rnd));
    std::sort(cuts.begin(), cuts.end());
    // Pieces [-inf, c0), [c0, c1), ..., [cn, +inf), reassembled.
    RangeTombstoneSet whole;
    for (size_t i = 0; i <= cuts.size(); i++) {
      const Slice lower = i > 0 ? Slice(cuts[i - 1]) : Slice();
      const Slice upper = i < cuts.size() ? Slice(cuts[i]) : Slice();
      for (const RangeTombstone& t : set.TombstonesInRange(
               i > 0 ? &lower : nullptr, i < cuts.size() ? &upper : nullptr)) {
        if (i > 0) {
          ASSERT_LE(cuts[i - 1], t.begin_user_key);
        }
        if (i < cuts.size()) {
          ASSERT_LE(t.end_user_key, cuts[i]);
        }
        whole.Add(t);
      }
    }
    whole.Finish();
    for (SequenceNumber read_seq : {1 + rnd.Uniform(21), kMaxSequenceNumber}) {
      for (const std::string& k : probes) {
        ASSERT_EQ(whole.MaxCoveringSeq(k, read_seq),
                  ModelMaxCoveringSeq(ts, k, read_seq))
            << "key '" << Slice(k).ToHex() << "'";
      }
    }
  }
}

}  // namespace
}  // namespace strata
