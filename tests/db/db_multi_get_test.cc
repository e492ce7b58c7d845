// DB::MultiGet: every key gets exactly Get's answer (memtables, L0, L1+,
// deletes, range deletions, snapshots), and a batch reads each file's blocks
// as one MultiRead instead of one read per key.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "strata/db.h"
#include "strata/env.h"
#include "strata/statistics.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

constexpr size_t kAlignment = 4096;

struct Combo {
  bool direct_reads;
  bool small_cache;  // A block cache that holds only a few blocks.
};

std::string ComboName(const ::testing::TestParamInfo<Combo>& info) {
  return std::string(info.param.direct_reads ? "DirectReads" : "Buffered") +
         (info.param.small_cache ? "_SmallCache" : "_BigCache");
}

class DBMultiGetTestBase {
 protected:
  DBMultiGetTestBase()
      : fake_(FakeOptions()), fs_(&fake_), env_(&fs_, &clock_) {
    options_.env = &env_;
    options_.create_if_missing = true;
    options_.statistics = CreateDBStatistics();
    options_.table_options.bloom_bits_per_key = 10;
    options_.disable_auto_compactions = true;
  }
  static FakeFileSystem::Options FakeOptions() {
    FakeFileSystem::Options o;
    o.offset_alignment = kAlignment;
    return o;
  }
  ~DBMultiGetTestBase() {
    for (const Snapshot* s : snapshots_) db_->ReleaseSnapshot(s);
    db_.reset();
  }

  int FilesAtLevel(int level) {
    uint64_t n = 0;
    EXPECT_TRUE(db_->GetIntProperty(
        "rocksdb.num-files-at-level" + std::to_string(level), &n));
    return static_cast<int>(n);
  }

  static std::string Describe(const Status& s, const std::string& value) {
    return s.ok() ? "OK " + value : s.ToString();
  }

  // MultiGet of `keys` against per-key Get, both with `ro`.
  void ExpectMultiGetEqualsGet(const ReadOptions& ro,
                               const std::vector<std::string>& keys) {
    std::vector<Slice> slices(keys.begin(), keys.end());
    std::vector<std::string> values;
    const std::vector<Status> statuses = db_->MultiGet(ro, slices, &values);
    ASSERT_EQ(statuses.size(), keys.size());
    ASSERT_EQ(values.size(), keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      std::string want;
      Status s = db_->Get(ro, keys[i], &want);
      ASSERT_EQ(Describe(statuses[i], values[i]), Describe(s, want))
          << "key " << keys[i] << " (#" << i << " of " << keys.size() << ")";
      if (!statuses[i].ok()) {
        EXPECT_TRUE(values[i].empty());
      }
    }
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_;
  ManualClock clock_;
  Env env_;
  Options options_;
  std::unique_ptr<DB> db_;
  std::vector<const Snapshot*> snapshots_;
};

class DBMultiGetTest : public DBMultiGetTestBase,
                       public ::testing::TestWithParam<Combo> {};

std::string KeyAt(uint64_t i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%05llu",
                static_cast<unsigned long long>(i));
  return buf;
}

