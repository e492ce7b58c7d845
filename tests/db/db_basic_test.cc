// DB basics on the in-memory file system: writes, reads, iteration,
// snapshots, flush, compaction, reopen, validation and the probe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "db/db_files.h"
#include "db/db_options.h"
#include "env/fake_file_system.h"
#include "env/file_system_wrapper.h"
#include "strata/db.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "strata/statistics.h"
#include "strata/write_batch.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

class DBBasicTest : public ::testing::Test {
 protected:
  DBBasicTest() : env_(&fs_, &clock_) {
    options_.env = &env_;
    options_.create_if_missing = true;
    options_.statistics = CreateDBStatistics();
  }
  ~DBBasicTest() override { db_.reset(); }

  void Open() { ASSERT_OK(DB::Open(options_, "/db", &db_)); }
  void Reopen() {
    if (db_ != nullptr) ASSERT_OK(db_->Close());
    db_.reset();
    Open();
  }
  std::string Get(const std::string& key, const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::string value;
    Status s = db_->Get(ro, key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }
  std::string Scan(bool reverse = false) {
    return ScanWith(db_->NewIterator(ReadOptions()).get(), reverse);
  }
  // "key=value " for each entry `it` shows from the first (or the last).
  static std::string ScanWith(Iterator* it, bool reverse = false) {
    std::string out;
    if (reverse) {
      for (it->SeekToLast(); it->Valid(); it->Prev()) {
        out += it->key().ToString() + "=" + it->value().ToString() + " ";
      }
    } else {
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        out += it->key().ToString() + "=" + it->value().ToString() + " ";
      }
    }
    EXPECT_OK(it->status());
    return out;
  }
  int NumTableFiles() {
    return static_cast<int>(db_->GetLiveFilesMetaData().size());
  }
  std::set<std::string> TablesOnDisk() { return test::TablesOnDisk(fs_, "/db"); }
  std::set<std::string> LiveTables() { return test::LiveTables(*db_); }

  FakeFileSystem fs_;
  ManualClock clock_;
  Env env_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBBasicTest, PutGetDelete) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->Put(WriteOptions(), "b", "2"));
  EXPECT_EQ("1", Get("a"));
  EXPECT_EQ("2", Get("b"));
  ASSERT_OK(db_->Delete(WriteOptions(), "a"));
  EXPECT_EQ("NOT_FOUND", Get("a"));
  EXPECT_EQ("b=2 ", Scan());
}

TEST_F(DBBasicTest, SurvivesReopenFromWal) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "k1", "v1"));
  ASSERT_OK(db_->Put(WriteOptions(), "k2", "v2"));
  ASSERT_OK(db_->Delete(WriteOptions(), "k1"));
  Reopen();
  EXPECT_EQ("NOT_FOUND", Get("k1"));
  EXPECT_EQ("v2", Get("k2"));
  // Recovery flushed the WAL's contents to an L0 table.
  EXPECT_EQ(1, NumTableFiles());
}

TEST_F(DBBasicTest, FlushThenReadFromTable) {
  Open();
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(db_->Put(WriteOptions(), "key" + std::to_string(i),
                       "value" + std::to_string(i)));
  }
  ASSERT_OK(db_->Flush(FlushOptions()));
  EXPECT_EQ(1, NumTableFiles());
  EXPECT_EQ("value42", Get("key42"));
  EXPECT_EQ("NOT_FOUND", Get("key100"));
  Reopen();
  EXPECT_EQ("value7", Get("key7"));
}

