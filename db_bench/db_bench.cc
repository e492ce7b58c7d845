// db_bench: strata's drop-in for RocksDB 7.8.3's db_bench. Same flags (every
// RocksDB flag is accepted; the ones strata does not implement are listed on
// stderr when set), same header, result lines, histograms and progress
// output, so scripts written for RocksDB's tool run unchanged. See
// db_bench/README.md.
#include <sys/time.h>
#include <time.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <latch>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "db_bench/bench_flags.h"
#include "db_bench/benchmark_suite.h"
#include "db_bench/io_report.h"
#include "util/compression.h"

#ifndef STRATA_VERSION
#error "STRATA_VERSION must be defined by the build (the project version)"
#endif

namespace strata::bench {
namespace {

// Benchmarks RocksDB 7.8.3's db_bench knows that strata does not run: they
// are skipped with a note rather than rejected, so RocksDB's default
// --benchmarks list runs.
const std::set<std::string>& RocksDBOnlyBenchmarks() {
  static const std::set<std::string> names = {"fillseqdeterministic",
                                              "filluniquerandomdeterministic",
                                              "newiterator",
                                              "newiteratorwhilewriting",
                                              "seekrandomwhilewriting",
                                              "seekrandomwhilemerging",
                                              "compactall",
                                              "compact0",
                                              "compact1",
                                              "mixgraph",
                                              "readtorowcache",
                                              "readtocache",
                                              "readwhilemerging",
                                              "readwhilescanning",
                                              "xorupdaterandom",
                                              "approximatesizerandom",
                                              "randomwithverify",
                                              "acquireload",
                                              "fillseekseq",
                                              "randomtransaction",
                                              "randomreplacekeys",
                                              "timeseries",
                                              "getmergeoperands",
                                              "readrandomoperands",
                                              "backup",
                                              "restore",
                                              "readrandomfast",
                                              "readrandomsmall",
                                              "readrandommergerandom",
                                              "mergerandom",
                                              "appendrandom",
                                              "deleterandom_noseek",
                                              "readhot",
                                              "fillfromstdin",
                                              "filluniquerandom_prefix",
                                              "levelstats_verbose",
                                              "memstats",
                                              "resetstats",
                                              "count",
                                              "replay",
                                              "block_cache_entry_stats",
                                              "cache_report_problems",
                                              "openandcompact",
                                              "verify",
                                              "verifychecksum",
                                              "verifyfilechecksums",
                                              "fillanddeleteuniquerandom",
                                              "deleteuniquerandom",
                                              "multireadwhilewriting",
                                              "randomtransaction",
                                              "seekrandomwhilemerging",
                                              "updaterandom_merge",
                                              "readreverse_noseek",
                                              "approximatememtablestats",
                                              "readrandomwriterandomsplit",
                                              "readwhilemultigetting",
                                              "fillrandomdeterministic"};
  return names;
}

void PrintEnvironment() {
  std::fprintf(stderr, "strata:     version %s\n", STRATA_VERSION);
  time_t now = time(nullptr);
  char date[64];
  ctime_r(&now, date);
  std::string date_str(date);
  if (!date_str.empty() && date_str.back() == '\n') date_str.pop_back();
  std::fprintf(stderr, "Date:       %s\n", date_str.c_str());
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, cpu_type, cache_size;
  int num_cpus = 0;
  while (std::getline(cpuinfo, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) {
      key.pop_back();
    }
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (key == "model name") {
      ++num_cpus;
      cpu_type = value;
    } else if (key == "cache size") {
      cache_size = value;
    }
  }
  std::fprintf(stderr, "CPU:        %d * %s\n", num_cpus, cpu_type.c_str());
  std::fprintf(stderr, "CPUCache:   %s\n", cache_size.c_str());
}

void PrintHeader() {
  const int compressed_value_size =
      static_cast<int>(FLAGS_value_size * FLAGS_compression_ratio + 0.5);
  std::fprintf(stdout,
               "Keys:       %d bytes each (+ %d bytes user-defined "
               "timestamp)\n",
               FLAGS_key_size, FLAGS_user_timestamp_size);
  std::fprintf(stdout,
               "Values:     %d bytes each (%d bytes after compression)\n",
               FLAGS_value_size, compressed_value_size);
  std::fprintf(stdout, "Entries:    %" PRIu64 "\n",
               static_cast<uint64_t>(FLAGS_num));
  std::fprintf(stdout, "Prefix:    %d bytes\n", FLAGS_prefix_size);
  std::fprintf(stdout, "Keys per prefix:    %" PRId64 "\n",
               static_cast<int64_t>(FLAGS_keys_per_prefix));
  std::fprintf(
      stdout, "RawSize:    %.1f MB (estimated)\n",
      static_cast<double>(
          static_cast<int64_t>(FLAGS_key_size + FLAGS_value_size) * FLAGS_num) /
          1048576.0);
  std::fprintf(stdout, "FileSize:   %.1f MB (estimated)\n",
               ((FLAGS_key_size + FLAGS_value_size * FLAGS_compression_ratio) *
                static_cast<double>(FLAGS_num)) /
                   1048576.0);
  std::fprintf(stdout, "Write rate: %" PRIu64 " bytes/second\n",
               static_cast<uint64_t>(FLAGS_benchmark_write_rate_limit));
  std::fprintf(stdout, "Read rate: %" PRIu64 " ops/second\n",
               static_cast<uint64_t>(FLAGS_benchmark_read_rate_limit));
  CompressionType compression = CompressionType::kNoCompression;
  const bool known =
      ParseCompressionTypeFlag(FLAGS_compression_type, &compression);
  std::fprintf(stdout, "Compression: %s\n",
               known ? std::string(CompressionTypeName(compression)).c_str()
                     : FLAGS_compression_type.c_str());
  std::fprintf(stdout, "Compression sampling rate: %" PRId64 "\n",
               static_cast<int64_t>(FLAGS_sample_for_compression));
  std::fprintf(stdout, "Memtablerep: SkipListFactory\n");
  std::fprintf(stdout, "Perf Level: %d\n", FLAGS_perf_level);
#if defined(__GNUC__) && !defined(__OPTIMIZE__)
  std::fprintf(stdout,
               "WARNING: Optimization is disabled: benchmarks unnecessarily "
               "slow\n");
#endif
#ifndef NDEBUG
  std::fprintf(stdout,
               "WARNING: Assertions are enabled; benchmarks unnecessarily "
               "slow\n");
#endif
  if (known && !CompressionTypeSupported(compression)) {
    std::fprintf(stdout, "WARNING: %s compression is not enabled\n",
                 std::string(CompressionTypeName(compression)).c_str());
  }
  std::fprintf(stdout, "------------------------------------------------\n");
  std::fflush(stdout);
}

struct BenchmarkSpec {
  std::string name;
  int repeats = 1;
  int warmups = 0;
};

// "name", "name[X3]", "name[W1]", "name[X3-W1]" (either order).
bool ParseBenchmarkSpec(const std::string& text, BenchmarkSpec* spec) {
  const size_t bracket = text.find('[');
  spec->name = text.substr(0, bracket);
  if (bracket == std::string::npos) return true;
  if (text.back() != ']') return false;
  std::stringstream parts(text.substr(bracket + 1, text.size() - bracket - 2));
  std::string part;
  while (std::getline(parts, part, '-')) {
    if (part.size() < 2 || (part[0] != 'X' && part[0] != 'W')) return false;
    char* end = nullptr;
    const long n = std::strtol(part.c_str() + 1, &end, 10);
    if (*end != '\0' || n < 0) return false;
    (part[0] == 'X' ? spec->repeats : spec->warmups) = static_cast<int>(n);
  }
  return spec->repeats >= 1;
}

class Driver {
 public:
  Driver() {
    for (SuiteFactory factory : SuiteFactories()) {
      suites_.push_back(factory());
    }
  }

