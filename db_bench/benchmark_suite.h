// How db_bench's benchmarks are organized: a BenchmarkSuite runs a family of
// named benchmarks (micro benchmarks, SST file benchmarks, store
// benchmarks); each suite registers itself at static-initialization time, so
// the driver (db_bench.cc) knows only this interface.
//
// Run protocol per benchmark: Prepare (once, before the threads start; may
// open or recreate the DB), then Run on every thread with its own
// ThreadState, then the driver merges and reports the threads' Stats.
// Benchmarks that RocksDB's db_bench reports with a line of their own rather
// than a result line (stats, levelstats, sstables, flush, waitforcompaction)
// have PrintOnly() true: the driver calls Print() instead.
//
// Thread-safety: Run() is called concurrently, one call per thread; every
// other method from the driver's thread only.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "db_bench/io_report.h"
#include "db_bench/key_value_gen.h"
#include "db_bench/stats.h"
#include "strata/status.h"

namespace strata::bench {

struct ThreadState {
  ThreadState(int tid_in, uint64_t seed, const StatsOptions& stats_options)
      : tid(tid_in), rand(seed), stats(stats_options) {}
  int tid;
  Random64 rand;
  Stats stats;
  // Threads of this benchmark that have not finished yet (readwhilewriting's
  // writer stops when it is the last one running).
  std::atomic<int>* running = nullptr;
};

class BenchmarkSuite {
 public:
  virtual ~BenchmarkSuite() = default;
  virtual bool Has(const std::string& name) const = 0;
  // Threads beyond --threads the benchmark adds (readwhilewriting: 1).
  virtual int ExtraThreads(const std::string& /*name*/) const { return 0; }
  virtual bool PrintOnly(const std::string& /*name*/) const { return false; }
  // Why the benchmark is skipped ("--use_existing_db is true"), or "".
  virtual std::string SkipReason(const std::string& /*name*/) const {
    return "";
  }
  // Non-OK: the driver prints the message and exits with status 1.
  virtual Status Prepare(const std::string& name) = 0;
  virtual void Run(const std::string& name, ThreadState* thread) = 0;
  virtual void Print(const std::string& /*name*/) {}
  // After each benchmark: the store's Statistics counted since Prepare,
  // for the I/O report and --report_json. False when the suite keeps no
  // Statistics (the benchmark does not go through the store).
  virtual bool IOStatisticsDelta(IOSnapshot* /*delta*/) { return false; }
  // At exit: closes what Prepare opened; non-OK is reported.
  virtual Status Finish() { return Status::OK(); }
  // The --statistics dump (empty when the suite collects none).
  virtual std::string StatisticsDump() { return ""; }
};

// Registration: `static SuiteRegistrar r([] { return std::make_unique<X>();
// });`
using SuiteFactory = std::unique_ptr<BenchmarkSuite> (*)();
std::vector<SuiteFactory>& SuiteFactories();
struct SuiteRegistrar {
  explicit SuiteRegistrar(SuiteFactory factory) {
    SuiteFactories().push_back(factory);
  }
};

// Shared helpers for suites.

// The DB directory (--db, or RocksDB's default /tmp/rocksdbtest-<uid>/dbbench).
const std::string& DBPath();
// The format of keys from the flags (key_size, prefix_size, ...), with
// `key_size_delta` added to key_size (readmissing asks for 1).
KeyFormat KeyFormatFromFlags(int key_size_delta = 0);
// --reads, --writes, --deletes with RocksDB's "negative means --num".
int64_t ReadsPerThread();
int64_t WritesPerThread();
int64_t DeletesPerThread();

// Stops a benchmark after --duration seconds if set, else after `max_ops`.
class Duration {
 public:
  Duration(uint64_t max_seconds, int64_t max_ops);
  // Counts `increment` more ops; true when the benchmark should stop.
  bool Done(int64_t increment);

 private:
  const uint64_t max_micros_;
  const int64_t max_ops_;
  int64_t ops_ = 0;
  const uint64_t start_;
};

}  // namespace strata::bench
