// Open after damage and crashes, on the in-memory file system: a torn WAL
// tail is dropped, a corrupt record in the middle of a WAL is handled as the
// recovery mode says, files a crash left behind are deleted, the LOG shows
// every option after sanitization, SetOptions changes only what it may,
// and DestroyDB removes everything.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "env/fake_file_system.h"
#include "strata/db.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

class DBRecoveryTest : public ::testing::Test {
 protected:
  DBRecoveryTest() : env_(&fs_, &clock_) {
    options_.env = &env_;
    options_.create_if_missing = true;
    // Close leaves the memtable in the WAL (the tests damage the WAL).
    options_.avoid_flush_during_shutdown = true;
  }
  ~DBRecoveryTest() override { db_.reset(); }

  Status TryOpen() {
    db_.reset();
    return DB::Open(options_, "/db", &db_);
  }
  void Open() { ASSERT_OK(TryOpen()); }
  void Close() {
    if (db_ != nullptr) ASSERT_OK(db_->Close());
    db_.reset();
  }
  std::string Get(const std::string& key) {
    std::string value;
    Status s = db_->Get(ReadOptions(), key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }
  std::string Scan() {
    auto it = db_->NewIterator(ReadOptions());
    std::string out;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out += it->key().ToString() + "=" + it->value().ToString() + " ";
    }
    EXPECT_OK(it->status());
    return out;
  }
  std::vector<std::string> Children() {
    std::vector<std::string> names;
    EXPECT_OK(fs_.GetChildren("/db", &names));
    std::sort(names.begin(), names.end());
    return names;
  }
  std::vector<std::string> FilesEndingWith(const std::string& suffix) {
    std::vector<std::string> out;
    for (const auto& n : Children()) {
      if (n.size() > suffix.size() &&
          n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
        out.push_back(n);
      }
    }
    return out;
  }
  std::string Content(const std::string& path) {
    std::string content;
    EXPECT_OK(fs_.ReadFileContent(path, &content));
    return content;
  }
  uint64_t FileSize(const std::string& path) {
    uint64_t size = 0;
    EXPECT_OK(fs_.GetFileSize(path, &size));
    return size;
  }
  static bool Contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
  }

  FakeFileSystem fs_;
  ManualClock clock_;
  Env env_;
  Options options_;
  std::unique_ptr<DB> db_;
};

// ---------------------------------------------------------------------------
// WAL damage under each recovery mode.

// Five writes, one WAL record each; the DB is closed with them only in the
// WAL. Returns the WAL's path and where each record starts. The records are
// larger than half a 32 KiB block, so that damage in one (which makes the
// reader drop the rest of that block) leaves the later ones readable.
constexpr size_t kValueBytes = 20000;
struct WalLayout {
  std::string path;
  std::vector<uint64_t> record_offsets;
  uint64_t size = 0;
};

class DBWalRecoveryModeTest
    : public DBRecoveryTest,
      public ::testing::WithParamInterface<WALRecoveryMode> {
 protected:
  void WriteFiveRecords(WalLayout* layout, size_t value_bytes = kValueBytes) {
    value_bytes_ = value_bytes;
    Open();
    auto wals = FilesEndingWith(".log");
    ASSERT_EQ(1u, wals.size());
    layout->path = "/db/" + wals[0];
    for (int i = 1; i <= 5; ++i) {
      layout->record_offsets.push_back(FileSize(layout->path));
      ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i), Value(i)));
    }
    Close();
    layout->size = FileSize(layout->path);
    ASSERT_GT(layout->size, layout->record_offsets.back());
  }
  std::string Value(int i) {
    return std::string(value_bytes_, static_cast<char>('0' + i));
  }
  size_t value_bytes_ = kValueBytes;
  // Which of k1..k5 are readable: "12345", "1", ...
  std::string Present() {
    std::string out;
    for (int i = 1; i <= 5; ++i) {
      const std::string v = Get("k" + std::to_string(i));
      if (v == Value(i)) {
        out += std::to_string(i);
      } else {
        EXPECT_EQ("NOT_FOUND", v) << i;
      }
    }
    return out;
  }
};