size_t ThreadsOfThisProcess() {
  size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

TEST_F(DBBasicTest, ParallelCompressionWritesTheSameTables) {
  // The same writes, flushes and compaction with one and with three
  // compression threads give tables of the same sizes and the same data.
  options_.table_options.compression = CompressionType::kZSTD;
  options_.table_options.block_size = 256;  // Many blocks per table.
  std::vector<uint64_t> sizes[2];
  std::string scans[2];
  for (int threads : {1, 3}) {
    SCOPED_TRACE("compression_parallel_threads " + std::to_string(threads));
    options_.compression_parallel_threads = threads;
    const size_t threads_before = ThreadsOfThisProcess();
    ASSERT_OK(DB::Open(options_, "/db" + std::to_string(threads), &db_));
    if (threads > 1) {
      // The DB's own compression threads exist.
      EXPECT_GE(ThreadsOfThisProcess(), threads_before + 3);
    }
    test::Random rnd(77);
    for (int table = 0; table < 3; ++table) {
      for (int i = 0; i < 2000; ++i) {
        ASSERT_OK(db_->Put(WriteOptions(),
                           "key" + std::to_string(rnd.Uniform(5000)),
                           std::string(20 + rnd.Uniform(80),
                                       static_cast<char>('a' + i % 7))));
      }
      ASSERT_OK(db_->Flush(FlushOptions()));
    }
    ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
    const int slot = threads > 1 ? 1 : 0;
    for (const auto& f : db_->GetLiveFilesMetaData()) {
      sizes[slot].push_back(f.size);
    }
    scans[slot] = Scan();
    ASSERT_OK(db_->Close());
    db_.reset();
  }
  EXPECT_FALSE(sizes[0].empty());
  EXPECT_EQ(sizes[0], sizes[1]);
  EXPECT_EQ(scans[0], scans[1]);
}

TEST_F(DBBasicTest, SnapshotsSeeOldValues) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "old"));
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_OK(db_->Put(WriteOptions(), "k", "new"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  EXPECT_EQ("new", Get("k"));
  EXPECT_EQ("old", Get("k", snap));
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  EXPECT_EQ("old", Get("k", snap));
  db_->ReleaseSnapshot(snap);
}

TEST_F(DBBasicTest, BottommostCompactionZeroesSequenceNumbers) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->Put(WriteOptions(), "b", "old"));
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_OK(db_->Put(WriteOptions(), "b", "new"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  // The snapshot still needs b's newer number; the rest is older than it.
  auto files = db_->GetLiveFilesMetaData();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_GT(files[0].level, 0);
  EXPECT_EQ(files[0].smallest_seqno, 0u);
  EXPECT_EQ(files[0].largest_seqno, 3u);
  EXPECT_EQ("old", Get("b", snap));
  EXPECT_EQ("new", Get("b"));
  db_->ReleaseSnapshot(snap);
  // The next compaction into that level rewrites it with every number 0.
  ASSERT_OK(db_->Put(WriteOptions(), "ab", "3"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  files = db_->GetLiveFilesMetaData();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].largest_seqno, 0u);
  EXPECT_EQ("1", Get("a"));
  EXPECT_EQ("3", Get("ab"));
  EXPECT_EQ("new", Get("b"));
  // Newer writes over zeroed keys win, before and after their own compaction.
  ASSERT_OK(db_->Put(WriteOptions(), "a", "2"));
  EXPECT_EQ("2", Get("a"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  EXPECT_EQ("a=2 ab=3 b=new ", Scan());
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  EXPECT_EQ("a=2 ab=3 b=new ", Scan());
  Reopen();
  EXPECT_EQ("a=2 ab=3 b=new ", Scan());
  // The sequence carries on after the reopen, whatever the files' numbers.
  ASSERT_OK(db_->Put(WriteOptions(), "b", "newest"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  EXPECT_EQ("newest", Get("b"));
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  EXPECT_EQ("a=2 ab=3 b=newest ", Scan());
}

TEST_F(DBBasicTest, DeleteRangeHidesKeysEverywhere) {
  Open();
  for (char c = 'a'; c <= 'h'; ++c) {
    ASSERT_OK(db_->Put(WriteOptions(), std::string(1, c), "x"));
  }
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->DeleteRange(WriteOptions(), "c", "f"));
  EXPECT_EQ("NOT_FOUND", Get("c"));
  EXPECT_EQ("NOT_FOUND", Get("e"));
  EXPECT_EQ("x", Get("f"));
  EXPECT_EQ("a=x b=x f=x g=x h=x ", Scan());
  EXPECT_EQ("h=x g=x f=x b=x a=x ", Scan(/*reverse=*/true));
  ASSERT_OK(db_->Flush(FlushOptions()));
  EXPECT_EQ("NOT_FOUND", Get("d"));
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  EXPECT_EQ("NOT_FOUND", Get("d"));
  EXPECT_EQ("a=x b=x f=x g=x h=x ", Scan());
  Reopen();
  EXPECT_EQ("a=x b=x f=x g=x h=x ", Scan());
}

TEST_F(DBBasicTest, WriteBatchIsAtomicAndOrdered) {
  Open();
  WriteBatch batch;
  ASSERT_OK(batch.Put("a", "1"));
  ASSERT_OK(batch.Put("a", "2"));
  ASSERT_OK(batch.Delete("b"));
  ASSERT_OK(batch.Put("c", "3"));
  ASSERT_OK(db_->Write(WriteOptions(), &batch));
  EXPECT_EQ("a=2 c=3 ", Scan());
}

TEST_F(DBBasicTest, CompactionMergesLevel0) {
  options_.level0_file_num_compaction_trigger = 2;
  Open();
  std::map<std::string, std::string> model;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 50; ++i) {
      const std::string key = "k" + std::to_string((i * 7 + round) % 80);
      const std::string value = "r" + std::to_string(round);
      ASSERT_OK(db_->Put(WriteOptions(), key, value));
      model[key] = value;
    }
    ASSERT_OK(db_->Flush(FlushOptions()));
  }
  ASSERT_OK(db_->WaitForCompact());
  uint64_t l0 = 0;
  ASSERT_TRUE(db_->GetIntProperty("rocksdb.num-files-at-level0", &l0));
  EXPECT_LT(l0, 2u);
  for (const auto& [k, v] : model) EXPECT_EQ(v, Get(k)) << k;
  Reopen();
  for (const auto& [k, v] : model) EXPECT_EQ(v, Get(k)) << k;
}

TEST_F(DBBasicTest, ValidationMessagesAreExact) {
  options_.allow_mmap_reads = true;
  options_.use_direct_reads = true;
  options_.allow_mmap_writes = true;
  options_.use_direct_io_for_flush_and_compaction = true;
  Status s = DB::Open(options_, "/db", &db_);
  EXPECT_EQ(
      "Not implemented: If memory mapped reads (allow_mmap_reads) are enabled "
      "then direct I/O reads (use_direct_reads) must be disabled. ",
      s.ToString());
  options_.use_direct_reads = false;
  s = DB::Open(options_, "/db", &db_);
  EXPECT_EQ(
      "Not implemented: If memory mapped reads (allow_mmap_reads) are enabled "
      "then direct I/O writes (use_direct_io_for_flush_and_compaction) must "
      "be disabled. ",
      s.ToString());
  options_.allow_mmap_reads = false;
  s = DB::Open(options_, "/db", &db_);
  EXPECT_EQ(
      "Not implemented: If memory mapped writes (allow_mmap_writes) are "
      "enabled then direct I/O writes (use_direct_io_for_flush_and_compaction) "
      "must be disabled. ",
      s.ToString());
  options_.allow_mmap_writes = false;
  options_.writable_file_max_buffer_size = 0;
  s = DB::Open(options_, "/db", &db_);
  EXPECT_EQ(
      "Invalid argument: writes in direct IO require "
      "writable_file_max_buffer_size > 0",
      s.ToString());
  // Nothing was created by any of the failed opens.
  EXPECT_FALSE(fs_.FileExists("/db").ok());
}

TEST_F(DBBasicTest, ProbeRejectsFileSystemWithoutDirectIO) {
  FakeFileSystem::Options fo;
  fo.reject_direct_open = true;
  FakeFileSystem no_direct(fo);
  Env env(&no_direct, &clock_);
  options_.env = &env;
  options_.use_direct_reads = true;
  Status s = DB::Open(options_, "/db", &db_);
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos,
            s.ToString().find("Direct I/O is not supported by the specified "
                              "DB."))
      << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("/db")) << s.ToString();
  EXPECT_FALSE(no_direct.FileExists("/db").ok()) << "left a directory behind";

  FakeFileSystem::Options io_fo;
  io_fo.reject_direct_io = true;
  FakeFileSystem accepts_open(io_fo);
  Env env2(&accepts_open, &clock_);
  options_.env = &env2;
  s = DB::Open(options_, "/db", &db_);
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("direct write"))
      << s.ToString();
  EXPECT_FALSE(accepts_open.FileExists("/db").ok());

  // Opt-in fallback: opens buffered, one warning, one tick.
  options_.direct_io_fallback = true;
  ASSERT_OK(DB::Open(options_, "/db", &db_));
  EXPECT_EQ(1u, options_.statistics->getTickerCount(DIRECT_IO_FALLBACK));
  EXPECT_FALSE(db_->GetOptions().use_direct_reads);
  ASSERT_OK(db_->Put(WriteOptions(), "k", "v"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  EXPECT_EQ("v", Get("k"));
  db_.reset();
}

TEST_F(DBBasicTest, SecondOpenFailsOnLock) {
  Open();
  std::unique_ptr<DB> second;
  Status s = DB::Open(options_, "/db", &second);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string::npos, s.ToString().find("LOCK")) << s.ToString();
}

