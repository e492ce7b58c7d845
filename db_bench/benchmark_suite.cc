#include "db_bench/benchmark_suite.h"

#include <unistd.h>

#include <algorithm>

#include "db_bench/bench_flags.h"

namespace strata::bench {

std::vector<SuiteFactory>& SuiteFactories() {
  static std::vector<SuiteFactory> factories;
  return factories;
}

const std::string& DBPath() {
  static const std::string path =
      !FLAGS_db.empty()
          ? FLAGS_db
          : "/tmp/rocksdbtest-" + std::to_string(geteuid()) + "/dbbench";
  return path;
}

KeyFormat KeyFormatFromFlags(int key_size_delta) {
  KeyFormat format;
  format.key_size = FLAGS_key_size + key_size_delta;
  format.prefix_size = FLAGS_prefix_size;
  format.keys_per_prefix = FLAGS_keys_per_prefix;
  format.num_keys = FLAGS_num;
  return format;
}

int64_t ReadsPerThread() { return FLAGS_reads < 0 ? FLAGS_num : FLAGS_reads; }
int64_t WritesPerThread() {
  return FLAGS_writes < 0 ? FLAGS_num : FLAGS_writes;
}
int64_t DeletesPerThread() {
  return FLAGS_deletes < 0 ? FLAGS_num : FLAGS_deletes;
}

Duration::Duration(uint64_t max_seconds, int64_t max_ops)
    : max_micros_(max_seconds * 1000000),
      max_ops_(max_ops),
      start_(NowMicros()) {}

bool Duration::Done(int64_t increment) {
  ops_ += std::max<int64_t>(increment, 0);
  if (max_micros_ == 0) return ops_ > max_ops_;
  // Reading the clock every op would cost more than some ops; check every
  // 1000th, as RocksDB does.
  if (ops_ % 1000 != 0 && increment == 1) return false;
  return NowMicros() - start_ > max_micros_;
}

}  // namespace strata::bench
