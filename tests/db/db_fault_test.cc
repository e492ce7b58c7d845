// Fault tests of the store: ENOSPC or EIO on the n-th write or sync of an
// SST during a flush or a compaction (direct and buffered flush I/O), EIO on
// a WAL write or sync, and EIO on a MANIFEST write or sync, through the
// fault-injection file system over the in-memory one.
//
// What must hold: the DB enters a background-error state whose status says
// what happened (NoSpace for ENOSPC) and names the file; later writes fail
// with that status; acknowledged data stays readable; no partial SST is
// referenced or left in the directory; after the fault is removed Resume()
// returns OK, writes and flushes work, and a reopen (or a power loss)
// keeps every acknowledged write.
#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/db_files.h"
#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "strata/db.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "strata/write_batch.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using Model = std::map<std::string, std::string>;

struct FaultConfig {
  bool direct_flush;
  int error_number;  // ENOSPC or EIO.
};

class DBFaultTest : public ::testing::TestWithParam<FaultConfig> {
 protected:
  DBFaultTest() : faulty_(&fs_), env_(&faulty_, &clock_) {
    options_.env = &env_;
    options_.create_if_missing = true;
    options_.use_direct_io_for_flush_and_compaction = GetParam().direct_flush;
    options_.write_buffer_size = 1 << 20;  // Flushes only when asked.
    options_.disable_auto_compactions = true;
    options_.level0_file_num_compaction_trigger = 2;
    options_.table_options.block_size = 512;
    // Several writes per SST, so the n-th one can fail.
    options_.writable_file_max_buffer_size = 4096;
  }
  ~DBFaultTest() override { db_.reset(); }

  void Open() { ASSERT_OK(DB::Open(options_, dbname_, &db_)); }
  void Reopen() {
    ASSERT_OK(db_->Close());
    db_.reset();
    Open();
  }

  // Puts `n` keys with unique values (every fourth synced) into the model.
  void PutKeys(int n, const std::string& tag) {
    for (int i = 0; i < n; ++i) {
      const std::string key = "key" + std::to_string(1000 + i * 7 % n);
      const std::string value =
          tag + "." + std::to_string(i) +
          std::string(60, static_cast<char>('a' + i % 26));
      WriteOptions wo;
      wo.sync = i % 4 == 0;
      ASSERT_OK(db_->Put(wo, key, value));
      acked_[key] = value;
    }
  }

