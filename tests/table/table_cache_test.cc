// The block cache under the table reader: hits replace device reads,
// fill_cache, strict capacity, index and filter blocks charged to the cache.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "strata/cache.h"
#include "table/table_builder.h"
#include "table/table_iterator.h"
#include "table/table_reader.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

class TableCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fs_.NewWritableFile("/t.sst", FileOptions(), &file));
    std::unique_ptr<WritableFileWriter> writer;
    ASSERT_OK(WritableFileWriter::Create(std::move(file),
                                         WritableFileWriterOptions(), &writer));
    TableBuilderOptions o;
    o.bloom_bits_per_key = 10;
    TableBuilder builder(o, writer.get());
    for (int i = 0; i < 5000; ++i) {
      ASSERT_OK(builder.Add(
          MakeInternalKey("key" + std::to_string(100000 + i), 0,
                          ValueType::kValue),
          std::string(100, static_cast<char>('a' + i % 26))));
    }
    ASSERT_OK(builder.Finish());
    ASSERT_OK(writer->Sync());  // Clean pages, so DropAllCaches can drop them.
    ASSERT_OK(writer->Close());
  }

  std::unique_ptr<TableReader> Open(const TableReaderOptions& options,
                                    bool direct = false) {
    FileOptions fo;
    fo.use_direct_reads = direct;
    std::unique_ptr<RandomAccessFile> file;
    EXPECT_OK(fs_.NewRandomAccessFile("/t.sst", fo, &file));
    uint64_t size = 0;
    EXPECT_OK(file->GetFileSize(&size));
    std::unique_ptr<TableReader> table;
    EXPECT_OK(TableReader::Open(
        options, std::make_unique<RandomAccessFileReader>(std::move(file)),
        size, &table));
    return table;
  }

  size_t DeviceReads() {
    return fs_.recorder().Count(
        [](const IORecord& r) { return r.op == FileOp::kRead; });
  }

  size_t Scan(const TableReader& table, const TableReadOptions& ro) {
    auto it = table.NewIterator(ro);
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    EXPECT_OK(it->status());
    return n;
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_{&fake_};
};

TEST_F(TableCacheTest, SecondScanIsServedFromTheCache) {
  TableReaderOptions options;
  options.block_cache = NewLRUCache(64 << 20);
  auto table = Open(options);
  fs_.recorder().Clear();
  EXPECT_EQ(Scan(*table, TableReadOptions()), 5000u);
  EXPECT_GT(DeviceReads(), 0u);
  const CacheStats first = options.block_cache->GetStats();
  EXPECT_EQ(first.inserts, table->properties().num_data_blocks);
  fs_.recorder().Clear();
  EXPECT_EQ(Scan(*table, TableReadOptions()), 5000u);
  EXPECT_EQ(DeviceReads(), 0u);
  EXPECT_GE(options.block_cache->GetStats().hits - first.hits,
            table->properties().num_data_blocks);
}

TEST_F(TableCacheTest, FillCacheFalseLeavesTheCacheAlone) {
  TableReaderOptions options;
  options.block_cache = NewLRUCache(64 << 20);
  auto table = Open(options);
  TableReadOptions ro;
  ro.fill_cache = false;
  EXPECT_EQ(Scan(*table, ro), 5000u);
  EXPECT_EQ(options.block_cache->GetStats().inserts, 0u);
  EXPECT_EQ(options.block_cache->GetUsage(), 0u);
  fs_.recorder().Clear();
  EXPECT_EQ(Scan(*table, ro), 5000u);
  EXPECT_GT(DeviceReads(), 0u);
}

