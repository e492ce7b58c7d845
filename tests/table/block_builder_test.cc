#include "table/block_builder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "table/internal_key.h"
#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

std::string Put(const std::string& user_key, SequenceNumber seq = 0) {
  return MakeInternalKey(user_key, seq, ValueType::kValue);
}

// The 59 entry bytes of the worked example's data block
// (../shared/spec/sst-format.md section 20.2).
const char kTiny3Entries[] =
    "000d03"
    "6170706c65"
    "0100000000000000"
    "726564"
    "000e06"
    "62616e616e61"
    "0100000000000000"
    "79656c6c6f77"
    "000e00"
    "636865727279"
    "0100000000000000";

void AddTiny3(BlockBuilder* builder) {
  builder->Add(Put("apple"), "red");
  builder->Add(Put("banana"), "yellow");
  builder->Add(Put("cherry"), "");
}

TEST(BlockBuilderTest, EmptyBlockIsOneRestartAndCount) {
  BlockBuilder builder(16);
  EXPECT_TRUE(builder.empty());
  EXPECT_EQ(8u, builder.CurrentSizeEstimate());
  EXPECT_EQ("0000000001000000", builder.Finish().ToHex());
}

TEST(BlockBuilderTest, WorkedExampleDataBlock) {
  BlockBuilder builder(16);
  AddTiny3(&builder);
  EXPECT_EQ(3u, builder.num_entries());
  const Slice block = builder.Finish();
  EXPECT_EQ(67u, block.size());
  EXPECT_EQ(std::string(kTiny3Entries) +
                "00000000"
                "01000000",
            block.ToHex());
  EXPECT_FALSE(builder.has_hash_index());
}

TEST(BlockBuilderTest, SharesPrefixWithThePreviousKey) {
  BlockBuilder builder(16);
  builder.Add("abc", "x");
  builder.Add("abd", "y");
  builder.Add("b", "");
  builder.Add("b\x01", "z");
  EXPECT_EQ(
      "000301"
      "616263"
      "78"
      "020101"
      "64"
      "79"
      "000100"
      "62"
      "010101"
      "01"
      "7a"
      "00000000"
      "01000000",
      builder.Finish().ToHex());
}

TEST(BlockBuilderTest, RestartPointEveryIntervalEntries) {
  BlockBuilder builder(3);
  std::vector<uint32_t> offsets;
  std::string expected_entries;
  for (int i = 0; i < 7; ++i) {
    const std::string key = "key" + std::to_string(i);
    offsets.push_back(static_cast<uint32_t>(expected_entries.size()));
    const bool restart = i % 3 == 0;
    const size_t shared = restart ? 0 : 3;
    PutVarint32(&expected_entries, static_cast<uint32_t>(shared));
    PutVarint32(&expected_entries, static_cast<uint32_t>(key.size() - shared));
    PutVarint32(&expected_entries, 1);
    expected_entries += key.substr(shared) + "v";
    builder.Add(key, "v");
  }
  std::string expected = expected_entries;
  for (int i : {0, 3, 6}) {
    PutFixed32(&expected, offsets[i]);
  }
  PutFixed32(&expected, 3);
  EXPECT_EQ(Slice(expected).ToHex(), builder.Finish().ToHex());
}

TEST(BlockBuilderTest, WithoutDeltaEncodingNothingIsShared) {
  BlockBuilder builder(16, /*use_delta_encoding=*/false);
  builder.Add("abc", "");
  builder.Add("abd", "");
  EXPECT_EQ(
      "000300"
      "616263"
      "000300"
      "616264"
      "00000000"
      "01000000",
      builder.Finish().ToHex());
}

TEST(BlockBuilderTest, ValueDeltaEncodingDropsLengthAndStoresDeltaWhenShared) {
  BlockBuilder builder(2, true, /*use_value_delta_encoding=*/true);
  const Slice delta("D");
  builder.Add("k1", "H1", &delta);  // First entry: full value.
  builder.Add("k2", "H2", &delta);  // Shares "k": stores the delta.
  builder.Add("k3", "H3", &delta);  // Restart point: full value.
  builder.Add("x", "H4", &delta);   // Shares nothing: full value.
  EXPECT_EQ(
      "0002"
      "6b31"
      "4831"
      "0101"
      "32"
      "44"
      "0002"
      "6b33"
      "4833"
      "0001"
      "78"
      "4834"
      "00000000"
      "0a000000"
      "02000000",
      builder.Finish().ToHex());
}

TEST(BlockBuilderTest, SizeEstimateMatchesFinishedSize) {
  test::Random rnd(11);
  for (int interval : {1, 5, 16}) {
    std::vector<std::pair<std::string, std::string>> entries;
    std::string key;
    for (int i = 0; i < 60; ++i) {
      key += rnd.RandomBytes(1 + rnd.Uniform(3));
      entries.emplace_back(key, rnd.RandomBytes(rnd.Uniform(300)));
    }
    for (size_t n = 0; n <= entries.size(); n += 7) {
      BlockBuilder builder(interval);
      for (size_t i = 0; i < n; ++i) {
        builder.Add(entries[i].first, entries[i].second);
      }
      const size_t estimate = builder.CurrentSizeEstimate();
      EXPECT_EQ(estimate, builder.Finish().size()) << interval << " " << n;
    }
  }
}

