// Per-thread measurements of one benchmark run, and their report in
// RocksDB db_bench's exact layout:
//   fillseq      :       4.527 micros/op 220482 ops/sec 0.045 seconds
//   10000 operations;   24.4 MB/s <message>          (one line)
// then, with --histogram, one "Microseconds per <op>:" block per operation
// kind; plus "... finished N ops" progress on stderr while it runs.
//
// Thread-safety: a Stats belongs to one thread while the benchmark runs;
// Merge() and Report() run after every thread has stopped.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "util/histogram.h"

namespace strata::bench {

// Operation kinds with their own histogram; the names are RocksDB's
// ("Microseconds per read:"); kUncompress prints an empty name, as
// RocksDB 7.8.3 does.
enum class OpType {
  kRead,
  kWrite,
  kDelete,
  kSeek,
  kUpdate,
  kCrc,
  kHash,
  kCompress,
  kUncompress,
  kOthers,
  kCount
};

// Microseconds of a monotonic clock.
uint64_t NowMicros();

struct StatsOptions {
  bool histogram = false;
  bool progress_reports = true;
};

class Stats {
 public:
  explicit Stats(const StatsOptions& options) : options_(options) {}

  void Start();
  void Stop();
  // Counts `ops` finished operations of kind `type`; with --histogram also
  // records the time since the previous call.
  void FinishedOps(int64_t ops, OpType type);
  void AddBytes(int64_t bytes) { bytes_ += bytes; }
  // Appended to the result line after a space.
  void AddMessage(const std::string& message);
  // This thread's numbers are not part of the merged result (the writer
  // thread of readwhilewriting).
  void SetExcludeFromMerge() { exclude_from_merge_ = true; }

  void Merge(const Stats& other);
  // Prints the result line (and histograms) for `name` on stdout.
  void Report(const std::string& name) const;

  uint64_t done() const { return done_; }
  uint64_t bytes() const { return bytes_; }
  double ElapsedSeconds() const { return (finish_ - start_) * 1e-6; }
  // The result line's figures. A run without FinishedOps calls (compact)
  // counts as one operation, as in RocksDB.
  uint64_t ReportedOps() const { return done_ < 1 ? 1 : done_; }
  // Summed thread time per operation.
  double MicrosPerOp() const {
    return seconds_ * 1e6 / static_cast<double>(ReportedOps());
  }
  // Operations per second of wall time.
  double OpsPerSec() const {
    return static_cast<double>(ReportedOps()) / ElapsedSeconds();
  }

 private:
  StatsOptions options_;
  uint64_t start_ = 0;
  uint64_t finish_ = 0;
  double seconds_ = 0;  // Sum of the merged threads' running times.
  uint64_t done_ = 0;
  uint64_t bytes_ = 0;
  uint64_t next_report_ = 100;
  uint64_t last_op_finish_ = 0;
  bool exclude_from_merge_ = false;
  std::string message_;
  std::array<Histogram, static_cast<size_t>(OpType::kCount)> hist_;
  std::array<bool, static_cast<size_t>(OpType::kCount)> hist_used_{};
};

// Throughput of the repeated runs of one benchmark (name[X3]): the
// "[AVG n runs]" line after each run from the second on, and the final
// "[AVG    n runs]" and "[MEDIAN n runs]" lines, as RocksDB prints them.
class CombinedStats {
 public:
  void Add(const Stats& stats);
  void Report(const std::string& name) const;
  void ReportFinal(const std::string& name) const;

 private:
  std::vector<double> ops_per_sec_;
  std::vector<double> mb_per_sec_;
};

}  // namespace strata::bench