TEST_F(DBBasicTest, ReadOnlyOpenSeesWalContents) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->Put(WriteOptions(), "b", "2"));
  options_.avoid_flush_during_shutdown = true;
  ASSERT_OK(db_->Close());
  db_.reset();
  ASSERT_OK(DB::OpenForReadOnly(options_, "/db", &db_));
  EXPECT_EQ("1", Get("a"));
  EXPECT_EQ("2", Get("b"));
  EXPECT_TRUE(db_->Put(WriteOptions(), "c", "3").IsNotSupported());
}

TEST_F(DBBasicTest, CompactRangeMovesLevel0DataDown) {
  options_.disable_auto_compactions = true;
  Open();
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 20; ++i) {
      ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i),
                         "r" + std::to_string(round)));
    }
    ASSERT_OK(db_->Flush(FlushOptions()));
  }
  uint64_t l0 = 0, l1 = 0;
  ASSERT_TRUE(db_->GetIntProperty("rocksdb.num-files-at-level0", &l0));
  EXPECT_EQ(3u, l0);
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  ASSERT_TRUE(db_->GetIntProperty("rocksdb.num-files-at-level0", &l0));
  ASSERT_TRUE(db_->GetIntProperty("rocksdb.num-files-at-level1", &l1));
  EXPECT_EQ(0u, l0);
  EXPECT_EQ(1u, l1);
  EXPECT_EQ("r2", Get("k7"));
}