TEST(BlockBuilderTest, EstimateSizeAfterKvFollowsRocksDbFormula) {
  BlockBuilder builder(2);
  const std::string value(200, 'v');
  // Empty block: 8 + key + value + 4 (shared) + varint(key) + varint(value).
  EXPECT_EQ(8u + 10 + 200 + 4 + 1 + 2,
            builder.EstimateSizeAfterKV("0123456789", value));
  builder.Add("0123456789", value);
  builder.Add("0123456799", value);
  // The next entry starts a restart point: 4 more bytes.
  EXPECT_EQ(builder.CurrentSizeEstimate() + 10 + 200 + 4 + 4 + 1 + 2,
            builder.EstimateSizeAfterKV("0123456800", value));
}

TEST(BlockBuilderTest, EstimateForDeltaIndexEntriesCountsHalfTheValue) {
  BlockBuilder builder(16, true, /*use_value_delta_encoding=*/true);
  const Slice delta("d");
  builder.Add("k1", "0123456789", &delta);
  EXPECT_EQ(builder.CurrentSizeEstimate() + 2 + 5 + 4 + 1,
            builder.EstimateSizeAfterKV("k2", "0123456789"));
}

TEST(BlockBuilderTest, HashIndexIsAppendedAfterRestartArray) {
  BlockBuilder builder(16, true, false, DataBlockIndexType::kBinaryAndHash);
  AddTiny3(&builder);
  // 3 keys / 0.75 = 4 buckets, made odd: 5. Hash32(seed 397): apple
  // 0xf55685da % 5 = 2, banana 0x065a75a5 % 5 = 3, cherry 0x97adab89 % 5 = 2,
  // all in restart interval 0.
  const size_t estimate = builder.CurrentSizeEstimate();
  const Slice block = builder.Finish();
  EXPECT_EQ(std::string(kTiny3Entries) + "00000000" + "ffff0000ff" + "0500" +
                "01000080",
            block.ToHex());
  EXPECT_EQ(estimate, block.size());
  EXPECT_TRUE(builder.has_hash_index());
}

TEST(BlockBuilderTest, HashIndexMarksBucketsSharedByIntervalsAsCollisions) {
  BlockBuilder builder(1, true, false, DataBlockIndexType::kBinaryAndHash);
  AddTiny3(&builder);  // Restart intervals 0, 1, 2.
  const std::string hex = builder.Finish().ToHex();
  // apple (interval 0) and cherry (interval 2) share bucket 2.
  EXPECT_EQ(
      "ffff"
      "fe"
      "01"
      "ff"
      "0500"
      "03000080",
      hex.substr(hex.size() - 2 * (5 + 2 + 4)));
}

TEST(BlockBuilderTest, HashIndexDroppedPast253RestartIntervalsAndStaysOff) {
  BlockBuilder builder(1, true, false, DataBlockIndexType::kBinaryAndHash);
  for (int i = 0; i < 300; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%05d", i);
    builder.Add(Put(key), "v");
  }
  const size_t estimate = builder.CurrentSizeEstimate();
  Slice block = builder.Finish();
  EXPECT_EQ(estimate, block.size());
  EXPECT_FALSE(builder.has_hash_index());
  EXPECT_EQ(300u, DecodeFixed32(block.data() + block.size() - 4));

  // RocksDB's builder does not re-enable the hash index after Reset.
  builder.Reset();
  AddTiny3(&builder);
  block = builder.Finish();
  EXPECT_FALSE(builder.has_hash_index());
  EXPECT_EQ(3u, DecodeFixed32(block.data() + block.size() - 4));

  // Up to interval 253 it is kept.
  BlockBuilder fresh(1, true, false, DataBlockIndexType::kBinaryAndHash);
  for (int i = 0; i < 254; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%05d", i);
    fresh.Add(Put(key), "v");
  }
  block = fresh.Finish();
  EXPECT_TRUE(fresh.has_hash_index());
  EXPECT_EQ(254u | (1u << 31), DecodeFixed32(block.data() + block.size() - 4));
}

TEST(BlockBuilderTest, HashIndexOmittedFromBlocksAbove64KiB) {
  BlockBuilder builder(16, true, false, DataBlockIndexType::kBinaryAndHash);
  builder.Add(Put("a"), std::string(40000, 'x'));
  builder.Add(Put("b"), std::string(40000, 'y'));
  const Slice block = builder.Finish();
  EXPECT_FALSE(builder.has_hash_index());
  EXPECT_EQ(1u, DecodeFixed32(block.data() + block.size() - 4));
}

TEST(BlockBuilderTest, HashIndexReenabledByResetWhileValid) {
  BlockBuilder builder(16, true, false, DataBlockIndexType::kBinaryAndHash);
  AddTiny3(&builder);
  const std::string first = builder.Finish().ToString();
  builder.Reset();
  EXPECT_TRUE(builder.empty());
  EXPECT_EQ(0u, builder.num_entries());
  AddTiny3(&builder);
  EXPECT_EQ(first, builder.Finish().ToString());
  EXPECT_TRUE(builder.has_hash_index());
}

}  // namespace
}  // namespace strata
