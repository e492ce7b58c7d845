#include "table/data_block_hash_index.h"

#include <gtest/gtest.h>

#include <string>

#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

// ../shared/spec/sst-format.md section 21, column "seed 397".
TEST(DataBlockHashIndexTest, HashMatchesSpecVectors) {
  EXPECT_EQ(0x0000018du, DataBlockHashIndexHash(""));
  EXPECT_EQ(0x5c8473b1u, DataBlockHashIndexHash("a"));
  EXPECT_EQ(0xf55685dau, DataBlockHashIndexHash("apple"));
  EXPECT_EQ(0x065a75a5u, DataBlockHashIndexHash("banana"));
  EXPECT_EQ(0x97adab89u, DataBlockHashIndexHash("cherry"));
  EXPECT_EQ(0x9c6b3fd7u, DataBlockHashIndexHash("hello world!"));
}

TEST(DataBlockHashIndexTest, FooterWordPacksFlagAndCount) {
  EXPECT_EQ(5u, PackBlockFooter(DataBlockIndexType::kBinarySearch, 5));
  EXPECT_EQ(0x80000005u,
            PackBlockFooter(DataBlockIndexType::kBinaryAndHash, 5));
  DataBlockIndexType type;
  uint32_t n;
  UnpackBlockFooter(0x80000005u, 4096, &type, &n);
  EXPECT_EQ(DataBlockIndexType::kBinaryAndHash, type);
  EXPECT_EQ(5u, n);
  UnpackBlockFooter(0x80000005u, 65536, &type, &n);
  EXPECT_EQ(DataBlockIndexType::kBinaryAndHash, type);
  // Above 64 KiB bit 31 is part of the count.
  UnpackBlockFooter(0x80000005u, 65537, &type, &n);
  EXPECT_EQ(DataBlockIndexType::kBinarySearch, type);
  EXPECT_EQ(0x80000005u, n);
  UnpackBlockFooter(7, 100, &type, &n);
  EXPECT_EQ(DataBlockIndexType::kBinarySearch, type);
  EXPECT_EQ(7u, n);
}

TEST(DataBlockHashIndexTest, BuilderIsInvalidUntilInitialized) {
  DataBlockHashIndexBuilder builder;
  EXPECT_FALSE(builder.Valid());
  builder.Reset();
  EXPECT_FALSE(builder.Valid());
  builder.Initialize(0.75);
  EXPECT_TRUE(builder.Valid());
}

TEST(DataBlockHashIndexTest, BucketCountIsTruncatedEstimateMadeOdd) {
  DataBlockHashIndexBuilder builder;
  builder.Initialize(0.5);  // Two buckets per key.
  EXPECT_EQ(2u + 1, builder.EstimateSize());
  std::string out;
  builder.Finish(&out);  // No keys: one bucket, empty.
  EXPECT_EQ(
      "ff"
      "0100",
      Slice(out).ToHex());
  for (int i = 0; i < 3; ++i) {
    builder.Add(std::string(1, static_cast<char>('a' + i)), 0);
  }
  EXPECT_EQ(2u + 7, builder.EstimateSize());  // 6 -> 7.
  out.clear();
  builder.Finish(&out);
  EXPECT_EQ(9u, out.size());
  EXPECT_EQ(7u, DecodeFixed16(out.data() + 7));
}

TEST(DataBlockHashIndexTest, NonPositiveRatioMeansDefault) {
  DataBlockHashIndexBuilder builder;
  builder.Initialize(0);
  for (int i = 0; i < 3; ++i) {
    builder.Add(std::string(1, static_cast<char>('a' + i)), 0);
  }
  EXPECT_EQ(2u + 5, builder.EstimateSize());  // 3 / 0.75 = 4 -> 5.
}

TEST(DataBlockHashIndexTest, RestartIndexAbove253InvalidatesBuilder) {
  DataBlockHashIndexBuilder builder;
  builder.Initialize(0.75);
  builder.Add("k", 253);
  EXPECT_TRUE(builder.Valid());
  builder.Add("k", 254);
  EXPECT_FALSE(builder.Valid());
  builder.Reset();
  EXPECT_TRUE(builder.Valid());
}

TEST(DataBlockHashIndexTest, LookupFindsBuiltBuckets) {
  DataBlockHashIndexBuilder builder;
  builder.Initialize(0.75);
  builder.Add("apple", 0);
  builder.Add("banana", 1);
  std::string region = "restarts";  // Stand-in for what precedes the index.
  builder.Finish(&region);
  DataBlockHashIndex index;
  uint32_t buckets_offset = 0;
  ASSERT_OK(index.Initialize(region, &buckets_offset));
  EXPECT_EQ(8u, buckets_offset);
  EXPECT_EQ(3u, index.num_buckets());    // 2 / 0.75 = 2.67 -> 2 -> 3.
  EXPECT_EQ(0, index.Lookup("apple"));   // Bucket 0xf55685da % 3 == 1.
  EXPECT_EQ(1, index.Lookup("banana"));  // Bucket 0x065a75a5 % 3 == 0.
  EXPECT_EQ(kHashIndexNoEntry, index.Lookup("cherry"));  // Bucket 2.
}

TEST(DataBlockHashIndexTest, InitializeRejectsZeroOrOversizedBucketCount) {
  DataBlockHashIndex index;
  uint32_t offset = 0;
  EXPECT_TRUE(index.Initialize(Slice("\x00", 1), &offset).IsCorruption());
  EXPECT_TRUE(
      index.Initialize(Slice("abc\x00\x00", 5), &offset).IsCorruption());
  // 4 buckets claimed, 3 bytes available.
  EXPECT_TRUE(
      index.Initialize(Slice("abc\x04\x00", 5), &offset).IsCorruption());
  ASSERT_OK(index.Initialize(Slice("abc\x03\x00", 5), &offset));
  EXPECT_EQ(0u, offset);
}

}  // namespace
}  // namespace strata
