#include "table/index_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "table/block.h"
#include "table/block_iter.h"
#include "table/internal_key.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

std::string Put(const std::string& user_key, SequenceNumber seq = 0) {
  return MakeInternalKey(user_key, seq, ValueType::kValue);
}

IndexBuilderOptions Options(
    uint32_t format_version, int restart_interval = 1,
    IndexShortening shortening = IndexShortening::kShortenSeparators) {
  IndexBuilderOptions options;
  options.format_version = format_version;
  options.restart_interval = restart_interval;
  options.shortening = shortening;
  return options;
}

struct IndexEntry {
  std::string key;
  BlockHandle handle;
};

std::vector<IndexEntry> ReadIndex(Slice contents, bool user_keys, bool delta) {
  std::unique_ptr<Block> block;
  EXPECT_OK(Block::Create(BlockContents::Own(contents.ToString()), &block));
  std::vector<IndexEntry> entries;
  BlockIter iter(block.get(), BlockIterOptions::IndexBlock(user_keys, delta));
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    entries.push_back({iter.key().ToString(), iter.handle()});
  }
  EXPECT_OK(iter.status());
  return entries;
}

// ../shared/spec/sst-format.md section 20.3.
TEST(IndexBuilderTest, WorkedExampleFormatVersion5) {
  IndexBuilder builder(Options(5));
  ASSERT_OK(builder.AddIndexEntry(Put("cherry"), nullptr, BlockHandle(0, 67)));
  const Slice index = builder.Finish();
  EXPECT_EQ(
      "0006"
      "636865727279"
      "0043"
      "00000000"
      "01000000",
      index.ToHex());
  EXPECT_EQ(18u, builder.index_size());
  EXPECT_TRUE(builder.index_key_is_user_key());
  EXPECT_TRUE(builder.index_value_is_delta_encoded());
  EXPECT_EQ(1u, builder.num_entries());
}

TEST(IndexBuilderTest, WorkedExampleFormatVersion2) {
  IndexBuilder builder(Options(2));
  ASSERT_OK(builder.AddIndexEntry(Put("cherry"), nullptr, BlockHandle(0, 67)));
  EXPECT_EQ(
      "000e02"
      "636865727279"
      "0100000000000000"
      "0043"
      "00000000"
      "01000000",
      builder.Finish().ToHex());
  EXPECT_EQ(27u, builder.index_size());
  EXPECT_FALSE(builder.index_key_is_user_key());
  EXPECT_FALSE(builder.index_value_is_delta_encoded());
}

TEST(IndexBuilderTest, FormatVersion3UsesUserKeysWithValueLengths) {
  IndexBuilder builder(Options(3));
  ASSERT_OK(builder.AddIndexEntry(Put("cherry"), nullptr, BlockHandle(0, 67)));
  EXPECT_EQ(
      "000602"
      "636865727279"
      "0043"
      "00000000"
      "01000000",
      builder.Finish().ToHex());
  EXPECT_TRUE(builder.index_key_is_user_key());
  EXPECT_FALSE(builder.index_value_is_delta_encoded());
}

TEST(IndexBuilderTest, FormatVersionsBelow4NeverDeltaEncode) {
  for (uint32_t v : {0u, 1u, 2u, 3u}) {
    EXPECT_FALSE(IndexBuilder(Options(v)).index_value_is_delta_encoded()) << v;
  }
  EXPECT_TRUE(IndexBuilder(Options(4)).index_value_is_delta_encoded());
  IndexBuilderOptions aligned = Options(5);
  aligned.block_align = true;
  EXPECT_FALSE(IndexBuilder(aligned).index_value_is_delta_encoded());
}