  // Every acknowledged write is visible, through Get and a scan.
  void ExpectAcked() {
    for (const auto& [key, value] : acked_) {
      std::string got;
      Status s = db_->Get(ReadOptions(), key, &got);
      ASSERT_TRUE(s.ok()) << key << ": " << s.ToString();
      ASSERT_EQ(value, got) << key;
    }
    Model scanned;
    auto it = db_->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      scanned[it->key().ToString()] = it->value().ToString();
    }
    ASSERT_OK(it->status());
    ASSERT_EQ(acked_, scanned);
  }

  std::set<std::string> SstFilesOnDisk() {
    return test::TablesOnDisk(fs_, dbname_);
  }
  std::set<std::string> LiveSstFiles() { return test::LiveTables(*db_); }

  // `s` is the injected failure: NoSpace for ENOSPC, a plain IOError for
  // EIO, naming a file that contains `file_part`.
  void ExpectInjected(const Status& s, const std::string& file_part,
                      int error_number) {
    ASSERT_FALSE(s.ok());
    if (error_number == ENOSPC) {
      EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
    } else {
      EXPECT_TRUE(s.IsIOError() && !s.IsNoSpace()) << s.ToString();
    }
    EXPECT_NE(std::string::npos, s.ToString().find(file_part)) << s.ToString();
  }

  // After a background error `bg`: writes fail with it, reads still work.
  void ExpectWritesRefused(const Status& bg) {
    Status s = db_->Put(WriteOptions(), "refused", "x");
    EXPECT_EQ(bg.ToString(), s.ToString());
    WriteBatch batch;
    ASSERT_OK(batch.Put("refused2", "y"));
    s = db_->Write(WriteOptions(), &batch);
    EXPECT_EQ(bg.ToString(), s.ToString());
    ExpectAcked();
  }

  // Resume, then the DB works: writes, a flush, a reopen.
  void ResumeAndCheck(const std::string& tag) {
    ASSERT_OK(db_->Resume());
    ExpectAcked();
    PutKeys(50, tag + "-resumed");
    ASSERT_OK(db_->Flush(FlushOptions()));
    ExpectAcked();
    // The files are exactly the live ones.
    EXPECT_EQ(LiveSstFiles(), SstFilesOnDisk());
    Reopen();
    ExpectAcked();
    EXPECT_EQ(LiveSstFiles(), SstFilesOnDisk());
  }

  // Leaves one table in L0 and one or more in L1 (CompactRange compacts
  // down to the last level holding data, so L0 alone is left alone).
  void MakeTwoLevels() {
    PutKeys(300, "first");
    ASSERT_OK(db_->Flush(FlushOptions()));
    PutKeys(300, "second");
    ASSERT_OK(db_->Flush(FlushOptions()));
    ASSERT_OK(db_->SetOptions({{"disable_auto_compactions", "false"}}));
    ASSERT_OK(db_->WaitForCompact());
    ASSERT_OK(db_->SetOptions({{"disable_auto_compactions", "true"}}));
    PutKeys(300, "third");
    ASSERT_OK(db_->Flush(FlushOptions()));
    uint64_t l0 = 0, l1 = 0;
    ASSERT_TRUE(db_->GetIntProperty("rocksdb.num-files-at-level0", &l0));
    ASSERT_TRUE(db_->GetIntProperty("rocksdb.num-files-at-level1", &l1));
    ASSERT_EQ(1u, l0);
    ASSERT_GE(l1, 1u);
  }

  // The op that syncs a new SST: buffered tables are fdatasynced by the
  // table output; direct ones are fsynced when the writer closes them.
  FileOp SstSyncOp() const {
    return GetParam().direct_flush ? FileOp::kFsync : FileOp::kSync;
  }

  FakeFileSystem fs_;
  FaultInjectionFileSystem faulty_;
  ManualClock clock_;
  Env env_;
  Options options_;
  std::string dbname_ = "/db";
  std::unique_ptr<DB> db_;
  Model acked_;
};

// A flush whose n-th SST write (or its sync) fails.
TEST_P(DBFaultTest, FlushFailsOnNthSstWriteOrSync) {
  const int err = GetParam().error_number;
  int fired = 0;
  for (FileOp op : {FileOp::kWrite, SstSyncOp()}) {
    for (int nth = 1; nth <= 4; ++nth) {
      SCOPED_TRACE(std::string(FileOpName(op)) + " #" + std::to_string(nth));
      dbname_ = "/db-" + std::string(FileOpName(op)) + std::to_string(nth);
      acked_.clear();
      Open();
      PutKeys(300, "first");
      ASSERT_OK(db_->Flush(FlushOptions()));  // One good table.
      PutKeys(300, "second");

      FaultRule rule;
      rule.op = op;
      rule.path_pattern = "*.sst";
      rule.nth = nth;
      rule.error_number = err;
      const int id = faulty_.AddRule(rule);
      const Status s = db_->Flush(FlushOptions());
      faulty_.RemoveRule(id);
      if (faulty_.FireCount(id) == 0) {
        // The table needed fewer operations than nth.
        ASSERT_OK(s);
        ASSERT_OK(db_->Close());
        db_.reset();
        continue;
      }
      ++fired;
      ExpectInjected(s, ".sst", err);
      ExpectWritesRefused(s);
      // The partial table is neither referenced nor left on disk.
      EXPECT_EQ(1u, LiveSstFiles().size());
      EXPECT_EQ(LiveSstFiles(), SstFilesOnDisk());
      ResumeAndCheck("flush");
      ASSERT_OK(db_->Close());
      db_.reset();
    }
  }
  EXPECT_GE(fired, 3);  // Writes 1 and 2 at least, and the sync.
}

