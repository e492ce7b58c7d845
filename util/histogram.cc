#include "util/histogram.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>

namespace strata {
namespace {

std::vector<uint64_t> MakeBucketLimits() {
  std::vector<uint64_t> limits = {1, 2};
  constexpr double kMax =
      static_cast<double>(std::numeric_limits<uint64_t>::max());
  double next = 2;
  while ((next *= 1.5) <= kMax) {
    uint64_t limit = static_cast<uint64_t>(next);
    // Keep two significant digits so the limits read well (172 -> 170).
    uint64_t scale = 1;
    while (limit / 10 > 10) {
      limit /= 10;
      scale *= 10;
    }
    // The next limit grows from the unrounded value, as RocksDB's does.
    limits.push_back(limit * scale);
  }
  return limits;
}

}  // namespace

const std::vector<uint64_t>& Histogram::BucketLimits() {
  static const std::vector<uint64_t> limits = MakeBucketLimits();
  return limits;
}

size_t Histogram::BucketIndex(uint64_t value) {
  const std::vector<uint64_t>& limits = BucketLimits();
  if (value >= limits.back()) return limits.size() - 1;
  return std::lower_bound(limits.begin(), limits.end(), value) - limits.begin();
}

Histogram::Histogram() { Clear(); }

void Histogram::Clear() {
  buckets_.assign(BucketLimits().size(), 0);
  count_ = 0;
  min_ = BucketLimits().back();
  max_ = 0;
  sum_ = 0;
  sum_squares_ = 0;
}

void Histogram::Add(uint64_t value) {
  ++buckets_[BucketIndex(value)];
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  ++count_;
  sum_ += value;
  sum_squares_ += value * value;
}

void Histogram::Merge(const Histogram& other) {
  for (size_t b = 0; b < buckets_.size(); ++b) buckets_[b] += other.buckets_[b];
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
  sum_squares_ += other.sum_squares_;
}

double Histogram::Average() const {
  if (count_ == 0) return 0;
  return static_cast<double>(sum_) / static_cast<double>(count_);
}

double Histogram::StandardDeviation() const {
  if (count_ == 0) return 0;
  const double variance =
      static_cast<double>(sum_squares_ * count_ - sum_ * sum_) /
      static_cast<double>(count_ * count_);
  return std::sqrt(variance);
}

double Histogram::Percentile(double p) const {
  const std::vector<uint64_t>& limits = BucketLimits();
  const double threshold = static_cast<double>(count_) * (p / 100.0);
  uint64_t cumulative = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    const uint64_t in_bucket = buckets_[b];
    cumulative += in_bucket;
    if (static_cast<double>(cumulative) < threshold) continue;
    const uint64_t left = b == 0 ? 0 : limits[b - 1];
    const uint64_t right = limits[b];
    const uint64_t before = cumulative - in_bucket;
    double position = 0;
    if (in_bucket != 0) {
      position = (threshold - static_cast<double>(before)) /
                 static_cast<double>(in_bucket);
    }
    double r = static_cast<double>(left) +
               static_cast<double>(right - left) * position;
    r = std::max(r, static_cast<double>(min_));
    r = std::min(r, static_cast<double>(max_));
    return r;
  }
  return static_cast<double>(max_);
}

std::string Histogram::ToString() const {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line),
                "Count: %" PRIu64 " Average: %.4f  StdDev: %.2f\n", count_,
                Average(), StandardDeviation());
  out += line;
  std::snprintf(line, sizeof(line),
                "Min: %" PRIu64 "  Median: %.4f  Max: %" PRIu64 "\n", min(),
                Median(), max());
  out += line;
  std::snprintf(line, sizeof(line),
                "Percentiles: P50: %.2f P75: %.2f P99: %.2f P99.9: %.2f "
                "P99.99: %.2f\n",
                Percentile(50), Percentile(75), Percentile(99),
                Percentile(99.9), Percentile(99.99));
  out += line;
  out += "------------------------------------------------------\n";
  if (count_ == 0) return out;
  const std::vector<uint64_t>& limits = BucketLimits();
  const double percent_per_value = 100.0 / static_cast<double>(count_);
  uint64_t cumulative = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) {
    if (buckets_[b] == 0) continue;
    cumulative += buckets_[b];
    const double share = percent_per_value * static_cast<double>(buckets_[b]);
    std::snprintf(
        line, sizeof(line),
        "%c %7" PRIu64 ", %7" PRIu64 " ] %8" PRIu64 " %7.3f%% %7.3f%% ",
        b == 0 ? '[' : '(', b == 0 ? 0 : limits[b - 1], limits[b], buckets_[b],
        share, percent_per_value * static_cast<double>(cumulative));
    out += line;
    out.append(static_cast<size_t>(share / 5 + 0.5), '#');
    out += '\n';
  }
  return out;
}

}  // namespace strata