  // Runs --benchmarks; writes --report_json even when a benchmark failed,
  // with the runs that finished.
  int Run() {
    int rc = RunBenchmarks();
    if (!FLAGS_report_json.empty() && !WriteReportJson()) rc = 1;
    return rc;
  }

 private:
  int RunBenchmarks() {
    std::stringstream list(FLAGS_benchmarks);
    std::string item;
    while (std::getline(list, item, ',')) {
      if (item.empty()) continue;
      BenchmarkSpec spec;
      if (!ParseBenchmarkSpec(item, &spec)) {
        std::fprintf(stderr, "unknown benchmark '%s'\n", item.c_str());
        return 1;
      }
      BenchmarkSuite* suite = Find(spec.name);
      if (suite == nullptr) {
        if (RocksDBOnlyBenchmarks().count(spec.name) > 0) {
          std::fprintf(stderr,
                       "strata db_bench: benchmark '%s' is not implemented; "
                       "skipped\n",
                       spec.name.c_str());
          continue;
        }
        std::fprintf(stderr, "unknown benchmark '%s'\n", spec.name.c_str());
        return 1;
      }
      const std::string skip = suite->SkipReason(spec.name);
      if (!skip.empty()) {
        std::fprintf(stdout, "%-12s : skipped (%s)\n", spec.name.c_str(),
                     skip.c_str());
        continue;
      }
      if (suite->PrintOnly(spec.name)) {
        suite->Print(spec.name);
        continue;
      }
      std::fprintf(stdout, "DB path: [%s]\n", DBPath().c_str());
      if (spec.warmups > 0) {
        std::fprintf(stdout, "Warming up benchmark by running %d times\n",
                     spec.warmups);
        for (int i = 0; i < spec.warmups; ++i) {
          if (!RunOnce(suite, spec.name, /*warm_up=*/true, nullptr)) return 1;
        }
      }
      if (spec.repeats > 1) {
        std::fprintf(stdout, "Running benchmark for %d times\n", spec.repeats);
      }
      CombinedStats combined;
      for (int i = 0; i < spec.repeats; ++i) {
        if (!RunOnce(suite, spec.name, /*warm_up=*/false, &combined)) {
          return 1;
        }
        if (i > 0) combined.Report(spec.name);
      }
      if (spec.repeats > 1) combined.ReportFinal(spec.name);
      std::fflush(stdout);
    }
    int rc = 0;
    if (FLAGS_statistics) {
      for (auto& suite : suites_) {
        const std::string dump = suite->StatisticsDump();
        if (!dump.empty())
          std::fprintf(stdout, "STATISTICS:\n%s\n", dump.c_str());
      }
    }
    for (auto& suite : suites_) {
      Status s = suite->Finish();
      if (!s.ok()) {
        std::fprintf(stderr, "close error: %s\n", s.ToString().c_str());
        rc = 1;
      }
    }
    return rc;
  }

