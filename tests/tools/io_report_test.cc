// db_bench's I/O report (db_bench/io_report.h) against the recording file
// system: a store workload runs on FaultInjectionFileSystem over
// FakeFileSystem for each combination of the two direct options, and every
// byte and operation the report shows per file kind and I/O mode, in the
// text and in the JSON, must equal what the recorder saw. The report is
// built from a Statistics delta, so the workload runs in two windows and
// only the second is reported.
#include "db_bench/io_report.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "strata/db.h"
#include "strata/statistics.h"
#include "testutil/json_reader.h"
#include "testutil/testutil.h"

namespace strata::bench {
namespace {

using test::JsonValue;

// What the report says about one (file kind, I/O mode) cell.
using Cell = std::pair<std::string, std::string>;  // kind name, mode name.

// The recorder's figures of one cell, in IOCounters form.
IOCounters Recorded(const IORecorder& recorder, FileKind kind, IOMode mode) {
  auto ops = [&](std::initializer_list<FileOp> op_set) {
    return recorder.Totals([&](const IORecord& r) {
      if (r.kind != kind || r.mode != mode || !r.ok()) return false;
      for (FileOp op : op_set) {
        if (r.op == op) return true;
      }
      return false;
    });
  };
  IOCounters c;
  const IOTotals reads = ops({FileOp::kRead});
  const IOTotals writes = ops({FileOp::kWrite});
  c.bytes_read = reads.result_bytes;
  c.read_ops = reads.ops;
  c.bytes_written = writes.requested_bytes;
  c.write_ops = writes.ops;
  c.syncs = ops({FileOp::kSync, FileOp::kFsync}).ops;
  c.opens = ops({FileOp::kOpenWritable, FileOp::kOpenRandomAccess,
                 FileOp::kOpenSequential})
                .ops;
  return c;
}

std::string Describe(const IOCounters& c) {
  std::ostringstream out;
  out << "read " << c.bytes_read << " B in " << c.read_ops << ", wrote "
      << c.bytes_written << " B in " << c.write_ops << ", " << c.syncs
      << " syncs, " << c.opens << " opens";
  return out.str();
}

bool SameCounters(const IOCounters& a, const IOCounters& b) {
  return a.bytes_read == b.bytes_read && a.read_ops == b.read_ops &&
         a.bytes_written == b.bytes_written && a.write_ops == b.write_ops &&
         a.syncs == b.syncs && a.opens == b.opens;
}

// The table rows of FormatIOReport's text, by cell.
std::map<Cell, IOCounters> ParseTextRows(const std::string& text) {
  std::map<Cell, IOCounters> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string hash, kind, mode;
    IOCounters c;
    if (!(fields >> hash >> kind >> mode >> c.bytes_read >> c.read_ops >>
          c.bytes_written >> c.write_ops >> c.syncs >> c.opens)) {
      continue;  // The heading and the other lines.
    }
    EXPECT_EQ("#", hash) << line;
    EXPECT_EQ(0u, rows.count({kind, mode})) << "row twice: " << line;
    rows[{kind, mode}] = c;
  }
  return rows;
}

IOCounters FromJson(const JsonValue& cell) {
  IOCounters c;
  auto get = [&](const char* key) {
    const JsonValue* v = cell.Find(key);
    EXPECT_NE(nullptr, v) << key;
    return v == nullptr ? 0 : v->AsUint();
  };
  c.bytes_read = get("bytes_read");
  c.read_ops = get("reads");
  c.bytes_written = get("bytes_written");
  c.write_ops = get("writes");
  c.syncs = get("syncs");
  c.opens = get("opens");
  return c;
}

class IOReportTest : public ::testing::TestWithParam<std::tuple<bool, bool>> {
 protected:
  static constexpr size_t kAlignment = 4096;

  IOReportTest() : fake_(FakeOptions()), fs_(&fake_), env_(&fs_, &clock_) {
    options_.env = &env_;
    options_.create_if_missing = true;
    options_.use_direct_reads = std::get<0>(GetParam());
    options_.use_direct_io_for_flush_and_compaction = std::get<1>(GetParam());
    options_.write_buffer_size = 32 << 10;
    options_.level0_file_num_compaction_trigger = 2;
    options_.target_file_size_base = 32 << 10;
    options_.writable_file_max_buffer_size = 8 << 10;
    options_.table_options.block_size = 1024;
    options_.statistics = CreateDBStatistics();
  }
  static FakeFileSystem::Options FakeOptions() {
    FakeFileSystem::Options o;
    o.offset_alignment = kAlignment;
    return o;
  }

