// db_bench's I/O report: what one benchmark run did to the files, as text
// lines that start with '#' (so parsers of RocksDB's output skip them) and as
// an entry of the --report_json document. Both are rendered from the same
// IOReport value, and every I/O figure comes from a strata::Statistics delta
// taken around the run (include/strata/statistics.h: the store counts each
// byte by file kind and I/O mode as it crosses the file system) plus the
// page-cache residency of the DB directory's files.
//
// The JSON schema is documented in db_bench/README.md ("--report_json").
//
// Thread-safety: values and free functions; TakeIOSnapshot may run while
// the store works (each counter is read atomically, not as one cut).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "db_bench/json_writer.h"
#include "db_bench/page_cache_report.h"
#include "strata/statistics.h"

namespace strata::bench {

// Every counter of a Statistics object at one moment, or the difference of
// two such moments.
struct IOSnapshot {
  std::array<std::array<IOCounters, kNumIOModes>, kNumFileKinds> io{};
  std::array<uint64_t, TICKER_ENUM_MAX> tickers{};

  const IOCounters& cell(FileKind kind, IOMode mode) const {
    return io[static_cast<size_t>(kind)][static_cast<size_t>(mode)];
  }
  uint64_t ticker(Tickers t) const { return tickers[t]; }
};

IOSnapshot TakeIOSnapshot(const Statistics& statistics);
// `after` minus `before`, counter by counter. REQUIRES: `before` was taken
// from the same Statistics earlier, with no Reset() in between.
IOSnapshot IOSnapshotDelta(const IOSnapshot& after, const IOSnapshot& before);

// A benchmark run's result line, in figures (db_bench/stats.h prints it).
struct BenchmarkResult {
  std::string name;
  double micros_per_op = 0;
  double ops_per_sec = 0;
  double seconds = 0;
  uint64_t operations = 0;
  bool warm_up = false;  // A name[W<n>] warm-up run.
};

// Everything one run's report shows.
struct IOReport {
  BenchmarkResult result;
  // False for benchmarks that do not go through the store (micro and sst*
  // benchmarks): `io` is then all zeros and is neither printed nor written.
  bool has_io = false;
  IOSnapshot io;            // Counted during the run.
  DirPageCache page_cache;  // Measured after the run.
};

// The text report: "# strata I/O after <name>:", then "#   " lines: one row
// per (file kind, I/O mode) cell with any operation, block-cache hits and
// misses, direct-write padding and rewritten tails, readahead, then the
// page-cache residency per kind of file.
std::string FormatIOReport(const IOReport& report);

// One entry of the "benchmarks" array (an object) into `json`.
void AppendIOReportJson(const IOReport& report, JsonWriter* json);

// The whole --report_json document.
std::string IOReportsToJson(const std::string& strata_version,
                            const std::string& db_path,
                            const std::vector<IOReport>& reports);

}  // namespace strata::bench