  BenchmarkSuite* Find(const std::string& name) {
    for (auto& suite : suites_) {
      if (suite->Has(name)) return suite.get();
    }
    return nullptr;
  }

  bool RunOnce(BenchmarkSuite* suite, const std::string& name, bool warm_up,
               CombinedStats* combined) {
    Status s = suite->Prepare(name);
    if (!s.ok()) {
      std::fprintf(stderr, "open error: %s\n", s.ToString().c_str());
      return false;
    }
    StatsOptions stats_options;
    stats_options.histogram = FLAGS_histogram;
    stats_options.progress_reports = FLAGS_progress_reports;
    const int num_threads = FLAGS_threads + suite->ExtraThreads(name);
    std::vector<std::unique_ptr<ThreadState>> states;
    std::atomic<int> running{num_threads};
    for (int i = 0; i < num_threads; ++i) {
      // Every thread of every benchmark gets its own seed, as in RocksDB.
      states.push_back(std::make_unique<ThreadState>(
          i, static_cast<uint64_t>(FLAGS_seed) + ++total_threads_,
          stats_options));
      states.back()->running = &running;
    }
    std::latch start(num_threads);
    std::vector<std::thread> threads;
    for (int i = 0; i < num_threads; ++i) {
      threads.emplace_back([&, i] {
        ThreadState* state = states[i].get();
        start.arrive_and_wait();
        state->stats.Start();
        suite->Run(name, state);
        state->stats.Stop();
        running.fetch_sub(1, std::memory_order_acq_rel);
      });
    }
    for (std::thread& t : threads) t.join();
    Stats merged(stats_options);
    merged.Start();
    for (const auto& state : states) merged.Merge(state->stats);
    merged.Report(name);
    if (combined != nullptr) combined->Add(merged);
    if (FLAGS_io_report || !FLAGS_report_json.empty()) {
      IOReport report;
      report.result.name = name;
      report.result.warm_up = warm_up;
      report.result.micros_per_op = merged.MicrosPerOp();
      report.result.ops_per_sec = merged.OpsPerSec();
      report.result.seconds = merged.ElapsedSeconds();
      report.result.operations = merged.ReportedOps();
      report.has_io = suite->IOStatisticsDelta(&report.io);
      report.page_cache = MeasureDirPageCache(DBPath());
      if (FLAGS_io_report) {
        std::fputs(FormatIOReport(report).c_str(), stdout);
        std::fflush(stdout);
      }
      if (!FLAGS_report_json.empty()) reports_.push_back(std::move(report));
    }
    return true;
  }