// A manual compaction whose n-th output write (or sync) fails.
TEST_P(DBFaultTest, CompactionFailsOnNthSstWriteOrSync) {
  const int err = GetParam().error_number;
  int fired = 0;
  for (FileOp op : {FileOp::kWrite, SstSyncOp()}) {
    for (int nth = 1; nth <= 4; ++nth) {
      SCOPED_TRACE(std::string(FileOpName(op)) + " #" + std::to_string(nth));
      dbname_ = "/db-" + std::string(FileOpName(op)) + std::to_string(nth);
      acked_.clear();
      Open();
      MakeTwoLevels();
      const std::set<std::string> before = LiveSstFiles();

      FaultRule rule;
      rule.op = op;
      rule.path_pattern = "*.sst";
      rule.nth = nth;
      rule.error_number = err;
      const int id = faulty_.AddRule(rule);
      const Status s =
          db_->CompactRange(CompactRangeOptions(), nullptr, nullptr);
      faulty_.RemoveRule(id);
      if (faulty_.FireCount(id) == 0) {
        ASSERT_OK(s);
        ASSERT_OK(db_->Close());
        db_.reset();
        continue;
      }
      ++fired;
      ExpectInjected(s, ".sst", err);
      ExpectWritesRefused(s);
      // The inputs stay; no output is referenced or left on disk.
      EXPECT_EQ(before, LiveSstFiles());
      EXPECT_EQ(before, SstFilesOnDisk());
      ResumeAndCheck("compaction");
      ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
      ExpectAcked();
      ASSERT_OK(db_->Close());
      db_.reset();
    }
  }
  EXPECT_GE(fired, 3);
}

// A compaction output that was written but fails its check (the reader
// cannot open it) is deleted, and if that deletion fails too, its number is
// released so that the cleanup after Resume removes it.
TEST_P(DBFaultTest, CompactionOutputFailsItsCheck) {
  for (bool delete_fails : {false, true}) {
    SCOPED_TRACE(delete_fails ? "the deletion fails" : "the deletion works");
    dbname_ = delete_fails ? "/db-delete-fails" : "/db";
    acked_.clear();
    Open();
    MakeTwoLevels();
    const std::set<std::string> before = LiveSstFiles();

    // The compaction opens each input once, then the output for its check.
    FaultRule open;
    open.op = FileOp::kOpenRandomAccess;
    open.path_pattern = "*.sst";
    open.nth = static_cast<int>(before.size()) + 1;
    open.error_number = EIO;
    const int open_id = faulty_.AddRule(open);
    int delete_id = 0;
    if (delete_fails) {
      FaultRule del;
      del.op = FileOp::kDelete;
      del.path_pattern = "*.sst";
      del.nth = 1;
      del.error_number = EIO;
      delete_id = faulty_.AddRule(del);
    }
    const Status s = db_->CompactRange(CompactRangeOptions(), nullptr, nullptr);
    faulty_.RemoveRule(open_id);
    if (delete_fails) faulty_.RemoveRule(delete_id);
    ASSERT_EQ(1u, faulty_.FireCount(open_id));
    ExpectInjected(s, ".sst", EIO);
    ExpectWritesRefused(s);
    EXPECT_EQ(before, LiveSstFiles());
    if (delete_fails) {
      ASSERT_EQ(1u, faulty_.FireCount(delete_id));
      EXPECT_EQ(before.size() + 1, SstFilesOnDisk().size());
    } else {
      EXPECT_EQ(before, SstFilesOnDisk());
    }
    ResumeAndCheck("check");  // Ends with the files exactly the live ones.
    ASSERT_OK(db_->Close());
    db_.reset();
  }
}

// The same in a background compaction: WaitForCompact reports the error.
TEST_P(DBFaultTest, BackgroundCompactionFailsThenResumes) {
  const int err = GetParam().error_number;
  Open();
  PutKeys(300, "first");
  ASSERT_OK(db_->Flush(FlushOptions()));
  PutKeys(300, "second");
  ASSERT_OK(db_->Flush(FlushOptions()));
  const std::set<std::string> before = LiveSstFiles();

  FaultRule rule;
  rule.op = FileOp::kWrite;
  rule.path_pattern = "*.sst";
  rule.nth = 2;
  rule.error_number = err;
  const int id = faulty_.AddRule(rule);
  ASSERT_OK(db_->SetOptions({{"disable_auto_compactions", "false"}}));
  const Status s = db_->WaitForCompact();
  faulty_.RemoveRule(id);
  ASSERT_EQ(1u, faulty_.FireCount(id));
  ExpectInjected(s, ".sst", err);
  ExpectWritesRefused(s);
  EXPECT_EQ(before, LiveSstFiles());
  EXPECT_EQ(before, SstFilesOnDisk());
  ASSERT_OK(db_->Resume());
  ASSERT_OK(db_->WaitForCompact());
  uint64_t l0 = 99;
  ASSERT_TRUE(db_->GetIntProperty("rocksdb.num-files-at-level0", &l0));
  EXPECT_EQ(0u, l0);  // The compaction ran again after Resume.
  ExpectAcked();
  ResumeAndCheck("background");
}