TEST_P(DBMultiGetTest, RandomBatchesEqualGetOverEveryLayer) {
  options_.use_direct_reads = GetParam().direct_reads;
  if (GetParam().small_cache) options_.block_cache = NewLRUCache(16 << 10, 0);
  options_.table_options.block_size = 512;
  options_.disable_auto_compactions = false;
  options_.level0_file_num_compaction_trigger = 2;
  options_.max_bytes_for_level_base = 24 << 10;
  options_.max_bytes_for_level_multiplier = 2;
  options_.target_file_size_base = 8 << 10;
  ASSERT_OK(DB::Open(options_, "/db", &db_));
  test::Random rnd(2024);
  constexpr uint64_t kKeySpace = 600;
  // Writes n random operations on keys in [first, first + span). Range
  // deletions and snapshots only when `all_ops`: a compaction that keeps
  // tombstones writes a single output covering its whole input.
  auto write_some = [&](int n, uint64_t first, uint64_t span, bool all_ops) {
    auto random_key = [&] { return KeyAt(first + rnd.Uniform(span)); };
    for (int i = 0; i < n; ++i) {
      const uint64_t op = rnd.Uniform(all_ops ? 100 : 96);
      if (op < 75) {
        ASSERT_OK(db_->Put(
            WriteOptions(), random_key(),
            "v" + std::to_string(i) + rnd.RandomBytes(rnd.Uniform(200))));
      } else if (op < 92) {
        ASSERT_OK(db_->Delete(WriteOptions(), random_key()));
      } else if (op < 96) {
        ASSERT_OK(db_->SingleDelete(WriteOptions(), random_key()));
      } else if (op < 99) {
        const uint64_t begin = first + rnd.Uniform(span);
        ASSERT_OK(db_->DeleteRange(
            WriteOptions(), KeyAt(begin),
            KeyAt(std::min(first + span, begin + 1 + rnd.Uniform(30)))));
      } else if (snapshots_.size() < 6) {
        snapshots_.push_back(db_->GetSnapshot());
      }
    }
  };
  // The oldest data at the bottom: automatic compactions spread it over
  // small files in L1 and below.
  for (int round = 0; round < 6; ++round) {
    write_some(500, 0, kKeySpace, false);
    if (HasFatalFailure()) return;
    ASSERT_OK(db_->Flush(FlushOptions()));
  }
  ASSERT_OK(db_->WaitForCompact());
  ASSERT_OK(db_->SetOptions({{"disable_auto_compactions", "true"}}));
  // No L0 file may stay behind: the compaction below would take it in and
  // write everything into one file.
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  // Range deletions and a snapshot compacted down into one key range.
  write_some(300, 100, 60, true);
  if (HasFatalFailure()) return;
  snapshots_.push_back(db_->GetSnapshot());
  ASSERT_OK(db_->DeleteRange(WriteOptions(), KeyAt(120), KeyAt(140)));
  ASSERT_OK(db_->Flush(FlushOptions()));
  const std::string mid_begin = KeyAt(100), mid_end = KeyAt(160);
  const Slice begin(mid_begin), end(mid_end);
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), &begin, &end));
  // Overlapping L0 files, then the memtable.
  for (int round = 0; round < 3; ++round) {
    write_some(300, 0, kKeySpace, true);
    if (HasFatalFailure()) return;
    ASSERT_OK(db_->Flush(FlushOptions()));
  }
  write_some(300, 0, kKeySpace, true);  // Stays in the memtable.
  if (HasFatalFailure()) return;

  ASSERT_GE(FilesAtLevel(0), 2);
  int deeper = 0;
  for (int level = 1; level < 7; ++level) deeper += FilesAtLevel(level);
  ASSERT_GE(deeper, 4);  // Several files per level: keys grouped by file.
  ASSERT_GE(snapshots_.size(), 2u);

  std::vector<const Snapshot*> views = snapshots_;
  views.push_back(nullptr);
  for (const Snapshot* view : views) {
    for (int batch = 0; batch < 25; ++batch) {
      ReadOptions ro;
      ro.snapshot = view;
      ro.fill_cache = !rnd.OneIn(3);
      std::vector<std::string> keys;
      const size_t n = 1 + rnd.Uniform(120);
      for (size_t i = 0; i < n; ++i) {
        // Mostly keys the DB has seen; some beyond it; some repeated.
        keys.push_back(rnd.OneIn(10) ? KeyAt(kKeySpace + rnd.Uniform(50))
                                     : KeyAt(rnd.Uniform(kKeySpace)));
        if (rnd.OneIn(8)) keys.push_back(keys.back());
      }
      ExpectMultiGetEqualsGet(ro, keys);
      if (HasFatalFailure()) return;
    }
  }
  // The statistics count the batches.
  EXPECT_EQ(options_.statistics->getTickerCount(NUMBER_MULTIGET_CALLS),
            25u * views.size());
}

INSTANTIATE_TEST_SUITE_P(Modes, DBMultiGetTest,
                         ::testing::Values(Combo{false, false},
                                           Combo{true, false},
                                           Combo{false, true},
                                           Combo{true, true}),
                         ComboName);

class DBMultiGetIOTest : public DBMultiGetTestBase, public ::testing::Test {
 protected:
  static constexpr int kNumKeys = 400;

  // One L0 file with one key per ~1 KiB data block, then a fresh DB
  // instance whose block cache is empty.
  void SetUp() override {
    options_.use_direct_reads = true;
    options_.table_options.block_size = 1024;
    ASSERT_OK(DB::Open(options_, "/db", &db_));
    for (int i = 0; i < kNumKeys; ++i) {
      ASSERT_OK(db_->Put(WriteOptions(), KeyAt(i),
                         std::string(1000, static_cast<char>('a' + i % 26))));
    }
    ASSERT_OK(db_->Flush(FlushOptions()));
    ASSERT_EQ(FilesAtLevel(0), 1);
    ReopenCold();
  }

