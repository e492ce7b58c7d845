// Which file is opened how, proven from the recorded operations: for all
// four combinations of use_direct_reads and
// use_direct_io_for_flush_and_compaction, a workload with flushes,
// compactions, scans and Gets runs on the recording file system over the
// in-memory one, and every recorded read and write is checked against the
// table in ../shared/ARCHITECTURE.md.
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "strata/db.h"
#include "strata/statistics.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

constexpr size_t kAlignment = 4096;
constexpr size_t kCompactionReadahead = 3 * kAlignment + 100;  // Rounds up.
constexpr size_t kAlignedReadahead = 4 * kAlignment;

struct Combo {
  bool direct_reads;
  bool direct_flush;
};

class DBIOModeTest : public ::testing::TestWithParam<Combo> {
 protected:
  DBIOModeTest()
      : fake_(FakeOptions()), fs_(&fake_), env_(&fs_, &clock_) {
    options_.env = &env_;
    options_.create_if_missing = true;
    options_.use_direct_reads = GetParam().direct_reads;
    options_.use_direct_io_for_flush_and_compaction = GetParam().direct_flush;
    options_.write_buffer_size = 64 << 10;
    options_.level0_file_num_compaction_trigger = 2;
    options_.target_file_size_base = 48 << 10;
    options_.compaction_readahead_size = kCompactionReadahead;
    options_.writable_file_max_buffer_size = 16 << 10;
    options_.table_options.block_size = 1024;
    options_.statistics = CreateDBStatistics();
  }
  static FakeFileSystem::Options FakeOptions() {
    FakeFileSystem::Options o;
    o.offset_alignment = kAlignment;
    return o;
  }

  void Workload() {
    ASSERT_OK(DB::Open(options_, "/db", &db_));
    test::Random rnd(42);
    for (int round = 0; round < 4; ++round) {
      for (int i = 0; i < 600; ++i) {
        const std::string key = "key" + std::to_string(rnd.Uniform(2000));
        ASSERT_OK(db_->Put(WriteOptions(), key, rnd.RandomBytes(100)));
      }
      ASSERT_OK(db_->Flush(FlushOptions()));
    }
    ASSERT_OK(db_->WaitForCompact());
    ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
    auto it = db_->NewIterator(ReadOptions());
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    ASSERT_OK(it->status());
    ASSERT_GT(n, 500u);
    it.reset();
    std::string value;
    for (int i = 0; i < 200; ++i) {
      Status s = db_->Get(ReadOptions(),
                          "key" + std::to_string(rnd.Uniform(2000)), &value);
      ASSERT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
    }
    ASSERT_OK(db_->Close());
    db_.reset();
  }

