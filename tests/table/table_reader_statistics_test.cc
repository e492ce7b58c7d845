// TableReaderOptions::statistics: what a table reader counts (block cache
// hits, misses and adds, bloom filter answers, readahead).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "env/fake_file_system.h"
#include "strata/cache.h"
#include "strata/statistics.h"
#include "table/table_builder.h"
#include "table/table_iterator.h"
#include "table/table_reader.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

constexpr int kNumKeys = 3000;

class TableReaderStatisticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fs_.NewWritableFile("/t.sst", FileOptions(), &file));
    std::unique_ptr<WritableFileWriter> writer;
    ASSERT_OK(WritableFileWriter::Create(std::move(file),
                                         WritableFileWriterOptions(), &writer));
    TableBuilderOptions o;
    o.bloom_bits_per_key = 10;
    o.block_size = 4096;
    TableBuilder builder(o, writer.get());
    for (int i = 0; i < kNumKeys; ++i) {
      ASSERT_OK(builder.Add(MakeInternalKey(Key(i), 1, ValueType::kValue),
                            std::string(200, static_cast<char>('a' + i % 26))));
    }
    ASSERT_OK(builder.Finish());
    ASSERT_OK(writer->Close());
    options_.statistics = &stats_;
    options_.block_cache = NewLRUCache(64 << 20);
  }

  static std::string Key(int i) { return "key" + std::to_string(100000 + i); }
  static std::string Lookup(const std::string& user_key) {
    return MakeInternalKey(user_key, kMaxSequenceNumber, kValueTypeForSeek);
  }

  std::unique_ptr<TableReader> Open() {
    std::unique_ptr<RandomAccessFile> file;
    EXPECT_OK(fs_.NewRandomAccessFile("/t.sst", FileOptions(), &file));
    uint64_t size = 0;
    EXPECT_OK(file->GetFileSize(&size));
    std::unique_ptr<TableReader> table;
    EXPECT_OK(TableReader::Open(
        options_, std::make_unique<RandomAccessFileReader>(std::move(file)),
        size, &table));
    return table;
  }

  bool Get(const TableReader& table, const std::string& user_key) {
    bool found = false;
    std::string k, v;
    EXPECT_OK(table.Get(TableReadOptions(), Lookup(user_key), &found, &k, &v));
    return found;
  }

  // An absent key the filter rules out (`rejected`) or lets through.
  std::string AbsentKey(const TableReader& table, bool rejected) {
    for (int i = 0; i < 100000; ++i) {
      const std::string k = "absent" + std::to_string(i);
      if (table.KeyMayMatch(k) != rejected) return k;
    }
    ADD_FAILURE() << "no absent key the filter "
                  << (rejected ? "rejects" : "passes");
    return "";
  }

  uint64_t Tick(Tickers t) const { return stats_.getTickerCount(t); }

  FakeFileSystem fs_;
  Statistics stats_;
  TableReaderOptions options_;
};

TEST_F(TableReaderStatisticsTest, GetMissesTheCacheThenHits) {
  auto table = Open();
  ASSERT_NE(table, nullptr);
  ASSERT_TRUE(Get(*table, Key(42)));
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_DATA_MISS), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 1u);
  EXPECT_GT(Tick(BLOCK_CACHE_BYTES_WRITE), 0u);
  EXPECT_EQ(Tick(BLOCK_CACHE_HIT), 0u);
  EXPECT_EQ(Tick(BLOCK_CACHE_DATA_HIT), 0u);

  ASSERT_TRUE(Get(*table, Key(42)));
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_HIT), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_DATA_HIT), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_BYTES_READ), Tick(BLOCK_CACHE_BYTES_WRITE));
}

TEST_F(TableReaderStatisticsTest, FillCacheFalseMissesWithoutAdding) {
  auto table = Open();
  ASSERT_NE(table, nullptr);
  TableReadOptions ro;
  ro.fill_cache = false;
  bool found = false;
  std::string k, v;
  ASSERT_OK(table->Get(ro, Lookup(Key(7)), &found, &k, &v));
  ASSERT_TRUE(found);
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 1u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 0u);
}

TEST_F(TableReaderStatisticsTest, RefusedInsertIsAnAddFailure) {
  LRUCacheOptions co;
  co.capacity = 100;  // Smaller than any block.
  co.strict_capacity_limit = true;
  ASSERT_OK(NewLRUCache(co, &options_.block_cache));
  auto table = Open();
  ASSERT_NE(table, nullptr);
  ASSERT_TRUE(Get(*table, Key(1)));
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 0u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD_FAILURES), 1u);
}

TEST_F(TableReaderStatisticsTest, IndexAndFilterInTheCacheCountAsAdds) {
  options_.cache_index_and_filter_blocks = true;
  auto table = Open();
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 2u);
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 0u);
}

TEST_F(TableReaderStatisticsTest, BloomFilterRejectingAKeyIsUseful) {
  auto table = Open();
  ASSERT_NE(table, nullptr);
  ASSERT_FALSE(Get(*table, AbsentKey(*table, /*rejected=*/true)));
  EXPECT_EQ(Tick(BLOOM_FILTER_USEFUL), 1u);
  EXPECT_EQ(Tick(BLOOM_FILTER_FULL_POSITIVE), 0u);
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 0u);  // No block was looked at.
}