  bool WriteReportJson() {
    const std::string json =
        IOReportsToJson(STRATA_VERSION, DBPath(), reports_);
    std::FILE* file = std::fopen(FLAGS_report_json.c_str(), "w");
    bool ok = file != nullptr &&
              std::fwrite(json.data(), 1, json.size(), file) == json.size();
    if (file != nullptr && std::fclose(file) != 0) ok = false;
    if (!ok) {
      std::fprintf(stderr, "--report_json=%s: cannot write: %s\n",
                   FLAGS_report_json.c_str(), std::strerror(errno));
    }
    return ok;
  }

  std::vector<std::unique_ptr<BenchmarkSuite>> suites_;
  uint64_t total_threads_ = 0;
  std::vector<IOReport> reports_;  // For --report_json, in run order.
};

uint64_t WallClockMicros() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<uint64_t>(tv.tv_sec) * 1000000 +
         static_cast<uint64_t>(tv.tv_usec);
}

}  // namespace
}  // namespace strata::bench

int main(int argc, char** argv) {
  using namespace strata::bench;
  gflags::SetUsageMessage(
      std::string("strata's drop-in for RocksDB's db_bench\nUSAGE:\n") +
      argv[0] + " [OPTIONS]...");
  gflags::SetVersionString(STRATA_VERSION);
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  ApplyIOReportDefault();
  const std::string ignored = IgnoredFlagsSet();
  if (!ignored.empty()) {
    std::fprintf(stderr,
                 "strata db_bench: ignoring RocksDB flags strata does not "
                 "implement: %s\n",
                 ignored.c_str());
  }
  if (FLAGS_seed == 0) {
    FLAGS_seed = static_cast<int64_t>(WallClockMicros());
    std::fprintf(stdout, "Set seed to %" PRIu64 " because --seed was 0\n",
                 static_cast<uint64_t>(FLAGS_seed));
  }
  if (FLAGS_threads < 1) {
    std::fprintf(stderr, "--threads=%d: must be at least 1\n", FLAGS_threads);
    return 1;
  }
  PrintEnvironment();
  PrintHeader();
  Driver driver;
  return driver.Run();
}