TEST_P(DBWalRecoveryModeTest, TruncatedLastRecord) {
  WalLayout wal;
  WriteFiveRecords(&wal);
  if (HasFatalFailure()) return;
  // Cut the last record in the middle of its payload.
  const std::string bytes = Content(wal.path);
  ASSERT_OK(fs_.WriteFileContent(
      wal.path, Slice(bytes.data(), wal.record_offsets[4] + 40)));
  options_.wal_recovery_mode = GetParam();
  Status s = TryOpen();
  if (GetParam() == WALRecoveryMode::kAbsoluteConsistency) {
    ASSERT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_TRUE(Contains(s.ToString(), wal.path)) << s.ToString();
    EXPECT_TRUE(Contains(s.ToString(),
                         "offset " + std::to_string(wal.record_offsets[4])))
        << s.ToString();
    return;
  }
  ASSERT_OK(s);
  EXPECT_EQ("1234", Present());
  // The recovered state is durable: the next open sees the same.
  Close();
  Open();
  EXPECT_EQ("1234", Present());
  ASSERT_OK(db_->Put(WriteOptions(), "k5", Value(5)));
  Close();
  Open();
  EXPECT_EQ("12345", Present());
}

TEST_P(DBWalRecoveryModeTest, CutInsideTheLastHeader) {
  WalLayout wal;
  WriteFiveRecords(&wal);
  if (HasFatalFailure()) return;
  const std::string bytes = Content(wal.path);
  ASSERT_OK(fs_.WriteFileContent(
      wal.path, Slice(bytes.data(), wal.record_offsets[4] + 3)));
  options_.wal_recovery_mode = GetParam();
  Status s = TryOpen();
  if (GetParam() == WALRecoveryMode::kAbsoluteConsistency) {
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    return;
  }
  ASSERT_OK(s);
  EXPECT_EQ("1234", Present());
}

TEST_P(DBWalRecoveryModeTest, TrailingZerosAreIgnored) {
  WalLayout wal;
  WriteFiveRecords(&wal);
  if (HasFatalFailure()) return;
  // What preallocation or an interrupted write leaves after the last record.
  ASSERT_OK(fs_.WriteFileContent(wal.path,
                                 Content(wal.path) + std::string(1000, '\0')));
  options_.wal_recovery_mode = GetParam();
  Status s = TryOpen();
  if (GetParam() == WALRecoveryMode::kAbsoluteConsistency) {
    // Whether zeros are a torn tail or nothing: never a half-applied DB.
    if (!s.ok()) {
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      return;
    }
  }
  ASSERT_OK(s);
  EXPECT_EQ("12345", Present());
}

TEST_P(DBWalRecoveryModeTest, CorruptRecordInTheMiddle) {
  WalLayout wal;
  WriteFiveRecords(&wal);
  if (HasFatalFailure()) return;
  std::string bytes = Content(wal.path);
  bytes[wal.record_offsets[1] + 30] ^= 0x01;  // In record 2's payload.
  ASSERT_OK(fs_.WriteFileContent(wal.path, bytes));
  options_.wal_recovery_mode = GetParam();
  Status s = TryOpen();
  switch (GetParam()) {
    case WALRecoveryMode::kTolerateCorruptedTailRecords:
    case WALRecoveryMode::kAbsoluteConsistency:
      ASSERT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_TRUE(Contains(s.ToString(), wal.path)) << s.ToString();
      EXPECT_TRUE(Contains(s.ToString(),
                           "offset " + std::to_string(wal.record_offsets[1])))
          << s.ToString();
      // Nothing was changed: the same open fails again, and a tolerant
      // mode still finds the good records.
      EXPECT_TRUE(TryOpen().IsCorruption());
      EXPECT_EQ(bytes, Content(wal.path));
      options_.wal_recovery_mode = WALRecoveryMode::kSkipAnyCorruptedRecords;
      ASSERT_OK(TryOpen());
      EXPECT_EQ("1345", Present());
      break;
    case WALRecoveryMode::kPointInTimeRecovery:
      ASSERT_OK(s);
      EXPECT_EQ("1", Present());
      break;
    case WALRecoveryMode::kSkipAnyCorruptedRecords:
      ASSERT_OK(s);
      EXPECT_EQ("1345", Present());
      break;
  }
  // Whatever was recovered stays recovered.
  const std::string recovered = Scan();
  Close();
  Open();
  EXPECT_EQ(recovered, Scan());
}