TEST_F(TableReaderStatisticsTest, BloomPositivesAndTruePositives) {
  auto table = Open();
  ASSERT_NE(table, nullptr);
  ASSERT_TRUE(Get(*table, Key(5)));
  EXPECT_EQ(Tick(BLOOM_FILTER_FULL_POSITIVE), 1u);
  EXPECT_EQ(Tick(BLOOM_FILTER_FULL_TRUE_POSITIVE), 1u);
  // A false positive: the filter lets it through, the table lacks it.
  ASSERT_FALSE(Get(*table, AbsentKey(*table, /*rejected=*/false)));
  EXPECT_EQ(Tick(BLOOM_FILTER_FULL_POSITIVE), 2u);
  EXPECT_EQ(Tick(BLOOM_FILTER_FULL_TRUE_POSITIVE), 1u);
  EXPECT_EQ(Tick(BLOOM_FILTER_USEFUL), 0u);
}

TEST_F(TableReaderStatisticsTest, MultiGetCountsLikeGet) {
  auto table = Open();
  ASSERT_NE(table, nullptr);
  const std::vector<std::string> user_keys = {
      Key(10), Key(11), Key(2000), AbsentKey(*table, /*rejected=*/true)};
  std::vector<std::string> lookups, keys(4), values(4);
  std::vector<TableGetRequest> requests(4);
  for (size_t i = 0; i < 4; ++i) {
    lookups.push_back(Lookup(user_keys[i]));
    requests[i].lookup_key = lookups[i];
    requests[i].internal_key = &keys[i];
    requests[i].value = &values[i];
  }
  table->MultiGet(TableReadOptions(), requests.data(), requests.size());
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_OK(requests[i].status);
    EXPECT_TRUE(requests[i].found);
  }
  EXPECT_FALSE(requests[3].found);
  EXPECT_EQ(Tick(BLOOM_FILTER_USEFUL), 1u);
  EXPECT_EQ(Tick(BLOOM_FILTER_FULL_POSITIVE), 3u);
  EXPECT_EQ(Tick(BLOOM_FILTER_FULL_TRUE_POSITIVE), 3u);
  // Keys 10 and 11 share a block: two distinct blocks missed and added.
  EXPECT_EQ(Tick(BLOCK_CACHE_MISS), 2u);
  EXPECT_EQ(Tick(BLOCK_CACHE_DATA_MISS), 2u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 2u);
  table->MultiGet(TableReadOptions(), requests.data(), requests.size());
  EXPECT_EQ(Tick(BLOCK_CACHE_HIT), 2u);
  EXPECT_EQ(Tick(BLOCK_CACHE_DATA_HIT), 2u);
  EXPECT_EQ(Tick(BLOCK_CACHE_ADD), 2u);
}

TEST_F(TableReaderStatisticsTest, ScanCountsItsReadaheadWhenTheIteratorEnds) {
  auto table = Open();
  ASSERT_NE(table, nullptr);
  {
    auto it = table->NewIterator(TableReadOptions());
    int n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    ASSERT_OK(it->status());
    ASSERT_EQ(n, kNumKeys);
    EXPECT_EQ(Tick(READAHEAD_BYTES), 0u);  // Counted at destruction.
  }
  EXPECT_GT(Tick(READAHEAD_BYTES), 0u);
  EXPECT_GT(Tick(READAHEAD_BYTES_USED), 0u);
  EXPECT_EQ(Tick(READAHEAD_BYTES_USED) + Tick(READAHEAD_BYTES_WASTED),
            Tick(READAHEAD_BYTES));
}

TEST_F(TableReaderStatisticsTest, AbandonedReadaheadIsWasted) {
  auto table = Open();
  ASSERT_NE(table, nullptr);
  TableReadOptions ro;
  ro.readahead_bytes = 256 << 10;  // Far more than the two blocks read.
  {
    auto it = table->NewIterator(ro);
    it->Seek(Lookup(Key(100)));
    ASSERT_TRUE(it->Valid());
    it->Next();
    ASSERT_TRUE(it->Valid());
  }
  EXPECT_GT(Tick(READAHEAD_BYTES), 0u);
  EXPECT_GT(Tick(READAHEAD_BYTES_WASTED), 200u << 10);
  EXPECT_EQ(Tick(READAHEAD_BYTES_USED) + Tick(READAHEAD_BYTES_WASTED),
            Tick(READAHEAD_BYTES));
}

TEST_F(TableReaderStatisticsTest, VerifyChecksumCountsItsReadahead) {
  options_.block_cache = nullptr;
  auto table = Open();
  ASSERT_NE(table, nullptr);
  ASSERT_OK(table->VerifyChecksum(64 << 10));
  EXPECT_GT(Tick(READAHEAD_BYTES), 0u);
  EXPECT_EQ(Tick(READAHEAD_BYTES_USED) + Tick(READAHEAD_BYTES_WASTED),
            Tick(READAHEAD_BYTES));
}

TEST_F(TableReaderStatisticsTest, NoStatisticsCountsNothing) {
  options_.statistics = nullptr;
  auto table = Open();
  ASSERT_NE(table, nullptr);
  ASSERT_TRUE(Get(*table, Key(3)));
  ASSERT_TRUE(Get(*table, Key(3)));
  for (uint32_t t = 0; t < TICKER_ENUM_MAX; ++t) {
    EXPECT_EQ(Tick(static_cast<Tickers>(t)), 0u) << TickerName(Tickers(t));
  }
}

}  // namespace
}  // namespace strata
