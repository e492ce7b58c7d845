// What reads count in Options::statistics: block cache hits, misses and
// adds, bloom filter answers, readahead of scans and compactions, MultiGet.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "env/fake_file_system.h"
#include "strata/db.h"
#include "strata/env.h"
#include "strata/statistics.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

std::string KeyAt(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%05d", i);
  return buf;
}

class DBReadStatisticsTest : public ::testing::Test {
 protected:
  DBReadStatisticsTest() : env_(&fs_, &clock_) {
    options_.env = &env_;
    options_.create_if_missing = true;
    options_.statistics = CreateDBStatistics();
    options_.table_options.bloom_bits_per_key = 10;
    options_.table_options.block_size = 1024;
    options_.disable_auto_compactions = true;
  }
  ~DBReadStatisticsTest() override { db_.reset(); }

  // Even keys 0..2*n-2 in one table, then a reopen: no table is open and
  // the block cache is empty; counters start at 0.
  void FillOneTableAndReopen(int n) {
    ASSERT_OK(DB::Open(options_, "/db", &db_));
    for (int i = 0; i < n; ++i) {
      ASSERT_OK(db_->Put(WriteOptions(), KeyAt(2 * i), std::string(100, 'v')));
    }
    ASSERT_OK(db_->Flush(FlushOptions()));
    ASSERT_OK(db_->Close());
    db_.reset();
    ASSERT_OK(DB::Open(options_, "/db", &db_));
    options_.statistics->Reset();
  }

  uint64_t Tick(Tickers t) const {
    return options_.statistics->getTickerCount(t);
  }

  FakeFileSystem fs_;
  ManualClock clock_;
  Env env_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBReadStatisticsTest, GetMissesTheBlockCacheThenHits) {
  FillOneTableAndReopen(1000);
  if (HasFatalFailure()) return;
  std::string value;
  ASSERT_OK(db_->Get(ReadOptions(), KeyAt(500), &value));
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_DATA_MISS), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_HIT), 0u);
  ASSERT_OK(db_->Get(ReadOptions(), KeyAt(500), &value));
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_HIT), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_DATA_HIT), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 1u);
  EXPECT_GT(Tick(BLOCK_CACHE_BYTES_READ), 0u);
}

TEST_F(DBReadStatisticsTest, BloomFilterRejectsAbsentKeys) {
  FillOneTableAndReopen(1000);
  if (HasFatalFailure()) return;
  // Odd keys lie inside the table's key range but are not in it.
  std::string value;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(db_->Get(ReadOptions(), KeyAt(2 * i + 1), &value).IsNotFound());
  }
  EXPECT_EQ(Tick(BLOOM_FILTER_USEFUL) + Tick(BLOOM_FILTER_FULL_POSITIVE), 200u);
  EXPECT_GE(Tick(BLOOM_FILTER_USEFUL), 180u);  // About 1% false positives.
  EXPECT_EQ(Tick(BLOOM_FILTER_FULL_TRUE_POSITIVE), 0u);
  // Only the false positives looked at a block.
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS) + Tick(BLOCK_CACHE_HIT),
            Tick(BLOOM_FILTER_FULL_POSITIVE));

  ASSERT_OK(db_->Get(ReadOptions(), KeyAt(10), &value));
  EXPECT_EQ(Tick(BLOOM_FILTER_FULL_TRUE_POSITIVE), 1u);
}

TEST_F(DBReadStatisticsTest, ScanCountsItsReadahead) {
  FillOneTableAndReopen(3000);
  if (HasFatalFailure()) return;
  {
    auto it = db_->NewIterator(ReadOptions());
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    ASSERT_OK(it->status());
    EXPECT_EQ(n, 3000);
  }
  EXPECT_GT(Tick(READAHEAD_BYTES), 0u);
  EXPECT_GT(Tick(READAHEAD_BYTES_USED), 0u);
  EXPECT_EQ(Tick(READAHEAD_BYTES_USED) + Tick(READAHEAD_BYTES_WASTED),
            Tick(READAHEAD_BYTES));
}

TEST_F(DBReadStatisticsTest, CompactionInputsCountTheirReadahead) {
  options_.disable_auto_compactions = false;
  options_.level0_file_num_compaction_trigger = 2;
  ASSERT_OK(DB::Open(options_, "/db", &db_));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 2000; ++i) {
      ASSERT_OK(db_->Put(WriteOptions(), KeyAt(i), std::string(100, 'a')));
    }
    ASSERT_OK(db_->Flush(FlushOptions()));
  }
  ASSERT_OK(db_->WaitForCompact());
  uint64_t level1_files = 0;
  ASSERT_TRUE(
      db_->GetIntProperty("rocksdb.num-files-at-level1", &level1_files));
  ASSERT_GT(level1_files, 0u);  // The two L0 files were compacted.
  EXPECT_GT(Tick(READAHEAD_BYTES), 0u);
  EXPECT_EQ(Tick(READAHEAD_BYTES_USED) + Tick(READAHEAD_BYTES_WASTED),
            Tick(READAHEAD_BYTES));
  // Compaction readers never touch the block cache.
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 0u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 0u);
}

TEST_F(DBReadStatisticsTest, MultiGetCountsItsCallKeysAndBytes) {
  FillOneTableAndReopen(100);
  if (HasFatalFailure()) return;
  ASSERT_OK(db_->Put(WriteOptions(), KeyAt(1), "in-memtable"));
  const std::vector<std::string> keys = {KeyAt(0), KeyAt(1), KeyAt(2),
                                         KeyAt(3)};
  std::vector<Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  const auto statuses = db_->MultiGet(ReadOptions(), slices, &values);
  ASSERT_OK(statuses[0]);
  ASSERT_OK(statuses[1]);
  ASSERT_OK(statuses[2]);
  EXPECT_TRUE(statuses[3].IsNotFound());
  EXPECT_EQ(Tick(NUMBER_MULTIGET_CALLS), 1u);
  EXPECT_EQ(Tick(NUMBER_MULTIGET_KEYS_READ), 4u);
  EXPECT_EQ(Tick(NUMBER_MULTIGET_BYTES_READ),
            100u + std::string("in-memtable").size() + 100u);
  EXPECT_EQ(Tick(MEMTABLE_HIT), 1u);
  EXPECT_EQ(Tick(MEMTABLE_MISS), 3u);
  EXPECT_EQ(Tick(GET_HIT_L0), 2u);
  // Keys 0 and 2 share a data block: one miss, one add.
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 1u);
}

}  // namespace
}  // namespace strata