// A failed WAL write (or sync) fails that write, and every later one until
// Resume; the failed write is never visible.
TEST_P(DBFaultTest, WalFailureRefusesWritesUntilResume) {
  for (FileOp op : {FileOp::kWrite, FileOp::kSync}) {
    SCOPED_TRACE(FileOpName(op));
    dbname_ = "/db-" + std::string(FileOpName(op));
    acked_.clear();
    Open();
    PutKeys(20, "before");

    FaultRule rule;
    rule.op = op;
    rule.path_pattern = "*.log";
    rule.nth = 1;
    rule.error_number = EIO;
    const int id = faulty_.AddRule(rule);
    WriteOptions wo;
    wo.sync = true;
    const Status s = db_->Put(wo, "failed", "never");
    faulty_.RemoveRule(id);
    ASSERT_EQ(1u, faulty_.FireCount(id));
    ExpectInjected(s, ".log", EIO);
    // The fault is gone, but the DB refuses writes until Resume.
    ExpectWritesRefused(s);
    std::string value;
    if (op == FileOp::kWrite) {
      // The record never reached the WAL.
      EXPECT_TRUE(db_->Get(ReadOptions(), "failed", &value).IsNotFound());
    }
    ASSERT_OK(db_->Resume());
    PutKeys(20, "after");
    ExpectAcked();
    Reopen();
    ExpectAcked();
    if (op == FileOp::kWrite) {
      EXPECT_TRUE(db_->Get(ReadOptions(), "failed", &value).IsNotFound());
    }
    // Power loss after Resume keeps the synced writes.
    ASSERT_OK(db_->Put(wo, "synced-last", "x"));
    acked_["synced-last"] = "x";
    db_.reset();
    fs_.SimulateCrash();
    Open();
    ExpectAcked();
    ASSERT_OK(db_->Close());
    db_.reset();
  }
}

// A failed MANIFEST write or sync during a flush: the flush fails, writes
// are refused, Resume retries the flush into a new MANIFEST.
TEST_P(DBFaultTest, ManifestFailureDuringFlush) {
  for (FileOp op : {FileOp::kWrite, FileOp::kSync}) {
    SCOPED_TRACE(FileOpName(op));
    dbname_ = "/db-" + std::string(FileOpName(op));
    acked_.clear();
    Open();
    PutKeys(200, "first");

    FaultRule rule;
    rule.op = op;
    rule.path_pattern = "MANIFEST";
    rule.nth = 1;
    rule.error_number = EIO;
    const int id = faulty_.AddRule(rule);
    const Status s = db_->Flush(FlushOptions());
    faulty_.RemoveRule(id);
    ASSERT_EQ(1u, faulty_.FireCount(id));
    ExpectInjected(s, "MANIFEST", EIO);
    ExpectWritesRefused(s);
    EXPECT_TRUE(LiveSstFiles().empty());
    ResumeAndCheck("manifest");
    ASSERT_OK(db_->Close());
    db_.reset();
  }
}

// The MANIFEST sync fails for the flush and again for Resume's retry, then
// the power fails: the WAL of the unflushed memtable must still be replayed
// (neither deleted nor skipped by a log number that was never durable).
TEST_P(DBFaultTest, ManifestFailsTwiceThenPowerLoss) {
  Open();
  PutKeys(200, "first");
  FaultRule rule;
  rule.op = FileOp::kSync;  // Edits are fdatasynced; new MANIFESTs fsynced.
  rule.path_pattern = "MANIFEST";
  rule.nth = 1;
  rule.count = 2;
  rule.error_number = EIO;
  const int id = faulty_.AddRule(rule);
  Status s = db_->Flush(FlushOptions());
  ExpectInjected(s, "MANIFEST", EIO);
  s = db_->Resume();
  ExpectInjected(s, "MANIFEST", EIO);
  EXPECT_EQ(2u, faulty_.FireCount(id));
  faulty_.RemoveRule(id);
  db_.reset();
  fs_.SimulateCrash();
  Open();
  ExpectAcked();
  EXPECT_EQ(LiveSstFiles(), SstFilesOnDisk());
}