// A file moved to another level (a trivial move puts a copy of its metadata
// into the new Version) and then compacted away must stay on disk while an
// iterator still pins the Version that holds it.
TEST_F(DBBasicTest, IteratorKeepsMovedAndCompactedFilesAlive) {
  options_.level0_file_num_compaction_trigger = 1;
  Open();
  for (char c = 'a'; c <= 'e'; ++c) {
    ASSERT_OK(db_->Put(WriteOptions(), std::string(1, c), "old"));
  }
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->WaitForCompact());  // L0 -> L1 by a trivial move.
  uint64_t l1 = 0;
  ASSERT_TRUE(db_->GetIntProperty("rocksdb.num-files-at-level1", &l1));
  ASSERT_EQ(1u, l1);
  auto it = db_->NewIterator(ReadOptions());
  for (char c = 'a'; c <= 'e'; ++c) {
    ASSERT_OK(db_->Put(WriteOptions(), std::string(1, c), "new"));
  }
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->WaitForCompact());  // Rewrites L1: the moved file goes.
  EXPECT_EQ("a=old b=old c=old d=old e=old ", ScanWith(it.get()));
  it.reset();
  EXPECT_EQ("a=new b=new c=new d=new e=new ", Scan());
}

// Tables that only an iterator's old Version still uses go as soon as the
// last such iterator does, not at the next flush, compaction or Open.
TEST_F(DBBasicTest, LastIteratorOnAnOldVersionTakesItsTablesAlong) {
  options_.disable_auto_compactions = true;
  Open();
  for (int round = 0; round < 2; ++round) {
    for (char c = 'a'; c <= 'e'; ++c) {
      ASSERT_OK(db_->Put(WriteOptions(), std::string(1, c),
                         "v" + std::to_string(round)));
    }
    ASSERT_OK(db_->Flush(FlushOptions()));
  }
  const std::set<std::string> old_tables = LiveTables();
  ASSERT_EQ(2u, old_tables.size());
  auto first = db_->NewIterator(ReadOptions());
  auto second = db_->NewIterator(ReadOptions());
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  const std::set<std::string> new_tables = LiveTables();
  ASSERT_EQ(1u, new_tables.size());
  ASSERT_EQ(0u, old_tables.count(*new_tables.begin()));

  std::set<std::string> all = old_tables;
  all.insert(new_tables.begin(), new_tables.end());
  EXPECT_EQ(all, TablesOnDisk());  // Both iterators pin the old tables.
  EXPECT_EQ("a=v1 b=v1 c=v1 d=v1 e=v1 ", ScanWith(first.get()));
  first.reset();
  EXPECT_EQ(all, TablesOnDisk());  // `second` still reads them.
  second->SeekToFirst();
  ASSERT_TRUE(second->Valid());
  EXPECT_EQ("v1", second->value().ToString());
  second.reset();
  EXPECT_EQ(new_tables, TablesOnDisk());
  // An iterator on the current Version takes nothing with it.
  EXPECT_EQ("a=v1 b=v1 c=v1 d=v1 e=v1 ", Scan());
  EXPECT_EQ(new_tables, TablesOnDisk());
}

