#include "table/flush_block_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "table/block_builder.h"

namespace strata {
namespace {

FlushBlockPolicyOptions Options(size_t block_size, int deviation,
                                bool align = false) {
  FlushBlockPolicyOptions options;
  options.block_size = block_size;
  options.block_size_deviation = deviation;
  options.block_align = align;
  return options;
}

// Keys with nothing in common, so every entry is 3 + 10 + 100 = 113 bytes
// and a block of n entries (n <= 16) is estimated at 8 + 113 n; the
// estimate after one more entry adds 10 + 100 + 4 + 1 + 1 = 116.
std::string Key(int i) { return std::string(10, static_cast<char>('a' + i)); }
const std::string kValue(100, 'v');

// Entries per block when `count` entries are added under the policy.
std::vector<int> BlockSizes(const FlushBlockPolicyOptions& options, int count) {
  BlockBuilder builder(16);
  FlushBlockPolicy policy(options, builder);
  std::vector<int> sizes;
  int in_block = 0;
  for (int i = 0; i < count; ++i) {
    if (policy.ShouldCut(Key(i), kValue)) {
      sizes.push_back(in_block);
      builder.Reset();
      in_block = 0;
    }
    builder.Add(Key(i), kValue);
    ++in_block;
  }
  sizes.push_back(in_block);
  return sizes;
}

TEST(FlushBlockPolicyTest, DeviationLimitIsRoundedUp) {
  BlockBuilder builder(16);
  EXPECT_EQ(3687u,
            FlushBlockPolicy(Options(4096, 10), builder).deviation_limit());
  EXPECT_EQ(461u,
            FlushBlockPolicy(Options(512, 10), builder).deviation_limit());
  EXPECT_EQ(4096u,
            FlushBlockPolicy(Options(4096, 0), builder).deviation_limit());
  EXPECT_EQ(0u,
            FlushBlockPolicy(Options(4096, 100), builder).deviation_limit());
}

TEST(FlushBlockPolicyTest, NeverCutsAnEmptyBlock) {
  BlockBuilder builder(16);
  FlushBlockPolicy policy(Options(16, 10), builder);
  EXPECT_FALSE(policy.ShouldCut("key", std::string(100000, 'x')));
}

TEST(FlushBlockPolicyTest, CutsOnceTheEstimateReachesBlockSize) {
  // 512: after 4 entries the estimate is 460, not past the limit 461, so a
  // fifth entry goes in (573 >= 512) and the sixth starts a new block.
  EXPECT_EQ((std::vector<int>{5, 5, 2}), BlockSizes(Options(512, 10), 12));
}

TEST(FlushBlockPolicyTest, CutsEarlyPastTheDeviationLimit) {
  // 500: limit 450; at 460 the next entry would reach 576 > 500: cut.
  EXPECT_EQ((std::vector<int>{4, 4, 4}), BlockSizes(Options(500, 10), 12));
}

TEST(FlushBlockPolicyTest, FullDeviationDisablesTheEarlyCut) {
  EXPECT_EQ((std::vector<int>{5, 5, 2}), BlockSizes(Options(500, 100), 12));
}

TEST(FlushBlockPolicyTest, BlockAlignCountsTheTrailerAndIgnoresDeviation) {
  // 580 with alignment: at 4 entries 460 + 116 + 5 = 581 > 580: cut.
  EXPECT_EQ((std::vector<int>{4, 4, 4}),
            BlockSizes(Options(580, 0, /*align=*/true), 12));
  // Without it (deviation 0: limit 580) the block grows until its estimate
  // reaches 580: 6 entries (686).
  EXPECT_EQ((std::vector<int>{6, 6}), BlockSizes(Options(580, 0), 12));
}

}  // namespace
}  // namespace strata