TEST(IndexBuilderTest, DeltaHandlesInsideRestartInterval) {
  const std::string a2 = Put("a2");
  const std::string a3 = Put("a3");
  IndexBuilder builder(Options(5, 4));
  const Slice next1(a2);
  const Slice next2(a3);
  ASSERT_OK(builder.AddIndexEntry(Put("a1"), &next1, BlockHandle(0, 100)));
  ASSERT_OK(builder.AddIndexEntry(Put("a2"), &next2, BlockHandle(105, 90)));
  ASSERT_OK(builder.AddIndexEntry(Put("a3"), nullptr, BlockHandle(200, 120)));
  // "a1" vs "a2": the only differing byte is the last one and one apart, so
  // nothing is shortened. Entries 2 and 3 share "a": zig-zag size deltas
  // -10 -> 0x13 and +30 -> 0x3c.
  EXPECT_EQ(
      "0002"
      "6131"
      "0064"
      "0101"
      "32"
      "13"
      "0101"
      "33"
      "3c"
      "00000000"
      "01000000",
      builder.Finish().ToHex());
}

TEST(IndexBuilderTest, FullHandlesAtEveryRestartPoint) {
  IndexBuilder builder(Options(5, /*restart_interval=*/1));
  const std::string a2 = Put("a2");
  const std::string a3 = Put("a3");
  const Slice next1(a2);
  const Slice next2(a3);
  ASSERT_OK(builder.AddIndexEntry(Put("a1"), &next1, BlockHandle(0, 100)));
  ASSERT_OK(builder.AddIndexEntry(Put("a2"), &next2, BlockHandle(105, 90)));
  ASSERT_OK(builder.AddIndexEntry(Put("a3"), nullptr, BlockHandle(200, 120)));
  EXPECT_EQ(
      "0002"
      "6131"
      "0064"
      "0002"
      "6132"
      "695a"
      "0002"
      "6133"
      "c80178"
      "00000000"
      "06000000"
      "0c000000"
      "03000000",
      builder.Finish().ToHex());
}

TEST(IndexBuilderTest, SeparatorsAreShortenedAndGetSeekTrailer) {
  for (uint32_t v : {2u, 5u}) {
    IndexBuilder builder(Options(v));
    const std::string next = Put("abx", 3);
    const Slice next_slice(next);
    ASSERT_OK(
        builder.AddIndexEntry(Put("abc", 9), &next_slice, BlockHandle(0, 50)));
    ASSERT_OK(
        builder.AddIndexEntry(Put("abz", 1), nullptr, BlockHandle(55, 60)));
    const bool user_keys = v >= 3;
    const std::vector<IndexEntry> entries =
        ReadIndex(builder.Finish(), user_keys, v >= 4);
    ASSERT_EQ(2u, entries.size());
    if (user_keys) {
      EXPECT_EQ("abd", entries[0].key);
      EXPECT_EQ("abz", entries[1].key);
    } else {
      EXPECT_EQ(MakeInternalKey("abd", kMaxSequenceNumber, kValueTypeForSeek),
                entries[0].key);
      EXPECT_EQ(Put("abz", 1), entries[1].key);  // Last key: unshortened.
    }
    EXPECT_EQ(BlockHandle(0, 50), entries[0].handle);
    EXPECT_EQ(BlockHandle(55, 60), entries[1].handle);
  }
}

TEST(IndexBuilderTest, UserKeySplitAcrossBlocksForcesInternalKeys) {
  for (uint32_t v : {3u, 4u, 5u}) {
    IndexBuilder builder(Options(v));
    const std::string next1 = Put("b", 20);
    const std::string next2 = Put("b", 4);  // Same user key as block 1's end.
    const Slice n1(next1);
    const Slice n2(next2);
    ASSERT_OK(builder.AddIndexEntry(Put("a", 30), &n1, BlockHandle(0, 10)));
    EXPECT_TRUE(builder.index_key_is_user_key());
    ASSERT_OK(builder.AddIndexEntry(Put("b", 5), &n2, BlockHandle(15, 10)));
    EXPECT_FALSE(builder.index_key_is_user_key());
    ASSERT_OK(builder.AddIndexEntry(Put("c", 1), nullptr, BlockHandle(30, 10)));
    const std::vector<IndexEntry> entries =
        ReadIndex(builder.Finish(), /*user_keys=*/false, v >= 4);
    EXPECT_FALSE(builder.index_key_is_user_key());
    ASSERT_EQ(3u, entries.size());
    // "a" vs "b": differ in the last byte of both, one apart: unshortened.
    EXPECT_EQ(Put("a", 30), entries[0].key);
    EXPECT_EQ(Put("b", 5), entries[1].key);
    EXPECT_EQ(Put("c", 1), entries[2].key);
  }
}