// Gets, MultiGets and iterators on one thread each, while flushes and
// compactions replace the Version under them. The iterator thread always
// holds one iterator, and keeps the last one from before the final
// compaction until it stops. Once the readers stop, every table on disk is
// one the DB uses, with no later flush or compaction to clean up.
TEST_F(DBBasicTest, ReadersRacingCompactionsLeaveNoTablesBehind) {
  options_.level0_file_num_compaction_trigger = 2;
  options_.write_buffer_size = 16 << 10;
  Open();
  constexpr int kKeys = 500;
  auto key = [](int i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "k%05d", i % kKeys);
    return std::string(buf);
  };
  std::atomic<bool> stop{false};
  std::atomic<bool> hold{false};
  std::atomic<bool> holding{false};
  std::vector<std::thread> readers;
  struct StopReaders {  // Also when an assertion below returns early.
    std::atomic<bool>* stop;
    std::vector<std::thread>* readers;
    void Now() {
      *stop = true;
      for (auto& t : *readers) t.join();
      readers->clear();
    }
    ~StopReaders() { Now(); }
  } stop_readers{&stop, &readers};
  readers.emplace_back([&] {
    std::string value;
    for (int i = 0; !stop.load(); ++i) {
      Status s = db_->Get(ReadOptions(), key(i), &value);
      ASSERT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
    }
  });
  readers.emplace_back([&] {
    std::vector<std::string> values;
    for (int i = 0; !stop.load(); ++i) {
      const std::string a = key(i), b = key(i * 7);
      for (const Status& s :
           db_->MultiGet(ReadOptions(), {Slice(a), Slice(b)}, &values)) {
        ASSERT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
      }
    }
  });
  readers.emplace_back([&] {
    std::unique_ptr<Iterator> held;
    for (int i = 0; !stop.load(); ++i) {
      if (hold.load()) {
        holding = true;
        std::this_thread::yield();
        continue;
      }
      auto it = db_->NewIterator(ReadOptions());
      int n = 0;
      for (it->Seek(key(i)); it->Valid() && n < 20; it->Next()) ++n;
      ASSERT_OK(it->status());
      held = std::move(it);  // Drops the one before.
    }
  });
  for (int i = 0; i < 4 * kKeys; ++i) {
    ASSERT_OK(db_->Put(WriteOptions(), key(i), std::string(100, 'x')));
  }
  ASSERT_OK(db_->Put(WriteOptions(), "last", "1"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->WaitForCompact());
  hold = true;
  while (!holding.load()) std::this_thread::yield();
  const std::set<std::string> pinned = LiveTables();
  // A table overlapping every other, so that the compaction rewrites them.
  ASSERT_OK(db_->Put(WriteOptions(), key(0), "first"));
  ASSERT_OK(db_->Put(WriteOptions(), "last", "2"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  for (const auto& name : LiveTables()) ASSERT_EQ(0u, pinned.count(name));
  stop_readers.Now();
  EXPECT_EQ(LiveTables(), TablesOnDisk());
}

// wal_bytes_per_sync applies to WALs created after the change, so changing
// it starts a new WAL (spec S2); the memtable spans both, and recovery
// replays both.
TEST_F(DBBasicTest, SetWalBytesPerSyncStartsNewWal) {
  options_.avoid_flush_during_shutdown = true;
  Open();
  auto count_wals = [this]() {
    std::vector<std::string> names;
    EXPECT_OK(fs_.GetChildren("/db", &names));
    int n = 0;
    for (const auto& name : names) {
      n += name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0;
    }
    return n;
  };
  ASSERT_OK(db_->Put(WriteOptions(), "before", "1"));
  const int wals = count_wals();
  ASSERT_OK(db_->SetOptions({{"wal_bytes_per_sync", "65536"}}));
  EXPECT_EQ(wals + 1, count_wals());
  EXPECT_EQ(65536u, db_->GetOptions().wal_bytes_per_sync);
  // Setting the same value again starts nothing.
  ASSERT_OK(db_->SetOptions({{"wal_bytes_per_sync", "65536"}}));
  EXPECT_EQ(wals + 1, count_wals());
  ASSERT_OK(db_->Put(WriteOptions(), "after", "2"));
  Reopen();
  EXPECT_EQ("1", Get("before"));
  EXPECT_EQ("2", Get("after"));
}

// Holds every WAL sync, once armed, until released: shows what the DB
// lets happen while a WAL sync is in progress.
class WalSyncGate final : public FileSystemWrapper {
 public:
  using FileSystemWrapper::FileSystemWrapper;

  void Arm() {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = true;
  }
  // Waits until a sync is held at the gate.
  void WaitForHeldSync() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return held_ > 0; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    armed_ = false;
    cv_.notify_all();
  }

  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override {
    IOStatus s = FileSystemWrapper::NewWritableFile(path, options, result);
    if (s.ok() && path.size() > 4 &&
        path.compare(path.size() - 4, 4, ".log") == 0) {
      *result = std::make_unique<GatedFile>(std::move(*result), this);
    }
    return s;
  }

 private:
  class GatedFile final : public WritableFileWrapper {
   public:
    GatedFile(std::unique_ptr<WritableFile> target, WalSyncGate* gate)
        : WritableFileWrapper(std::move(target)), gate_(gate) {}
    IOStatus Sync() override {
      gate_->Pass();
      return WritableFileWrapper::Sync();
    }
    IOStatus Fsync() override {
      gate_->Pass();
      return WritableFileWrapper::Fsync();
    }

   private:
    WalSyncGate* const gate_;
  };

  void Pass() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!armed_) return;
    ++held_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return !armed_; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  int held_ = 0;
};