// Small records all in one block: the reader drops the rest of the block
// after the damaged one, so no good record follows it. That is still
// damage, not a torn tail.
TEST_P(DBWalRecoveryModeTest, CorruptRecordWithTheRestOfItsBlock) {
  WalLayout wal;
  WriteFiveRecords(&wal, /*value_bytes=*/100);
  if (HasFatalFailure()) return;
  std::string bytes = Content(wal.path);
  bytes[wal.record_offsets[1] + 30] ^= 0x01;
  ASSERT_OK(fs_.WriteFileContent(wal.path, bytes));
  options_.wal_recovery_mode = GetParam();
  Status s = TryOpen();
  switch (GetParam()) {
    case WALRecoveryMode::kTolerateCorruptedTailRecords:
    case WALRecoveryMode::kAbsoluteConsistency:
      ASSERT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_TRUE(Contains(s.ToString(), wal.path)) << s.ToString();
      EXPECT_TRUE(Contains(s.ToString(),
                           "offset " + std::to_string(wal.record_offsets[1])))
          << s.ToString();
      break;
    case WALRecoveryMode::kPointInTimeRecovery:
    case WALRecoveryMode::kSkipAnyCorruptedRecords:
      ASSERT_OK(s);
      EXPECT_EQ("1", Present());
      break;
  }
}

INSTANTIATE_TEST_SUITE_P(
    , DBWalRecoveryModeTest,
    ::testing::Values(WALRecoveryMode::kTolerateCorruptedTailRecords,
                      WALRecoveryMode::kAbsoluteConsistency,
                      WALRecoveryMode::kPointInTimeRecovery,
                      WALRecoveryMode::kSkipAnyCorruptedRecords),
    [](const ::testing::TestParamInfo<WALRecoveryMode>& info) {
      switch (info.param) {
        case WALRecoveryMode::kTolerateCorruptedTailRecords:
          return "TolerateCorruptedTail";
        case WALRecoveryMode::kAbsoluteConsistency:
          return "AbsoluteConsistency";
        case WALRecoveryMode::kPointInTimeRecovery:
          return "PointInTime";
        case WALRecoveryMode::kSkipAnyCorruptedRecords:
          return "SkipAnyCorrupted";
      }
      return "Unknown";
    });

// ---------------------------------------------------------------------------
// Files left behind.

TEST_F(DBRecoveryTest, OpenDeletesFilesACrashLeftBehind) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->Put(WriteOptions(), "b", "2"));
  Close();
  const auto names = Children();
  const std::set<std::string> before(names.begin(), names.end());
  const std::string current = Content("/db/CURRENT");
  ASSERT_EQ(0u, current.find("MANIFEST-")) << current;
  const uint64_t manifest_number = std::stoull(current.substr(9));
  ASSERT_GT(manifest_number, 0u);
  const auto live_ssts = FilesEndingWith(".sst");
  ASSERT_EQ(1u, live_ssts.size());
  // An SST a flush or compaction was writing (not in the MANIFEST), one with
  // a number beyond any the MANIFEST knows, a CURRENT replacement never
  // renamed, a MANIFEST CURRENT no longer names, and a file not ours.
  const std::string sst_bytes = Content("/db/" + live_ssts[0]);
  const std::vector<std::string> leftovers = {
      "000090.sst", "000999.sst", "000091.dbtmp",
      "MANIFEST-" +
          std::string(6 - std::to_string(manifest_number - 1).size(), '0') +
          std::to_string(manifest_number - 1)};
  for (const auto& name : leftovers) {
    ASSERT_EQ(0u, before.count(name)) << name;
    ASSERT_OK(fs_.WriteFileContent("/db/" + name, sst_bytes));
  }
  ASSERT_OK(fs_.WriteFileContent("/db/notes.txt", "mine"));
  Open();
  const auto after = Children();
  for (const auto& name : leftovers) {
    EXPECT_EQ(after.end(), std::find(after.begin(), after.end(), name))
        << name << " survived Open";
  }
  EXPECT_NE(after.end(), std::find(after.begin(), after.end(), "notes.txt"));
  EXPECT_EQ("a=1 b=2 ", Scan());
  // New files do not reuse the leftover numbers' files by accident.
  ASSERT_OK(db_->Put(WriteOptions(), "c", "3"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  Close();
  Open();
  EXPECT_EQ("a=1 b=2 c=3 ", Scan());
}

TEST_F(DBRecoveryTest, CompactionInputsAreDeletedWhenItFinishes) {
  options_.level0_file_num_compaction_trigger = 2;
  Open();
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 50; ++i) {
      ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i),
                         "r" + std::to_string(round)));
    }
    ASSERT_OK(db_->Flush(FlushOptions()));
  }
  ASSERT_OK(db_->WaitForCompact());
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  std::set<std::string> live;
  for (const auto& f : db_->GetLiveFilesMetaData())
    live.insert(f.name.substr(1));
  const auto on_disk = FilesEndingWith(".sst");
  EXPECT_EQ(live, std::set<std::string>(on_disk.begin(), on_disk.end()));
}