  void Put(int n, test::Random* rnd) {
    for (int i = 0; i < n; ++i) {
      const std::string key = "key" + std::to_string(rnd->Uniform(3000));
      ASSERT_OK(db_->Put(WriteOptions(), key, rnd->RandomBytes(100)));
    }
  }

  // Window 1: fills and compacts; window 2 (reported): reads, more writes,
  // a flush, a manual compaction and Close. The store is closed between
  // the windows, so no background work straddles the boundary.
  void RunWorkload(IOSnapshot* before, IOSnapshot* after) {
    test::Random rnd(7);
    ASSERT_OK(DB::Open(options_, "/db", &db_));
    for (int round = 0; round < 3; ++round) {
      Put(400, &rnd);
      if (HasFatalFailure()) return;
      ASSERT_OK(db_->Flush(FlushOptions()));
    }
    ASSERT_OK(db_->WaitForCompact());
    ASSERT_OK(db_->Close());
    db_.reset();

    *before = TakeIOSnapshot(*options_.statistics);
    fs_.recorder().Clear();

    ASSERT_OK(DB::Open(options_, "/db", &db_));
    std::string value;
    for (int i = 0; i < 300; ++i) {
      Status s = db_->Get(ReadOptions(),
                          "key" + std::to_string(rnd.Uniform(3000)), &value);
      ASSERT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
    }
    std::unique_ptr<Iterator> it = db_->NewIterator(ReadOptions());
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    ASSERT_OK(it->status());
    ASSERT_GT(n, 100u);
    it.reset();
    Put(400, &rnd);
    if (HasFatalFailure()) return;
    ASSERT_OK(db_->Flush(FlushOptions()));
    ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
    ASSERT_OK(db_->Close());
    db_.reset();
    *after = TakeIOSnapshot(*options_.statistics);
  }

