#include "db/compaction_iterator.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "testutil/testutil.h"
#include "testutil/vector_internal_iterator.h"

namespace strata {
namespace {

using test::VectorInternalIterator;

std::string Val(const std::string& user_key, SequenceNumber seq) {
  return MakeInternalKey(user_key, seq, ValueType::kValue);
}
std::string Del(const std::string& user_key, SequenceNumber seq) {
  return MakeInternalKey(user_key, seq, ValueType::kDeletion);
}

// What a compaction of `entries` writes, as "key@seq:type=value" strings.
std::vector<std::string> Compact(
    std::vector<VectorInternalIterator::Entry> entries,
    std::vector<SequenceNumber> snapshots, bool key_may_exist_below,
    bool bottommost) {
  VectorInternalIterator input(std::move(entries));
  CompactionIterator it(
      &input, nullptr, std::move(snapshots),
      [key_may_exist_below](Slice) { return key_may_exist_below; }, bottommost,
      nullptr);
  std::vector<std::string> out;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    ParsedInternalKey p;
    EXPECT_OK(ParseInternalKey(it.key(), &p));
    out.push_back(
        p.user_key.ToString() + "@" + std::to_string(p.sequence) +
        (p.type == ValueType::kValue ? "=" + it.value().ToString() : ":del"));
  }
  EXPECT_OK(it.status());
  return out;
}

TEST(CompactionIteratorTest, BottommostValuesGetSequenceZero) {
  // a: one value; b: the newest of two versions; c: a deletion that must stay
  // (a version may exist below it), and so keeps its sequence number.
  const auto out =
      Compact({{Val("a", 5), "a5"},
               {Val("b", 7), "b7"},
               {Val("b", 3), "b3"},
               {Del("c", 4), ""}},
              {}, /*key_may_exist_below=*/true, /*bottommost=*/true);
  EXPECT_EQ(out, (std::vector<std::string>{"a@0=a5", "b@0=b7", "c@4:del"}));
}

TEST(CompactionIteratorTest, VersionsNewerThanTheOldestSnapshotKeepTheirs) {
  // Snapshot 6: b@7 is only seen by later readers, b@3 by the snapshot.
  const auto out =
      Compact({{Val("a", 5), "a5"},
               {Val("b", 7), "b7"},
               {Val("b", 3), "b3"},
               {Val("c", 6), "c6"}},
              {6}, /*key_may_exist_below=*/false, /*bottommost=*/true);
  EXPECT_EQ(out,
            (std::vector<std::string>{"a@0=a5", "b@7=b7", "b@0=b3", "c@0=c6"}));
}

TEST(CompactionIteratorTest, NotBottommostKeepsSequenceNumbers) {
  const auto out =
      Compact({{Val("a", 5), "a5"}, {Val("b", 7), "b7"}, {Val("b", 3), "b3"}},
              {}, /*key_may_exist_below=*/false, /*bottommost=*/false);
  EXPECT_EQ(out, (std::vector<std::string>{"a@5=a5", "b@7=b7"}));
}

TEST(CompactionIteratorTest, ZeroedKeyIsReplacedOnTheNextEntry) {
  // The rewritten key must follow the input: a zeroed entry, then one that
  // keeps its number, then a zeroed one again.
  const auto out =
      Compact({{Val("a", 2), "a2"}, {Val("b", 9), "b9"}, {Val("c", 1), "c1"}},
              {4}, /*key_may_exist_below=*/false, /*bottommost=*/true);
  EXPECT_EQ(out, (std::vector<std::string>{"a@0=a2", "b@9=b9", "c@0=c1"}));
}

}  // namespace
}  // namespace strata