  std::vector<IORecord> Records(FileKind kind, FileOp op) {
    return fs_.recorder().Records([&](const IORecord& r) {
      return r.kind == kind && r.op == op && r.ok();
    });
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_;
  ManualClock clock_;
  Env env_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_P(DBIOModeTest, EveryFileKindUsesItsMode) {
  Workload();
  if (HasFatalFailure()) return;
  const Combo c = GetParam();
  const IOMode background = c.direct_flush ? IOMode::kDirect : IOMode::kBuffered;
  const IOMode user = c.direct_reads ? IOMode::kDirect : IOMode::kBuffered;

  struct Expectation {
    FileKind kind;
    FileOp op;
    IOMode mode;
    bool must_exist;
  };
  const Expectation expectations[] = {
      {FileKind::kTableFlush, FileOp::kWrite, background, true},
      {FileKind::kTableCompactionOutput, FileOp::kWrite, background, true},
      {FileKind::kTableCompactionInput, FileOp::kRead, background, true},
      {FileKind::kTableVerify, FileOp::kRead, background, true},
      {FileKind::kTableUserRead, FileOp::kRead, user, true},
      {FileKind::kWal, FileOp::kWrite, IOMode::kBuffered, true},
      {FileKind::kWal, FileOp::kRead, IOMode::kBuffered, false},
      {FileKind::kManifest, FileOp::kWrite, IOMode::kBuffered, true},
      {FileKind::kManifest, FileOp::kRead, IOMode::kBuffered, true},
      {FileKind::kCurrent, FileOp::kWrite, IOMode::kBuffered, true},
      {FileKind::kCurrent, FileOp::kRead, IOMode::kBuffered, true},
      {FileKind::kInfoLog, FileOp::kWrite, IOMode::kBuffered, true},
  };
  for (const auto& e : expectations) {
    auto records = Records(e.kind, e.op);
    if (e.must_exist) {
      EXPECT_FALSE(records.empty())
          << "no " << FileOpName(e.op) << " of " << FileKindName(e.kind);
    }
    for (const auto& r : records) {
      EXPECT_EQ(e.mode, r.mode) << r.ToString();
    }
  }

  // Every direct operation is aligned in offset, length and buffer.
  for (const auto& r : fs_.recorder().Records()) {
    if (r.mode != IOMode::kDirect || !r.ok()) continue;
    if (r.op != FileOp::kRead && r.op != FileOp::kWrite) continue;
    EXPECT_EQ(0u, r.offset % kAlignment) << r.ToString();
    EXPECT_EQ(0u, r.length % kAlignment) << r.ToString();
    EXPECT_GE(r.buffer_alignment, kAlignment) << r.ToString();
  }

  // Compaction inputs are read in compaction_readahead_size chunks rounded
  // up to the alignment, shorter only at the end of a file;
  // the one exception is the tail read that opens each table.
  size_t chunk_reads = 0;
  for (const auto& r : Records(FileKind::kTableCompactionInput, FileOp::kRead)) {
    const bool reached_eof = r.result_length < r.length;
    if (reached_eof) continue;  // A file's end (or the tail read).
    // Buffered files report the page size as their alignment, and the
    // prefetch buffer rounds to it as well.
    EXPECT_EQ(kAlignedReadahead, r.length) << r.ToString();
    ++chunk_reads;
  }
  EXPECT_GT(chunk_reads, 0u) << fs_.recorder().Dump([](const IORecord& r) {
    return r.kind == FileKind::kTableCompactionInput;
  });

  // A flush/compaction SST is durable (fsync after its last write) before
  // it is closed and the MANIFEST is written again. (An SST another job is
  // still writing may be unsynced while a MANIFEST write names other files.)
  std::map<std::string, uint64_t> last_write, synced_at;
  std::set<std::string> closed;
  for (const auto& r : fs_.recorder().Records()) {
    const bool sst = r.kind == FileKind::kTableFlush ||
                     r.kind == FileKind::kTableCompactionOutput;
    if (sst && (r.op == FileOp::kWrite || r.op == FileOp::kTruncate)) {
      last_write[r.path] = r.seq;
      synced_at.erase(r.path);
      closed.erase(r.path);
    }
    if (sst && (r.op == FileOp::kFsync || r.op == FileOp::kSync) &&
        last_write.count(r.path) && !synced_at.count(r.path)) {
      synced_at[r.path] = r.seq;
    }
    if (sst && r.op == FileOp::kClose) closed.insert(r.path);
    if (r.kind == FileKind::kManifest && r.op == FileOp::kWrite) {
      for (const auto& [path, seq] : last_write) {
        if (!closed.count(path)) continue;
        EXPECT_TRUE(synced_at.count(path))
            << path << " (last written at #" << seq
            << ") not synced before MANIFEST write #" << r.seq;
      }
    }
  }
  if (c.direct_flush) {
    // Direct SSTs: truncate to the logical size, then fsync.
    for (const auto& entry : last_write) {
      // A named reference, not a structured binding: clang before 16 cannot
      // capture those.
      const std::string& path = entry.first;
      auto ops = fs_.recorder().Records([&path](const IORecord& r) {
        return r.path == path &&
               (r.op == FileOp::kTruncate || r.op == FileOp::kFsync);
      });
      ASSERT_GE(ops.size(), 2u) << path;
      EXPECT_EQ(FileOp::kTruncate, ops[ops.size() - 2].op) << path;
      EXPECT_EQ(FileOp::kFsync, ops.back().op) << path;
    }
  }

  // The statistics saw the same bytes as the recorder.
  Statistics& st = *options_.statistics;
  for (FileKind kind : {FileKind::kTableFlush, FileKind::kTableUserRead,
                        FileKind::kTableCompactionInput, FileKind::kWal}) {
    for (IOMode mode : {IOMode::kBuffered, IOMode::kDirect}) {
      const IOCounters counters = st.GetIOCounters(kind, mode);
      const IOTotals writes = fs_.recorder().Totals(FileOp::kWrite, kind, mode);
      const IOTotals reads = fs_.recorder().Totals(FileOp::kRead, kind, mode);
      EXPECT_EQ(writes.requested_bytes, counters.bytes_written)
          << FileKindName(kind) << " " << IOModeName(mode);
      EXPECT_EQ(reads.result_bytes, counters.bytes_read)
          << FileKindName(kind) << " " << IOModeName(mode);
    }
  }
}

// Full output buffers are written by a DB thread while the job builds on
// (background_table_writes), and by the job itself without it.
TEST_P(DBIOModeTest, TableWritesLeaveTheJobThreadUnlessTurnedOff) {
  for (bool background : {true, false}) {
    SCOPED_TRACE(background ? "background_table_writes" : "synchronous");
    options_.background_table_writes = background;
    fs_.recorder().Clear();
    Workload();
    ASSERT_OK(DestroyDB("/db", options_));
    // The thread that opened each table file, and its writes elsewhere.
    std::map<std::string, std::thread::id> opener;
    size_t writes = 0;
    size_t elsewhere = 0;
    for (const auto& r : fs_.recorder().Records()) {
      if (r.kind != FileKind::kTableFlush &&
          r.kind != FileKind::kTableCompactionOutput) {
        continue;
      }
      if (r.op == FileOp::kOpenWritable) opener[r.path] = r.thread;
      if (r.op == FileOp::kWrite && r.ok()) {
        ASSERT_TRUE(opener.count(r.path)) << r.ToString();
        ++writes;
        if (r.thread != opener[r.path]) ++elsewhere;
      }
    }
    ASSERT_GT(writes, 20u);
    if (background) {
      EXPECT_GT(elsewhere, 0u);
    } else {
      EXPECT_EQ(elsewhere, 0u);
    }
  }
}

TEST_P(DBIOModeTest, IteratorReadaheadLeavesTheCallerUnlessTurnedOff) {
  // One table of 2 MiB, so that readahead grows to chunks the scan takes a
  // while to consume.
  options_.write_buffer_size = 8 << 20;
  options_.target_file_size_base = 8 << 20;
  ASSERT_OK(DB::Open(options_, "/db", &db_));
  test::Random rnd(7);
  constexpr int kKeys = 20000;
  for (int i = 0; i < kKeys; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%06d", i);
    ASSERT_OK(db_->Put(WriteOptions(), key, rnd.RandomBytes(100)));
  }
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->WaitForCompact());
  const IOMode user =
      GetParam().direct_reads ? IOMode::kDirect : IOMode::kBuffered;
  // Scans the DB; returns how many table reads it made and how many of them
  // ran on another thread than this one.
  auto scan = [&](bool background, size_t* reads, size_t* elsewhere) {
    fs_.recorder().Clear();
    ReadOptions read;
    read.background_readahead = background;
    read.fill_cache = false;  // Each scan reads every block.
    auto it = db_->NewIterator(read);
    int n = 0;
    std::string previous;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++n) {
      ASSERT_LT(previous, it->key().ToString());
      ASSERT_EQ(it->value().size(), 100u);
      previous = it->key().ToString();
    }
    ASSERT_OK(it->status());
    EXPECT_EQ(n, kKeys);
    it.reset();  // Waits for a chunk in flight.
    *reads = 0;
    *elsewhere = 0;
    for (const IORecord& r : Records(FileKind::kTableUserRead, FileOp::kRead)) {
      EXPECT_EQ(r.mode, user) << r.ToString();
      ++*reads;
      if (r.thread != std::this_thread::get_id()) ++*elsewhere;
    }
    ASSERT_GT(*reads, 10u);
  };
  size_t reads = 0;
  size_t elsewhere = 0;
  // A chunk no DB thread has started by the time the scan needs it is read
  // by the scan itself, so one scan on a loaded machine may do every read:
  // some scan of a few must have had help.
  size_t helped = 0;
  for (int attempt = 0; attempt < 20 && helped == 0; ++attempt) {
    ASSERT_NO_FATAL_FAILURE(scan(true, &reads, &elsewhere));
    helped += elsewhere;
  }
  EXPECT_GT(helped, 0u);
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSERT_NO_FATAL_FAILURE(scan(false, &reads, &elsewhere));
    EXPECT_EQ(elsewhere, 0u);
  }
  ASSERT_OK(db_->Close());
}

INSTANTIATE_TEST_SUITE_P(
    DirectOptions, DBIOModeTest,
    ::testing::Values(Combo{false, false}, Combo{true, false},
                      Combo{false, true}, Combo{true, true}),
    [](const ::testing::TestParamInfo<Combo>& info) {
      return std::string(info.param.direct_reads ? "DirectReads"
                                                 : "BufferedReads") +
             (info.param.direct_flush ? "_DirectFlush" : "_BufferedFlush");
    });

}  // namespace
}  // namespace strata