  IOReport MakeReport(const IOSnapshot& delta) {
    IOReport report;
    report.result.name = "workload";
    report.result.micros_per_op = 1.5;
    report.result.ops_per_sec = 666666.0;
    report.result.seconds = 0.25;
    report.result.operations = 1100;
    report.has_io = true;
    report.io = delta;
    // Residency is measured on a real directory by db_bench; here the
    // figures are given, and only their rendering is checked.
    report.page_cache.by_kind[static_cast<size_t>(DirFileKind::kSst)] = {
        3, 300000, 4096};
    report.page_cache.by_kind[static_cast<size_t>(DirFileKind::kWal)] = {
        1, 8192, 8192};
    return report;
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_;
  ManualClock clock_;
  Env env_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_P(IOReportTest, TextAndJsonBytesPerKindAndModeMatchTheRecorder) {
  IOSnapshot before, after;
  RunWorkload(&before, &after);
  if (HasFatalFailure()) return;
  const IORecorder& recorder = fs_.recorder();
  const IOReport report = MakeReport(IOSnapshotDelta(after, before));

  const std::string text = FormatIOReport(report);
  const std::map<Cell, IOCounters> rows = ParseTextRows(text);
  JsonValue doc;
  std::string error;
  ASSERT_TRUE(
      ParseJson(IOReportsToJson("0.0.0", "/db", {report}), &doc, &error))
      << error;
  const JsonValue* benchmarks = doc.Find("benchmarks");
  ASSERT_NE(nullptr, benchmarks);
  ASSERT_EQ(1u, benchmarks->array.size());
  const JsonValue& entry = benchmarks->array[0];
  const JsonValue* files =
      entry.Find("io") ? entry.Find("io")->Find("files") : nullptr;
  ASSERT_NE(nullptr, files) << text;

  IOCounters text_sum, json_sum, recorded_sum;
  size_t recorded_cells = 0;
  for (int k = 0; k < kNumFileKinds; ++k) {
    for (int m = 0; m < kNumIOModes; ++m) {
      const FileKind kind = static_cast<FileKind>(k);
      const IOMode mode = static_cast<IOMode>(m);
      const Cell cell{FileKindName(kind), IOModeName(mode)};
      const std::string where = cell.first + " " + cell.second;
      const IOCounters recorded = Recorded(recorder, kind, mode);
      const bool any = recorded.read_ops + recorded.write_ops + recorded.syncs +
                           recorded.opens >
                       0;
      recorded_cells += any ? 1 : 0;

      // The figures the report was built from.
      EXPECT_TRUE(SameCounters(recorded, report.io.cell(kind, mode)))
          << where << ": recorded " << Describe(recorded) << "; statistics "
          << Describe(report.io.cell(kind, mode));

      // The text: a row exactly when the recorder saw an operation.
      auto row = rows.find(cell);
      if (row == rows.end()) {
        EXPECT_FALSE(any) << where << " missing from the text:\n" << text;
      } else {
        EXPECT_TRUE(SameCounters(recorded, row->second))
            << where << ": recorded " << Describe(recorded) << "; text "
            << Describe(row->second);
      }

      // The JSON: files.<mode>.<kind>, present exactly when non-empty.
      const JsonValue* by_mode = files->Find(cell.second);
      ASSERT_NE(nullptr, by_mode) << cell.second;
      const JsonValue* json_cell = by_mode->Find(cell.first);
      if (json_cell == nullptr) {
        EXPECT_FALSE(any) << where << " missing from the JSON";
      } else {
        const IOCounters c = FromJson(*json_cell);
        EXPECT_TRUE(SameCounters(recorded, c))
            << where << ": recorded " << Describe(recorded) << "; JSON "
            << Describe(c);
        json_sum.bytes_read += c.bytes_read;
        json_sum.bytes_written += c.bytes_written;
      }
      if (row != rows.end()) {
        text_sum.bytes_read += row->second.bytes_read;
        text_sum.bytes_written += row->second.bytes_written;
      }
    }
  }
  EXPECT_EQ(recorded_cells, rows.size());

  // Every byte the recorder saw is in the report, whatever its kind.
  recorded_sum.bytes_read = recorder
                                .Totals([](const IORecord& r) {
                                  return r.op == FileOp::kRead && r.ok();
                                })
                                .result_bytes;
  recorded_sum.bytes_written = recorder
                                   .Totals([](const IORecord& r) {
                                     return r.op == FileOp::kWrite && r.ok();
                                   })
                                   .requested_bytes;
  EXPECT_EQ(recorded_sum.bytes_read, text_sum.bytes_read);
  EXPECT_EQ(recorded_sum.bytes_written, text_sum.bytes_written);
  EXPECT_EQ(recorded_sum.bytes_read, json_sum.bytes_read);
  EXPECT_EQ(recorded_sum.bytes_written, json_sum.bytes_written);

  // The reported window is a delta: window 1 wrote SSTs and WAL too, so
  // the cumulative counters are larger.
  const IOCounters total_wal = after.cell(FileKind::kWal, IOMode::kBuffered);
  EXPECT_GT(total_wal.bytes_written,
            report.io.cell(FileKind::kWal, IOMode::kBuffered).bytes_written);

  // SST bytes go where the options say.
  const IOMode background =
      std::get<1>(GetParam()) ? IOMode::kDirect : IOMode::kBuffered;
  const IOMode user =
      std::get<0>(GetParam()) ? IOMode::kDirect : IOMode::kBuffered;
  EXPECT_GT(report.io.cell(FileKind::kTableFlush, background).bytes_written,
            0u);
  EXPECT_GT(report.io.cell(FileKind::kTableUserRead, user).bytes_read, 0u);
  EXPECT_NE(nullptr, files->Find(IOModeName(background))
                         ->Find(FileKindName(FileKind::kTableFlush)));
}

TEST_P(IOReportTest, TickerFiguresAndResidencyInTextAndJson) {
  IOSnapshot before, after;
  RunWorkload(&before, &after);
  if (HasFatalFailure()) return;
  IOReport report = MakeReport(IOSnapshotDelta(after, before));
  // The store counts no readahead tickers yet; distinct values still show
  // that each lands in its own place.
  report.io.tickers[READAHEAD_BYTES] = 12288;
  report.io.tickers[READAHEAD_BYTES_USED] = 8192;
  report.io.tickers[READAHEAD_BYTES_WASTED] = 4096;
  const IOSnapshot& io = report.io;
  const uint64_t hits = io.ticker(BLOCK_CACHE_HIT);
  const uint64_t misses = io.ticker(BLOCK_CACHE_MISS);
  ASSERT_GT(hits, 0u);
  ASSERT_GT(misses, 0u);

  const std::string text = FormatIOReport(report);
  auto has_line = [&](const std::string& line) {
    return text.find("#   " + line + "\n") != std::string::npos;
  };
  char expected[200];
  std::snprintf(
      expected, sizeof(expected),
      "block cache: %llu hits %llu misses (hit rate %.1f%%)",
      static_cast<unsigned long long>(hits),
      static_cast<unsigned long long>(misses),
      100.0 * static_cast<double>(hits) / static_cast<double>(hits + misses));
  EXPECT_TRUE(has_line(expected)) << expected << "\n" << text;
  EXPECT_TRUE(has_line(
      "direct writes: " + std::to_string(io.ticker(WRITE_PADDING_BYTES)) +
      " padding bytes, " +
      std::to_string(io.ticker(WRITE_REWRITTEN_TAIL_BYTES)) +
      " rewritten tail bytes"))
      << text;
  EXPECT_TRUE(has_line(
      "readahead: " + std::to_string(io.ticker(READAHEAD_BYTES)) + " bytes, " +
      std::to_string(io.ticker(READAHEAD_BYTES_USED)) + " used, " +
      std::to_string(io.ticker(READAHEAD_BYTES_WASTED)) + " wasted"))
      << text;
  EXPECT_EQ(0u, text.rfind("# strata I/O after workload:\n", 0)) << text;
  const size_t sst_at = text.find("#   page cache: sst ");
  ASSERT_NE(std::string::npos, sst_at) << text;
  unsigned long long files = 0, bytes = 0, resident = 0;
  double percent = 0;
  ASSERT_EQ(4, std::sscanf(text.c_str() + sst_at,
                           "#   page cache: sst %llu files %llu bytes %llu "
                           "resident (%lf%%)",
                           &files, &bytes, &resident, &percent))
      << text;
  EXPECT_EQ(3u, files);
  EXPECT_EQ(300000u, bytes);
  EXPECT_EQ(4096u, resident);
  EXPECT_DOUBLE_EQ(1.4, percent);  // 1.365% to one decimal.
  EXPECT_EQ(std::string::npos, text.find("page cache: manifest")) << text;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    EXPECT_EQ('#', line[0])
        << "a line RocksDB-grammar parsers would read: " << line;
  }
  if (std::get<1>(GetParam())) {
    EXPECT_GT(io.ticker(WRITE_PADDING_BYTES), 0u);
  }

  JsonValue doc;
  std::string error;
  ASSERT_TRUE(ParseJson(IOReportsToJson("1.2.3", "/d\"b", {report, report}),
                        &doc, &error))
      << error;
  EXPECT_EQ("1.2.3", doc.Find("strata_version")->text);
  EXPECT_EQ("/d\"b", doc.Find("db_path")->text);
  ASSERT_EQ(2u, doc.Find("benchmarks")->array.size());
  const JsonValue& entry = doc.Find("benchmarks")->array[0];
  EXPECT_EQ("workload", entry.Find("name")->text);
  EXPECT_FALSE(entry.Find("warm_up")->boolean);
  EXPECT_EQ(1.5, entry.Find("micros_per_op")->AsDouble());
  EXPECT_EQ(666666.0, entry.Find("ops_per_sec")->AsDouble());
  EXPECT_EQ(0.25, entry.Find("seconds")->AsDouble());
  EXPECT_EQ(1100u, entry.Find("operations")->AsUint());
  const JsonValue& json_io = *entry.Find("io");
  const JsonValue& cache = *json_io.Find("block_cache");
  EXPECT_EQ(hits, cache.Find("hits")->AsUint());
  EXPECT_EQ(misses, cache.Find("misses")->AsUint());
  EXPECT_DOUBLE_EQ(
      static_cast<double>(hits) / static_cast<double>(hits + misses),
      cache.Find("hit_rate")->AsDouble());
  const JsonValue& direct = *json_io.Find("direct_writes");
  EXPECT_EQ(io.ticker(WRITE_PADDING_BYTES),
            direct.Find("padding_bytes")->AsUint());
  EXPECT_EQ(io.ticker(WRITE_REWRITTEN_TAIL_BYTES),
            direct.Find("rewritten_tail_bytes")->AsUint());
  const JsonValue& readahead = *json_io.Find("readahead");
  EXPECT_EQ(io.ticker(READAHEAD_BYTES), readahead.Find("bytes")->AsUint());
  EXPECT_EQ(io.ticker(READAHEAD_BYTES_USED),
            readahead.Find("used_bytes")->AsUint());
  EXPECT_EQ(io.ticker(READAHEAD_BYTES_WASTED),
            readahead.Find("wasted_bytes")->AsUint());
  const JsonValue& sst = *entry.Find("page_cache")->Find("sst");
  EXPECT_EQ(3u, sst.Find("files")->AsUint());
  EXPECT_EQ(300000u, sst.Find("file_bytes")->AsUint());
  EXPECT_EQ(4096u, sst.Find("resident_bytes")->AsUint());
  EXPECT_DOUBLE_EQ(4096.0 / 300000.0,
                   sst.Find("resident_fraction")->AsDouble());
  EXPECT_TRUE(entry.Find("page_cache")
                  ->Find("manifest")
                  ->Find("resident_fraction")
                  ->is_null());
}

INSTANTIATE_TEST_SUITE_P(
    DirectOptions, IOReportTest,
    ::testing::Combine(::testing::Bool(), ::testing::Bool()),
    [](const ::testing::TestParamInfo<std::tuple<bool, bool>>& info) {
      return std::string(std::get<0>(info.param) ? "DirectReads"
                                                 : "BufferedReads") +
             (std::get<1>(info.param) ? "_DirectFlush" : "_BufferedFlush");
    });

TEST(IOReportFormatTest, WithoutStatisticsOnlyResidencyIsShown) {
  IOReport report;
  report.result.name = "crc32c";
  report.page_cache.errors.push_back("/x/000001.log: No such file");
  const std::string text = FormatIOReport(report);
  EXPECT_EQ(
      "# strata I/O after crc32c:\n"
      "#   page cache: /x/000001.log: No such file\n",
      text);
  JsonValue doc;
  std::string error;
  ASSERT_TRUE(ParseJson(IOReportsToJson("1", "/x", {report}), &doc, &error))
      << error;
  const JsonValue& entry = doc.Find("benchmarks")->array[0];
  EXPECT_TRUE(entry.Find("io")->is_null());
  ASSERT_EQ(1u, entry.Find("page_cache")->Find("errors")->array.size());
  EXPECT_EQ("/x/000001.log: No such file",
            entry.Find("page_cache")->Find("errors")->array[0].text);
}

TEST(IOReportFormatTest, DeltaSubtractsEveryCounter) {
  Statistics statistics;
  statistics.RecordWrite(FileKind::kWal, IOMode::kBuffered, 100);
  statistics.recordTick(BLOCK_CACHE_HIT, 5);
  const IOSnapshot before = TakeIOSnapshot(statistics);
  statistics.RecordWrite(FileKind::kWal, IOMode::kBuffered, 30);
  statistics.RecordRead(FileKind::kTableUserRead, IOMode::kDirect, 4096);
  statistics.RecordSync(FileKind::kWal, IOMode::kBuffered);
  statistics.RecordOpen(FileKind::kTableUserRead, IOMode::kDirect);
  statistics.recordTick(BLOCK_CACHE_HIT, 2);
  const IOSnapshot delta = IOSnapshotDelta(TakeIOSnapshot(statistics), before);
  const IOCounters& wal = delta.cell(FileKind::kWal, IOMode::kBuffered);
  EXPECT_EQ(30u, wal.bytes_written);
  EXPECT_EQ(1u, wal.write_ops);
  EXPECT_EQ(1u, wal.syncs);
  const IOCounters& user =
      delta.cell(FileKind::kTableUserRead, IOMode::kDirect);
  EXPECT_EQ(4096u, user.bytes_read);
  EXPECT_EQ(1u, user.read_ops);
  EXPECT_EQ(1u, user.opens);
  EXPECT_EQ(2u, delta.ticker(BLOCK_CACHE_HIT));
}

}  // namespace
}  // namespace strata::bench
