// Histogram: a latency distribution with RocksDB's bucket boundaries and
// RocksDB's text layout (HistogramImpl::ToString), so that `db_bench
// --histogram` output parses with the same scripts.
//
// Buckets: the upper limits are 1, 2, then each limit is 1.5 times the
// previous one, truncated to its two most significant decimal digits
// (3, 4, 6, 10, 15, 22, 34, 51, 76, 110, 170, ...), up to the largest such
// value below 2^64. A value v falls in the first bucket whose limit is >= v;
// values at or above the last limit go in the last bucket.
//
// Thread-safety: not thread-safe; give each thread its own Histogram and
// Merge() them afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

class Histogram {
 public:
  Histogram();

  void Clear();
  void Add(uint64_t value);
  // Adds every value recorded by `other`.
  void Merge(const Histogram& other);

  uint64_t count() const { return count_; }
  // 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  uint64_t sum() const { return sum_; }

  double Average() const;
  double StandardDeviation() const;
  // The p-th percentile (0 < p <= 100), interpolated linearly inside the
  // bucket that holds it and clamped to [min, max].
  double Percentile(double p) const;
  double Median() const { return Percentile(50); }

  // Count/Average/StdDev, Min/Median/Max and P50..P99.99 lines, a dashed
  // line, then one line per non-empty bucket with its share, cumulative
  // share and a bar of '#' (20 for 100%). Ends with a newline.
  std::string ToString() const;

  // The bucket limits (shared by every Histogram).
  static const std::vector<uint64_t>& BucketLimits();
  // The bucket `value` belongs to.
  static size_t BucketIndex(uint64_t value);

 private:
  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t min_;
  uint64_t max_ = 0;
  uint64_t sum_ = 0;
  // Wraps like RocksDB's (uint64_t) on huge values; only the text shows it.
  uint64_t sum_squares_ = 0;
};

}  // namespace strata
