#include "util/histogram.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace strata {
namespace {

TEST(HistogramTest, BucketLimitsAreRocksDBs) {
  const std::vector<uint64_t>& limits = Histogram::BucketLimits();
  const std::vector<uint64_t> first = {1,   2,   3,   4,    6,    10,  15,
                                       22,  34,  51,  76,   110,  170, 250,
                                       380, 580, 870, 1300, 1900, 2900};
  ASSERT_GE(limits.size(), first.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(limits[i], first[i]) << "bucket " << i;
  }
  EXPECT_EQ(limits.size(), 109u);  // RocksDB's HistogramStat has 109.
  for (size_t i = 1; i < limits.size(); ++i) {
    EXPECT_LT(limits[i - 1], limits[i]);
  }
}

TEST(HistogramTest, ValueGoesToFirstBucketWhoseLimitIsAtLeastIt) {
  EXPECT_EQ(Histogram::BucketIndex(0), 0u);
  EXPECT_EQ(Histogram::BucketIndex(1), 0u);
  EXPECT_EQ(Histogram::BucketIndex(2), 1u);
  EXPECT_EQ(Histogram::BucketIndex(5), 4u);  // (4, 6]
  EXPECT_EQ(Histogram::BucketIndex(6), 4u);
  EXPECT_EQ(Histogram::BucketIndex(7), 5u);  // (6, 10]
  EXPECT_EQ(Histogram::BucketIndex(~0ull),
            Histogram::BucketLimits().size() - 1);
}

TEST(HistogramTest, EmptyHistogramPrintsZerosAndNoBuckets) {
  Histogram h;
  EXPECT_EQ(h.ToString(),
            "Count: 0 Average: 0.0000  StdDev: 0.00\n"
            "Min: 0  Median: 0.0000  Max: 0\n"
            "Percentiles: P50: 0.00 P75: 0.00 P99: 0.00 P99.9: 0.00 "
            "P99.99: 0.00\n"
            "------------------------------------------------------\n");
}

TEST(HistogramTest, ToStringMatchesRocksDBLayout) {
  Histogram h;
  for (int i = 0; i < 3; ++i) h.Add(1);
  h.Add(5);
  // Computed by hand with RocksDB's rules: count 4, sum 8, sum of squares
  // 28; variance (28*4 - 64)/16 = 3; P50: threshold 2 of 3 in [0, 1] ->
  // 0.6667, clamped to min 1; P75: threshold 3 -> 1.0; P99: 3.96 falls in
  // (4, 6] -> 5.92, clamped to max 5.
  EXPECT_EQ(h.ToString(),
            "Count: 4 Average: 2.0000  StdDev: 1.73\n"
            "Min: 1  Median: 1.0000  Max: 5\n"
            "Percentiles: P50: 1.00 P75: 1.00 P99: 5.00 P99.9: 5.00 "
            "P99.99: 5.00\n"
            "------------------------------------------------------\n"
            "[       0,       1 ]        3  75.000%  75.000% ###############\n"
            "(       4,       6 ]        1  25.000% 100.000% #####\n");
}

TEST(HistogramTest, PercentileClampsToMinAndMax) {
  Histogram h;
  h.Add(100);
  h.Add(100);
  // Interpolation inside (76, 110] would give 93 for P50: clamped to 100.
  EXPECT_DOUBLE_EQ(h.Percentile(50), 100.0);
  EXPECT_DOUBLE_EQ(h.Percentile(99.99), 100.0);
  EXPECT_EQ(h.min(), 100u);
  EXPECT_EQ(h.max(), 100u);
}

TEST(HistogramTest, MergeAddsCountsAndExtremes) {
  Histogram a, b;
  a.Add(3);
  b.Add(1000);
  b.Add(7);
  a.Merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.sum(), 1010u);
  EXPECT_EQ(a.min(), 3u);
  EXPECT_EQ(a.max(), 1000u);
  Histogram c;
  c.Add(3);
  c.Add(7);
  c.Add(1000);
  EXPECT_EQ(a.ToString(), c.ToString());
}

TEST(HistogramTest, ClearForgetsEverything) {
  Histogram h;
  h.Add(42);
  h.Clear();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.ToString(), Histogram().ToString());
}

}  // namespace
}  // namespace strata