TEST(IndexBuilderTest, LastEntryShortenedOnlyInSuccessorMode) {
  IndexBuilder successor(
      Options(2, 1, IndexShortening::kShortenSeparatorsAndSuccessor));
  ASSERT_OK(successor.AddIndexEntry(Put("abc", 7), nullptr, BlockHandle(0, 9)));
  std::vector<IndexEntry> entries = ReadIndex(successor.Finish(), false, false);
  ASSERT_EQ(1u, entries.size());
  EXPECT_EQ(MakeInternalKey("b", kMaxSequenceNumber, kValueTypeForSeek),
            entries[0].key);

  IndexBuilder none(Options(2, 1, IndexShortening::kNoShortening));
  const std::string next = Put("abx", 3);
  const Slice n(next);
  ASSERT_OK(none.AddIndexEntry(Put("abc", 9), &n, BlockHandle(0, 9)));
  ASSERT_OK(none.AddIndexEntry(Put("abz", 7), nullptr, BlockHandle(14, 9)));
  entries = ReadIndex(none.Finish(), false, false);
  ASSERT_EQ(2u, entries.size());
  EXPECT_EQ(Put("abc", 9), entries[0].key);
  EXPECT_EQ(Put("abz", 7), entries[1].key);
}

TEST(IndexBuilderTest, EmptyIndexIsTheEmptyBlock) {
  IndexBuilder builder(Options(5));
  EXPECT_EQ("0000000001000000", builder.Finish().ToHex());
  EXPECT_EQ(8u, builder.index_size());
  EXPECT_TRUE(builder.index_key_is_user_key());
}

TEST(IndexBuilderTest, NonContiguousHandlesRejectedWhenDeltaEncoding) {
  IndexBuilder builder(Options(5));
  const std::string next = Put("b");
  const Slice n(next);
  ASSERT_OK(builder.AddIndexEntry(Put("a"), &n, BlockHandle(0, 10)));
  Status s = builder.AddIndexEntry(Put("b"), nullptr, BlockHandle(4096, 10));
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(s.ToString(), HasSubstr("(4096, 10)"));
  EXPECT_THAT(s.ToString(), HasSubstr("contiguous"));
  // Sticky.
  EXPECT_TRUE(builder.AddIndexEntry(Put("c"), nullptr, BlockHandle(15, 10))
                  .IsInvalidArgument());

  IndexBuilderOptions aligned = Options(5);
  aligned.block_align = true;
  IndexBuilder ok(aligned);
  ASSERT_OK(ok.AddIndexEntry(Put("a"), &n, BlockHandle(0, 10)));
  ASSERT_OK(ok.AddIndexEntry(Put("b"), nullptr, BlockHandle(4096, 10)));
  const std::vector<IndexEntry> entries = ReadIndex(ok.Finish(), true, false);
  ASSERT_EQ(2u, entries.size());
  EXPECT_EQ(BlockHandle(4096, 10), entries[1].handle);
}

TEST(IndexBuilderTest, KeysShorterThanATrailerAreRejected) {
  IndexBuilder builder(Options(5));
  EXPECT_TRUE(builder.AddIndexEntry("short", nullptr, BlockHandle(0, 1))
                  .IsInvalidArgument());
  IndexBuilder other(Options(5));
  const Slice bad("x");
  EXPECT_TRUE(other.AddIndexEntry(Put("a"), &bad, BlockHandle(0, 1))
                  .IsInvalidArgument());
}