// ---------------------------------------------------------------------------
// The LOG and SetOptions.

TEST_F(DBRecoveryTest, LogShowsEveryOptionAfterSanitization) {
  options_.compaction_readahead_size = 0;
  options_.max_write_buffer_number = 1;
  options_.level0_file_num_compaction_trigger = 8;
  options_.level0_slowdown_writes_trigger = 3;
  options_.level0_stop_writes_trigger = 5;
  options_.use_direct_io_for_flush_and_compaction = true;
  Open();
  const std::string log = Content("/db/LOG");
  for (const char* line : {
           "Options.compaction_readahead_size: 2097152",
           "Options.max_write_buffer_number: 2",
           "Options.level0_slowdown_writes_trigger: 8",
           "Options.level0_stop_writes_trigger: 8",
           "Options.use_direct_io_for_flush_and_compaction: 1",
           "Options.use_direct_reads: 0",
           "Options.writable_file_max_buffer_size: 1048576",
       }) {
    EXPECT_TRUE(Contains(log, line)) << line << "\n" << log;
  }
  // Every public option has a line.
  for (const char* name : {
           "create_if_missing",
           "error_if_exists",
           "use_direct_reads",
           "use_direct_io_for_flush_and_compaction",
           "allow_mmap_reads",
           "allow_mmap_writes",
           "direct_io_fallback",
           "compaction_readahead_size",
           "writable_file_max_buffer_size",
           "bytes_per_sync",
           "wal_bytes_per_sync",
           "use_fsync",
           "manual_wal_flush",
           "wal_recovery_mode",
           "max_background_jobs",
           "avoid_flush_during_shutdown",
           "write_buffer_size",
           "max_write_buffer_number",
           "level0_file_num_compaction_trigger",
           "level0_slowdown_writes_trigger",
           "level0_stop_writes_trigger",
           "max_bytes_for_level_base",
           "max_bytes_for_level_multiplier",
           "target_file_size_base",
           "target_file_size_multiplier",
           "max_compaction_bytes",
           "num_levels",
           "disable_auto_compactions",
           "format_version",
           "checksum",
           "compression",
           "block_size",
           "block_restart_interval",
           "bloom_bits_per_key",
           "cache_index_and_filter_blocks",
           "max_auto_readahead_size",
           "initial_auto_readahead_size",
           "paranoid_file_checks",
       }) {
    EXPECT_TRUE(Contains(log, std::string("Options.") + name + ": "))
        << name << " is missing from the LOG";
  }
  // The options in effect are the sanitized ones too.
  const Options in_effect = db_->GetOptions();
  EXPECT_EQ(2, in_effect.max_write_buffer_number);
  EXPECT_EQ(8, in_effect.level0_stop_writes_trigger);
}