  void ReopenCold() {
    ASSERT_OK(db_->Close());
    db_.reset();
    options_.block_cache = nullptr;  // A fresh default cache.
    ASSERT_OK(DB::Open(options_, "/db", &db_));
    // Open the table without caching a data block: a Get that reads one
    // block and leaves it uncached.
    ReadOptions ro;
    ro.fill_cache = false;
    std::string value;
    ASSERT_OK(db_->Get(ro, KeyAt(kNumKeys - 1), &value));
    fs_.recorder().Clear();
  }

  std::vector<IORecord> TableReads() {
    return fs_.recorder().Records([](const IORecord& r) {
      return r.op == FileOp::kRead && r.kind == FileKind::kTableUserRead;
    });
  }
};

TEST_F(DBMultiGetIOTest, BatchOverOneColdFileIsOneMergedDirectRead) {
  std::vector<std::string> keys;
  for (int i = 100; i < 164; ++i) keys.push_back(KeyAt(i));

  // Key by key: one read each.
  for (const std::string& key : keys) {
    std::string value;
    ASSERT_OK(db_->Get(ReadOptions(), key, &value));
  }
  EXPECT_EQ(TableReads().size(), keys.size());

  ReopenCold();
  if (HasFatalFailure()) return;
  std::vector<Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  const auto statuses = db_->MultiGet(ReadOptions(), slices, &values);
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_OK(statuses[i]);
    EXPECT_EQ(values[i].size(), 1000u);
  }
  // The 64 blocks lie back to back: their aligned ranges merge into one.
  const auto reads = TableReads();
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].mode, IOMode::kDirect);
  EXPECT_EQ(reads[0].offset % kAlignment, 0u);
  EXPECT_GE(reads[0].length, 64u * 1000);
}

TEST_F(DBMultiGetIOTest, SparseBatchReadsAtMostOneReadPerMergedRange) {
  std::vector<std::string> keys;
  for (int i = 0; i < 64; ++i) keys.push_back(KeyAt(6 * i));
  std::vector<Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  const auto statuses = db_->MultiGet(ReadOptions(), slices, &values);
  for (const Status& s : statuses) ASSERT_OK(s);
  auto reads = TableReads();
  ASSERT_FALSE(reads.empty());
  EXPECT_LT(reads.size(), keys.size());
  std::sort(
      reads.begin(), reads.end(),
      [](const IORecord& a, const IORecord& b) { return a.offset < b.offset; });
  for (size_t i = 1; i < reads.size(); ++i) {
    EXPECT_GT(reads[i].offset, reads[i - 1].offset + reads[i - 1].length)
        << "ranges that touch were not merged: " << reads[i - 1].ToString()
        << " / " << reads[i].ToString();
  }
}

TEST_F(DBMultiGetIOTest, KeysInTheMemtableReadNothing) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(db_->Put(WriteOptions(), KeyAt(i), "fresh"));
  }
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i) keys.push_back(KeyAt(i));
  std::vector<Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  const auto statuses = db_->MultiGet(ReadOptions(), slices, &values);
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_OK(statuses[i]);
    EXPECT_EQ(values[i], "fresh");
  }
  EXPECT_TRUE(TableReads().empty());
}

TEST_F(DBMultiGetIOTest, ReadErrorFailsOnlyTheKeysOfTheFailedRead) {
  // Buffered reads: one read per block, so one failed read is one key.
  options_.use_direct_reads = false;
  ReopenCold();
  if (HasFatalFailure()) return;
  const int rule =
      fs_.AddRule({FileOp::kRead, ".sst", /*nth=*/1, Fault::kError});
  const std::vector<std::string> keys = {KeyAt(10), KeyAt(200), KeyAt(300)};
  std::vector<Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  const auto statuses = db_->MultiGet(ReadOptions(), slices, &values);
  EXPECT_EQ(fs_.FireCount(rule), 1u);
  int failed = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!statuses[i].ok()) {
      ++failed;
      EXPECT_TRUE(statuses[i].IsIOError()) << statuses[i].ToString();
      EXPECT_NE(statuses[i].ToString().find(".sst"), std::string::npos)
          << statuses[i].ToString();
      EXPECT_TRUE(values[i].empty());
    }
  }
  EXPECT_EQ(failed, 1);
}

}  // namespace
}  // namespace strata