// Random files: every key must lead to its block through the index, in every
// format_version and restart interval.
TEST(IndexBuilderTest, EveryKeyFindsItsBlock) {
  test::Random rnd(8080);
  for (uint32_t version : {2u, 3u, 4u, 5u}) {
    for (int restart_interval : {1, 16}) {
      for (bool split_versions : {false, true}) {
        SCOPED_TRACE("fv" + std::to_string(version) + " r" +
                     std::to_string(restart_interval) +
                     (split_versions ? " split" : ""));
        std::set<std::string, InternalKeyComparator> key_set;
        while (key_set.size() < 3000) {
          std::string user_key = rnd.RandomBytes(1 + rnd.Uniform(4));
          if (split_versions && rnd.OneIn(3)) user_key = "hot";
          key_set.insert(Put(user_key, rnd.Uniform(100)));
        }
        const std::vector<std::string> keys(key_set.begin(), key_set.end());
        // Cut into blocks of 1..40 keys.
        std::vector<size_t> block_of(keys.size());
        std::vector<std::pair<size_t, size_t>> blocks;  // [begin, end)
        for (size_t i = 0; i < keys.size();) {
          const size_t n = std::min(keys.size() - i, 1 + rnd.Uniform(40));
          blocks.emplace_back(i, i + n);
          for (size_t j = i; j < i + n; ++j) block_of[j] = blocks.size() - 1;
          i += n;
        }
        IndexBuilder builder(Options(version, restart_interval));
        std::vector<BlockHandle> handles;
        uint64_t offset = 0;
        for (size_t b = 0; b < blocks.size(); ++b) {
          const BlockHandle h(offset, 100 + rnd.Uniform(5000));
          offset = h.end_offset_with_trailer();
          handles.push_back(h);
          const Slice next = b + 1 < blocks.size()
                                 ? Slice(keys[blocks[b + 1].first])
                                 : Slice();
          ASSERT_OK(builder.AddIndexEntry(
              keys[blocks[b].second - 1],
              b + 1 < blocks.size() ? &next : nullptr, h));
        }
        std::string contents = builder.Finish().ToString();
        const bool user_keys = builder.index_key_is_user_key();
        if (version <= 2) {
          EXPECT_FALSE(user_keys);
        }
        std::unique_ptr<Block> block;
        ASSERT_OK(
            Block::Create(BlockContents::Own(std::move(contents)), &block));
        const BlockIterOptions options = BlockIterOptions::IndexBlock(
            user_keys, builder.index_value_is_delta_encoded());
        BlockIter iter(block.get(), options);
        for (size_t i = 0; i < keys.size(); ++i) {
          iter.Seek(user_keys ? ExtractUserKey(keys[i]) : Slice(keys[i]));
          ASSERT_TRUE(iter.Valid()) << i;
          ASSERT_EQ(handles[block_of[i]], iter.handle()) << i;
        }
        // Keys that are not in the file: the chosen block is the first whose
        // keys are not all below the target.
        for (int t = 0; t < 1000; ++t) {
          const std::string target =
              MakeInternalKey(rnd.RandomBytes(1 + rnd.Uniform(4)),
                              rnd.Uniform(100), ValueType::kValue);
          iter.Seek(user_keys ? ExtractUserKey(target) : Slice(target));
          ASSERT_OK(iter.status());
          size_t got = blocks.size();
          if (iter.Valid()) {
            got = std::find(handles.begin(), handles.end(), iter.handle()) -
                  handles.begin();
            ASSERT_LT(got, blocks.size());
          }
          if (got > 0) {
            // Everything before the chosen block is below the target.
            EXPECT_LT(InternalKeyComparator::Compare(
                          keys[blocks[got - 1].second - 1], target),
                      0);
          }
          if (got < blocks.size()) {
            // The chosen block or the one after it holds the answer.
            const auto lb = std::lower_bound(keys.begin(), keys.end(), target,
                                             InternalKeyComparator());
            if (lb != keys.end()) {
              const size_t want = block_of[lb - keys.begin()];
              EXPECT_TRUE(want == got || want == got + 1);
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace strata