// A compaction's edit reaches the MANIFEST but its sync reports failure;
// then Resume cannot start a new MANIFEST, and the power fails. The edit
// may be what recovery reads, so its output tables must not have been
// deleted.
TEST_P(DBFaultTest, InDoubtCompactionEditKeepsItsOutputs) {
  Open();
  MakeTwoLevels();

  FaultRule after;
  after.op = FileOp::kSync;
  after.path_pattern = "MANIFEST";
  after.nth = 1;
  after.fault = Fault::kErrorAfterEffect;
  after.error_number = EIO;
  const int after_id = faulty_.AddRule(after);
  Status s = db_->CompactRange(CompactRangeOptions(), nullptr, nullptr);
  ExpectInjected(s, "MANIFEST", EIO);
  faulty_.RemoveRule(after_id);

  FaultRule no_manifest;
  no_manifest.op = FileOp::kOpenWritable;
  no_manifest.path_pattern = "MANIFEST";
  no_manifest.nth = 1;
  no_manifest.count = FaultRule::kUnlimited;
  no_manifest.error_number = EIO;
  const int no_manifest_id = faulty_.AddRule(no_manifest);
  s = db_->Resume();  // New WAL, flush, and no MANIFEST to write it to.
  EXPECT_FALSE(s.ok());
  EXPECT_GE(faulty_.FireCount(no_manifest_id), 1u);
  faulty_.RemoveRule(no_manifest_id);
  db_.reset();
  fs_.SimulateCrash();
  Open();
  ExpectAcked();
}

// D26: every table the MANIFEST names was synced (and, direct, closed)
// with nothing written after, and the directory fsynced, before the
// MANIFEST sync that made the edit durable; so power loss right after
// keeps every table whole.
TEST_P(DBFaultTest, TablesAreDurableBeforeTheEditNamingThem) {
  Open();
  faulty_.recorder().Clear();
  auto is_sync = [](const IORecord& r) {
    return r.op == FileOp::kSync || r.op == FileOp::kFsync;
  };
  int checked = 0;
  auto check_live_tables = [&] {
    const std::vector<IORecord> records = faulty_.recorder().Records();
    for (const auto& name : LiveSstFiles()) {
      const std::string path = dbname_ + "/" + name;
      SCOPED_TRACE(path);
      size_t last_sync = records.size();
      for (size_t i = 0; i < records.size(); ++i) {
        if (records[i].path == path && is_sync(records[i]) && records[i].ok()) {
          last_sync = i;
        }
      }
      ASSERT_LT(last_sync, records.size()) << "never synced";
      bool dir_synced = false;
      bool manifest_synced = false;
      for (size_t i = last_sync + 1; i < records.size(); ++i) {
        const IORecord& r = records[i];
        if (r.path == path) {
          EXPECT_TRUE(r.op != FileOp::kWrite && r.op != FileOp::kTruncate)
              << "changed after its sync: " << r.ToString();
        }
        if (r.op == FileOp::kDirFsync && r.path == dbname_) dir_synced = true;
        if (r.path.find("MANIFEST") != std::string::npos && is_sync(r)) {
          EXPECT_TRUE(dir_synced)
              << "the MANIFEST was synced before the directory: "
              << r.ToString();
          manifest_synced = true;
          break;
        }
      }
      EXPECT_TRUE(manifest_synced);
      ++checked;
    }
  };
  MakeTwoLevels();  // Flushed tables in L0, compacted ones in L1.
  check_live_tables();
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  check_live_tables();
  EXPECT_GE(checked, 3);
  db_.reset();
  fs_.SimulateCrash();
  Open();
  ExpectAcked();
}

INSTANTIATE_TEST_SUITE_P(
    Faults, DBFaultTest,
    ::testing::Values(FaultConfig{false, ENOSPC}, FaultConfig{false, EIO},
                      FaultConfig{true, ENOSPC}, FaultConfig{true, EIO}),
    [](const ::testing::TestParamInfo<FaultConfig>& info) {
      return std::string(info.param.direct_flush ? "DirectFlush"
                                                 : "BufferedFlush") +
             (info.param.error_number == ENOSPC ? "_ENOSPC" : "_EIO");
    });

}  // namespace
}  // namespace strata