// Switching the memtable syncs the old WAL, which can take tens of
// milliseconds; reads do not wait for it (the DB mutex is free meanwhile).
TEST(DBWalSwitchTest, ReadsGoOnWhileTheOldWalSyncs) {
  FakeFileSystem fake;
  WalSyncGate gate(&fake);
  ManualClock clock;
  Env env(&gate, &clock);
  Options options;
  options.env = &env;
  options.create_if_missing = true;
  std::unique_ptr<DB> db;
  ASSERT_OK(DB::Open(options, "/db", &db));
  ASSERT_OK(db->Put(WriteOptions(), "a", "1"));

  gate.Arm();
  // Flush switches the memtable, and with it the WAL.
  auto flush = std::async(std::launch::async,
                          [&] { return db->Flush(FlushOptions()); });
  gate.WaitForHeldSync();
  auto read = std::async(std::launch::async, [&] {
    std::string value;
    Status s = db->Get(ReadOptions(), "a", &value);
    if (s.ok()) s = db->NewIterator(ReadOptions())->status();
    return s.ok() ? value : s.ToString();
  });
  // A generous bound: with the mutex held through the sync, the read
  // could not finish before Release().
  const bool read_done =
      read.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  gate.Release();
  EXPECT_TRUE(read_done) << "a Get waited for the old WAL's sync";
  EXPECT_EQ("1", read.get());
  ASSERT_OK(flush.get());
  std::string value;
  ASSERT_OK(db->Get(ReadOptions(), "a", &value));
  EXPECT_EQ("1", value);
  ASSERT_OK(db->Close());
}

}  // namespace
}  // namespace strata