TEST_F(TableCacheTest, GetHitsTheCacheAfterTheFirstRead) {
  TableReaderOptions options;
  options.block_cache = NewLRUCache(64 << 20);
  auto table = Open(options);
  const std::string lookup =
      MakeInternalKey("key102345", kMaxSequenceNumber, kValueTypeForSeek);
  bool found = false;
  std::string k, v;
  fs_.recorder().Clear();
  ASSERT_OK(table->Get(TableReadOptions(), lookup, &found, &k, &v));
  ASSERT_TRUE(found);
  EXPECT_EQ(DeviceReads(), 1u);
  ASSERT_OK(table->Get(TableReadOptions(), lookup, &found, &k, &v));
  ASSERT_TRUE(found);
  EXPECT_EQ(DeviceReads(), 1u);
}

TEST_F(TableCacheTest, SmallCacheStaysWithinCapacityAndStillReadsEverything) {
  TableReaderOptions options;
  options.block_cache = NewLRUCache(32 << 10, /*num_shard_bits=*/0,
                                    /*strict_capacity_limit=*/true);
  auto table = Open(options);
  EXPECT_EQ(Scan(*table, TableReadOptions()), 5000u);
  EXPECT_LE(options.block_cache->GetUsage(), size_t{32 << 10});
  EXPECT_GT(options.block_cache->GetStats().evictions, 0u);
}

TEST_F(TableCacheTest, CacheTooSmallForABlockFallsBackToUncachedReads) {
  TableReaderOptions options;
  options.block_cache = NewLRUCache(1024, 0, /*strict_capacity_limit=*/true);
  auto table = Open(options);
  EXPECT_EQ(Scan(*table, TableReadOptions()), 5000u);
  EXPECT_GT(options.block_cache->GetStats().insert_failures, 0u);
  EXPECT_EQ(options.block_cache->GetUsage(), 0u);
}

TEST_F(TableCacheTest, IndexAndFilterAreChargedToTheCacheWhenAsked) {
  TableReaderOptions options;
  options.block_cache = NewLRUCache(64 << 20);
  options.cache_index_and_filter_blocks = true;
  {
    auto table = Open(options);
    const TableProperties& p = table->properties();
    // Both pinned for the reader's lifetime.
    EXPECT_GE(options.block_cache->GetPinnedUsage(),
              p.filter_size + p.index_size - 5);
    EXPECT_EQ(Scan(*table, TableReadOptions()), 5000u);
    EXPECT_FALSE(table->KeyMayMatch("absent-key") &&
                 table->KeyMayMatch("absent-key-2") &&
                 table->KeyMayMatch("absent-key-3"));
  }
  EXPECT_EQ(options.block_cache->GetPinnedUsage(), 0u);

  TableReaderOptions outside;
  outside.block_cache = NewLRUCache(64 << 20);
  auto table = Open(outside);
  EXPECT_EQ(outside.block_cache->GetUsage(), 0u);  // Owned by the reader.
}

TEST_F(TableCacheTest, DirectReadsWithCacheLeavePageCacheEmpty) {
  fake_.DropAllCaches();
  ASSERT_EQ(fake_.ResidentBytes("/t.sst"), 0u);
  TableReaderOptions options;
  options.block_cache = NewLRUCache(64 << 20);
  auto table = Open(options, /*direct=*/true);
  EXPECT_EQ(Scan(*table, TableReadOptions()), 5000u);
  fs_.recorder().Clear();
  EXPECT_EQ(Scan(*table, TableReadOptions()), 5000u);
  EXPECT_EQ(DeviceReads(), 0u);
  EXPECT_EQ(fake_.ResidentBytes("/t.sst"), 0u);
}

TEST_F(TableCacheTest, TwoReadersOfOneCacheDoNotShareKeys) {
  TableReaderOptions options;
  options.block_cache = NewLRUCache(64 << 20);
  auto a = Open(options);
  auto b = Open(options);
  EXPECT_EQ(Scan(*a, TableReadOptions()), 5000u);
  const uint64_t inserts = options.block_cache->GetStats().inserts;
  EXPECT_EQ(Scan(*b, TableReadOptions()), 5000u);
  // b's blocks are its own entries, not a's (distinct reader ids).
  EXPECT_EQ(options.block_cache->GetStats().inserts, 2 * inserts);
}

}  // namespace
}  // namespace strata