TEST_F(DBRecoveryTest, SetOptionsChangesMutableOptionsOnly) {
  options_.disable_auto_compactions = true;
  options_.use_direct_io_for_flush_and_compaction = true;
  Open();
  const Options original = db_->GetOptions();
  ASSERT_OK(db_->SetOptions(
      {{"write_buffer_size", "65536"}, {"compaction_readahead_size", "0"}}));
  Options now = db_->GetOptions();
  EXPECT_EQ(65536u, now.write_buffer_size);
  // 0 sticks (it means 2 MiB where it is used).
  EXPECT_EQ(0u, now.compaction_readahead_size);
  EXPECT_TRUE(Contains(Content("/db/LOG"), "write_buffer_size = 65536"));
  // It takes effect: 1 MB of writes fills several 64 KiB memtables.
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i),
                       std::string(1000, 'v')));
  }
  ASSERT_OK(db_->WaitForCompact());
  EXPECT_GE(db_->GetLiveFilesMetaData().size(), 5u);

  auto unchanged = [&](const Status& s, const std::string& name) {
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_TRUE(Contains(s.ToString(), name)) << s.ToString();
    const Options o = db_->GetOptions();
    EXPECT_EQ(65536u, o.write_buffer_size);
    EXPECT_EQ(original.max_bytes_for_level_base, o.max_bytes_for_level_base);
    EXPECT_EQ(original.writable_file_max_buffer_size,
              o.writable_file_max_buffer_size);
    EXPECT_TRUE(o.use_direct_io_for_flush_and_compaction);
    EXPECT_FALSE(o.use_direct_reads);
  };
  // Immutable and unknown names, even next to a valid change.
  unchanged(db_->SetOptions({{"use_direct_reads", "true"}}),
            "use_direct_reads");
  unchanged(db_->SetOptions({{"num_levels", "3"}}), "num_levels");
  unchanged(db_->SetOptions({{"max_bytes_for_level_base", "1048576"},
                             {"no_such_option", "1"}}),
            "no_such_option");
  unchanged(db_->SetOptions({{"write_buffer_size", "big"}}), "big");
  // Direct writes need a writer buffer: RocksDB's exact text.
  Status s = db_->SetOptions({{"writable_file_max_buffer_size", "0"}});
  EXPECT_EQ(
      "Invalid argument: writes in direct IO require "
      "writable_file_max_buffer_size > 0",
      s.ToString());
  unchanged(s, "writable_file_max_buffer_size");
}

TEST_F(DBRecoveryTest, SetOptionsSanitizesAsOpenDoes) {
  Open();
  // A single write buffer, or an L0 stop trigger under the compaction
  // trigger, would stop writes for good.
  ASSERT_OK(db_->SetOptions({{"max_write_buffer_number", "1"},
                             {"level0_stop_writes_trigger", "1"},
                             {"write_buffer_size", "16384"}}));
  const Options o = db_->GetOptions();
  ASSERT_EQ(2, o.max_write_buffer_number);
  ASSERT_GE(o.level0_stop_writes_trigger, o.level0_slowdown_writes_trigger);
  ASSERT_GE(o.level0_slowdown_writes_trigger,
            o.level0_file_num_compaction_trigger);
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i),
                       std::string(1000, 'v')));
  }
  ASSERT_OK(db_->WaitForCompact());
  EXPECT_EQ(std::string(1000, 'v'), Get("k199"));
}

TEST_F(DBRecoveryTest, DestroyDBRemovesEverything) {
  options_.avoid_flush_during_shutdown = false;
  Open();
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(db_->Put(WriteOptions(), "k" + std::to_string(i), "v"));
  }
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->Put(WriteOptions(), "wal", "only"));
  // An open DB holds the LOCK.
  EXPECT_FALSE(DestroyDB("/db", options_).ok());
  EXPECT_OK(fs_.FileExists("/db/CURRENT"));
  Close();
  ASSERT_OK(DestroyDB("/db", options_));
  EXPECT_TRUE(fs_.FileExists("/db").IsNotFound());
  // Destroying nothing is fine; a new DB starts empty.
  ASSERT_OK(DestroyDB("/db", options_));
  Open();
  EXPECT_EQ("", Scan());
}

}  // namespace
}  // namespace strata
