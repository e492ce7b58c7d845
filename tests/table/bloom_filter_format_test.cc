#include "table/bloom_filter_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "testutil/testutil.h"
#include "util/hash32.h"
#include "util/xxph3.h"

namespace strata {
namespace {

TEST(BloomFilterFormatTest, NamesAreRocksDbs) {
  EXPECT_EQ(kFullFilterMetaIndexKey, "fullfilter.rocksdb.BuiltinBloomFilter");
  EXPECT_EQ(std::string(kFullFilterBlockPrefix) +
                std::string(kBuiltinBloomFilterName),
            kFullFilterMetaIndexKey);
  EXPECT_EQ(kBloomFilterPolicyName, "bloomfilter");
}

TEST(BloomFilterFormatTest, MillibitsRoundAndSanitizeAsRocksDb) {
  EXPECT_EQ(BloomMillibitsPerKey(10), 10000);
  EXPECT_EQ(BloomMillibitsPerKey(9.999), 9999);  // The +0.500001 nudge.
  EXPECT_EQ(BloomMillibitsPerKey(9.9), 9900);
  EXPECT_EQ(BloomMillibitsPerKey(7.4999999999999), 7500);
  EXPECT_EQ(BloomMillibitsPerKey(23.7), 23700);
  // Below 0.5: no filter. [0.5, 1): one bit. 100 and beyond (and NaN): 100.
  EXPECT_EQ(BloomMillibitsPerKey(-1), 0);
  EXPECT_EQ(BloomMillibitsPerKey(0), 0);
  EXPECT_EQ(BloomMillibitsPerKey(0.4999), 0);
  EXPECT_EQ(BloomMillibitsPerKey(0.5), 1000);
  EXPECT_EQ(BloomMillibitsPerKey(0.999), 1000);
  EXPECT_EQ(BloomMillibitsPerKey(99.9), 99900);
  EXPECT_EQ(BloomMillibitsPerKey(100), 100000);
  EXPECT_EQ(BloomMillibitsPerKey(1e9), 100000);
  EXPECT_EQ(BloomMillibitsPerKey(std::numeric_limits<double>::infinity()),
            100000);
  EXPECT_EQ(BloomMillibitsPerKey(std::nan("")), 100000);
}

TEST(BloomFilterFormatTest, FastLocalBloomProbesFollowRocksDbsTable) {
  struct Case {
    int millibits;
    int probes;
  };
  const Case kCases[] = {
      {1000, 1},   {2080, 1},    {2081, 2},   {3580, 2},   {3581, 3},
      {5100, 3},   {5101, 4},    {6640, 4},   {6641, 5},   {8300, 5},
      {8301, 6},   {10000, 6},   {10070, 6},  {10071, 7},  {11720, 7},
      {11721, 8},  {14001, 8},   {14002, 9},  {16050, 9},  {16051, 10},
      {18300, 10}, {18301, 11},  {22001, 11}, {22002, 12}, {25501, 12},
      {25502, 11}, {26001, 12},  {30000, 13}, {40000, 18}, {50000, 23},
      {50001, 24}, {100000, 24},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(FastLocalBloomNumProbes(c.millibits), c.probes) << c.millibits;
  }
}

TEST(BloomFilterFormatTest, LegacyBloomProbesAreBitsTimesPoint69Clamped) {
  EXPECT_EQ(LegacyBloomBitsPerKey(10000), 10);
  EXPECT_EQ(LegacyBloomBitsPerKey(9499), 9);
  EXPECT_EQ(LegacyBloomBitsPerKey(9500), 10);
  EXPECT_EQ(LegacyBloomNumProbes(1), 1);   // 0.69 -> clamped up to 1.
  EXPECT_EQ(LegacyBloomNumProbes(2), 1);   // 1.38
  EXPECT_EQ(LegacyBloomNumProbes(3), 2);   // 2.07
  EXPECT_EQ(LegacyBloomNumProbes(10), 6);  // 6.9
  EXPECT_EQ(LegacyBloomNumProbes(20), 13);
  EXPECT_EQ(LegacyBloomNumProbes(43), 29);   // 29.67
  EXPECT_EQ(LegacyBloomNumProbes(44), 30);   // 30.36 -> 30
  EXPECT_EQ(LegacyBloomNumProbes(100), 30);  // Clamped down.
}

TEST(BloomFilterFormatTest, FastLocalBloomSizeRoundsUpToWholeLines) {
  EXPECT_EQ(FastLocalBloomBytes(0, 10000), 0u);
  EXPECT_EQ(FastLocalBloomBytes(1, 10000), 64u);  // 1.25 bytes.
  EXPECT_EQ(FastLocalBloomBytes(51, 10000), 64u);
  EXPECT_EQ(FastLocalBloomBytes(52, 10000), 128u);  // 65 bytes.
  EXPECT_EQ(FastLocalBloomBytes(1000, 1000), 128u);
  EXPECT_EQ(FastLocalBloomBytes(1, 100000), 64u);
  EXPECT_EQ(FastLocalBloomBytes(100, 100000), 1280u);
}

TEST(BloomFilterFormatTest, FastLocalBloomSizeIsCappedBelowFourGibibytes) {
  EXPECT_EQ(FastLocalBloomBytes(3435973700u, 10000), 0xffffff80u);
  EXPECT_EQ(FastLocalBloomBytes(3435973785u, 10000), 0xffffffc0u);
  EXPECT_EQ(FastLocalBloomBytes(3435973786u, 10000), 0xffffffc0u);
  EXPECT_EQ(FastLocalBloomBytes(uint64_t{1} << 40, 10000), 0xffffffc0u);
  EXPECT_EQ(FastLocalBloomBytes(~uint64_t{0}, 100000), 0xffffffc0u);
}

TEST(BloomFilterFormatTest, LegacyBloomLineCountIsOdd) {
  EXPECT_EQ(LegacyBloomNumLines(0, 10), 0u);
  EXPECT_EQ(LegacyBloomNumLines(1, 10), 1u);
  EXPECT_EQ(LegacyBloomNumLines(51, 10), 1u);   // 510 bits.
  EXPECT_EQ(LegacyBloomNumLines(52, 10), 3u);   // 2 lines, made odd.
  EXPECT_EQ(LegacyBloomNumLines(153, 10), 3u);  // 1530 bits.
  EXPECT_EQ(LegacyBloomNumLines(154, 10), 5u);
  EXPECT_EQ(LegacyBloomNumLines(1, 100), 1u);
}

TEST(BloomFilterFormatTest, LegacyBloomBitsAreCappedBelowFourGibibits) {
  // 0xffff0000 bits = 8388480 lines, made odd. Uncapped, 5e9 bits would
  // give 9765625 lines.
  EXPECT_EQ(LegacyBloomNumLines(429490176, 10), 8388481u);
  EXPECT_EQ(LegacyBloomNumLines(500000000, 10), 8388481u);
  EXPECT_EQ(LegacyBloomNumLines(~uint64_t{0}, 100), 8388481u);
}

std::vector<int> SetBits(const char* data, size_t bytes) {
  std::vector<int> bits;
  for (size_t i = 0; i < bytes * 8; ++i) {
    if (data[i / 8] & (1 << (i % 8))) bits.push_back(static_cast<int>(i));
  }
  return bits;
}

// The probe table of spec section 20.7: one 64-byte line, 6 probes.
TEST(BloomFilterFormatTest, FastLocalBloomSetsTheSpecsBits) {
  char line[64] = {};
  FastLocalBloomAdd(xxph3::Hash64("apple"), sizeof(line), 6, line);
  EXPECT_EQ(SetBits(line, sizeof(line)),
            (std::vector<int>{36, 84, 142, 144, 218, 463}));
  EXPECT_TRUE(FastLocalBloomMayMatch(xxph3::Hash64("apple"), 64, 6, line));

  char line2[64] = {};
  FastLocalBloomAdd(xxph3::Hash64("cherry"), sizeof(line2), 6, line2);
  EXPECT_EQ(SetBits(line2, sizeof(line2)),
            (std::vector<int>{13, 277, 298, 380, 452, 493}));
}

TEST(BloomFilterFormatTest, FastLocalBloomPicksTheLineFromTheLowHalf) {
  // Low 32 bits 0x80000000 with 4 lines: line (0x80000000 * 4) >> 32 = 2.
  const uint64_t hash = (uint64_t{0x12345678} << 32) | 0x80000000u;
  EXPECT_EQ(FastLocalBloomLineOffset(hash, 256), 128u);
  // A trailing partial line is never chosen: floor(255 / 64) = 3 lines.
  EXPECT_EQ(FastLocalBloomLineOffset(uint64_t{0xffffffffu}, 255), 128u);
  EXPECT_EQ(FastLocalBloomLineOffset(0, 255), 0u);
}

TEST(BloomFilterFormatTest, LegacyBloomSetsTheSpecsBits) {
  char line[64] = {};
  LegacyBloomAdd(Hash32("apple", kLegacyBloomHashSeed), 1, 6,
                 kLog2BloomCacheLineBytes, line);
  EXPECT_EQ(SetBits(line, sizeof(line)),
            (std::vector<int>{59, 122, 185, 248, 311, 374}));
  // "cherry": the step's low 9 bits are zero, so all 6 probes hit bit 410.
  char line2[64] = {};
  LegacyBloomAdd(Hash32("cherry", kLegacyBloomHashSeed), 1, 6,
                 kLog2BloomCacheLineBytes, line2);
  EXPECT_EQ(SetBits(line2, sizeof(line2)), (std::vector<int>{410}));
}

TEST(BloomFilterFormatTest, LegacyBloomPicksTheLineByModulo) {
  EXPECT_EQ(LegacyBloomLineOffset(10, 3, 6), 64u);  // 10 % 3 = 1.
  EXPECT_EQ(LegacyBloomLineOffset(0xffffffffu, 5, 7), 0u);
  EXPECT_EQ(LegacyBloomBitMask(6), 511u);
  EXPECT_EQ(LegacyBloomBitMask(7), 1023u);
  EXPECT_EQ(LegacyBloomBitMask(29), 0xffffffffu);
  EXPECT_EQ(LegacyBloomBitMask(32), 0xffffffffu);
}

}  // namespace
}  // namespace strata
