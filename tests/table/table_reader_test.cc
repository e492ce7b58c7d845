#include "table/table_reader.h"

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "strata/cache.h"
#include "strata/memory_allocator.h"
#include "strata/thread_pool.h"
#include "table/table_builder.h"
#include "table/table_iterator.h"
#include "table_files.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// One table's worth of entries: internal key -> value, in order.
using Model = std::map<std::string, std::string, InternalKeyComparator>;

struct Combo {
  uint32_t format_version;
  ChecksumType checksum;
  CompressionType compression;
  size_t block_size;
  int restart_interval;
  int index_restart_interval;
  double bloom_bits;
};

std::string ComboName(const Combo& c) {
  return "Fv" + std::to_string(c.format_version) + "_" +
         std::string(ChecksumTypeName(c.checksum)) + "_" +
         std::string(CompressionTypeFlagName(c.compression)) + "_B" +
         std::to_string(c.block_size) + "_R" +
         std::to_string(c.restart_interval) + "_Ir" +
         std::to_string(c.index_restart_interval) +
         (c.bloom_bits > 0 ? "_Bloom" : "_NoFilter");
}

// Random user keys (with edge cases) and, for some, several versions.
Model MakeModel(test::Random* rnd, int num_keys, bool multi_version) {
  Model model;
  const std::vector<std::string> edge = {std::string(), std::string(1, '\0'),
                                         std::string(3, '\xff'), "a",
                                         std::string(300, 'k')};
  for (const std::string& k : edge) {
    model[MakeInternalKey(k, 0, ValueType::kValue)] = "edge";
  }
  for (int i = 0; i < num_keys; ++i) {
    const std::string user_key =
        "key" + std::to_string(rnd->Uniform(1000000)) +
        rnd->RandomBytes(rnd->Uniform(8));
    const int versions = multi_version ? 1 + rnd->Uniform(3) : 1;
    for (int v = 0; v < versions; ++v) {
      const uint64_t seq = multi_version ? 1 + rnd->Uniform(1000) : 0;
      const ValueType type = rnd->OneIn(5) ? ValueType::kDeletion
                                           : ValueType::kValue;
      model[MakeInternalKey(user_key, seq, type)] =
          type == ValueType::kDeletion
              ? ""
              : rnd->RandomBytes(rnd->OneIn(50) ? 5000 : rnd->Uniform(100));
    }
  }
  return model;
}

// Scans `it` from the first entry: every entry matches the model's, in
// order, and the scan ends exactly where the model does.
void ExpectForwardScanMatches(TableIterator* it, const Model& model) {
  auto m = model.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
    ASSERT_NE(m, model.end());
    ASSERT_EQ(it->key().ToHex(), Slice(m->first).ToHex());
    ASSERT_EQ(it->value().ToString(), m->second);
  }
  ASSERT_OK(it->status());
  ASSERT_EQ(m, model.end());
}

// How a test opens a table's file.
enum class ReadMode { kBuffered, kMmap, kDirect };
constexpr ReadMode kReadModes[] = {ReadMode::kBuffered, ReadMode::kMmap,
                                   ReadMode::kDirect};

FileOptions ReadModeOptions(ReadMode mode) {
  FileOptions fo;
  fo.use_direct_reads = mode == ReadMode::kDirect;
  fo.use_mmap_reads = mode == ReadMode::kMmap;
  return fo;
}

class TableRoundTripTest : public ::testing::TestWithParam<Combo> {
 protected:
  Status Build(const Model& model, const std::string& path) {
    const Combo& c = GetParam();
    TableBuilderOptions o;
    o.format_version = c.format_version;
    o.checksum_type = c.checksum;
    o.compression = c.compression;
    o.block_size = c.block_size;
    o.block_restart_interval = c.restart_interval;
    o.index_block_restart_interval = c.index_restart_interval;
    o.bloom_bits_per_key = c.bloom_bits;
    o.executor = executor_;
    o.parallel_threads = parallel_threads_;
    return test::WriteTableFile(&fs_, path, o, model);
  }

  Status Open(const std::string& path, bool direct,
              std::unique_ptr<TableReader>* table) {
    return test::OpenTableFile(&fs_, path, direct, TableReaderOptions(), table);
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_{&fake_};
  Executor* executor_ = nullptr;
  int parallel_threads_ = 1;
};

TEST_P(TableRoundTripTest, EveryEntryReadsBackInBothDirections) {
  test::Random rnd(42);
  const Model model = MakeModel(&rnd, 3000, /*multi_version=*/true);
  ASSERT_OK(Build(model, "/t.sst"));
  for (bool direct : {false, true}) {
    std::unique_ptr<TableReader> table;
    ASSERT_OK(Open("/t.sst", direct, &table));
    EXPECT_EQ(table->properties().num_entries, model.size());
    EXPECT_EQ(table->has_filter(), GetParam().bloom_bits > 0);
    auto it = table->NewIterator(TableReadOptions());
    ASSERT_NO_FATAL_FAILURE(ExpectForwardScanMatches(it.get(), model));
    auto r = model.rbegin();
    for (it->SeekToLast(); it->Valid(); it->Prev(), ++r) {
      ASSERT_NE(r, model.rend());
      ASSERT_EQ(it->key().ToHex(), Slice(r->first).ToHex());
    }
    ASSERT_OK(it->status());
    ASSERT_EQ(r, model.rend());
    ASSERT_OK(table->VerifyChecksum(64 << 10));
  }
}

TEST_P(TableRoundTripTest, SeeksAndGetsMatchTheModel) {
  test::Random rnd(7);
  const Model model = MakeModel(&rnd, 2000, /*multi_version=*/true);
  ASSERT_OK(Build(model, "/s.sst"));
  std::unique_ptr<TableReader> table;
  ASSERT_OK(Open("/s.sst", /*direct=*/true, &table));
  // Open gives the index its search aid, one prefix per restart point.
  EXPECT_EQ(table->index_block().num_restarts(),
            table->index_block().restart_key_prefixes().size());
  auto it = table->NewIterator(TableReadOptions());
  std::vector<std::string> keys;
  for (const auto& [k, v] : model) keys.push_back(k);
  for (int i = 0; i < 500; ++i) {
    // Probe existing user keys and keys between them, at random seqnos.
    const std::string& base = keys[rnd.Uniform(keys.size())];
    std::string user_key = ExtractUserKey(base).ToString();
    if (rnd.OneIn(3)) user_key += static_cast<char>(rnd.Uniform(256));
    const uint64_t seq = rnd.Uniform(1200);
    const std::string target =
        MakeInternalKey(user_key, seq, kValueTypeForSeek);
    auto want = model.lower_bound(target);
    it->Seek(target);
    if (want == model.end()) {
      ASSERT_FALSE(it->Valid());
    } else {
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(it->key().ToHex(), Slice(want->first).ToHex());
    }
    ASSERT_OK(it->status());
    // SeekForPrev: last entry <= target.
    auto up = model.upper_bound(target);
    it->SeekForPrev(target);
    if (up == model.begin()) {
      ASSERT_FALSE(it->Valid());
    } else {
      --up;
      ASSERT_TRUE(it->Valid());
      ASSERT_EQ(it->key().ToHex(), Slice(up->first).ToHex());
    }
    // Get: newest version of user_key visible at seq.
    bool found = false;
    std::string got_key, got_value;
    ASSERT_OK(table->Get(TableReadOptions(), target, &found, &got_key,
                         &got_value));
    const bool expect = want != model.end() &&
                        ExtractUserKey(want->first) == Slice(user_key);
    ASSERT_EQ(found, expect) << Slice(user_key).ToHex();
    if (expect) {
      ASSERT_EQ(Slice(got_key).ToHex(), Slice(want->first).ToHex());
      ASSERT_EQ(got_value, want->second);
    }
    // The same lookup asking for the trailer only.
    bool found_too = false;
    uint64_t trailer = 0;
    std::string value_too;
    ASSERT_OK(table->Get(TableReadOptions(), target, &found_too, nullptr,
                         &value_too, &trailer));
    ASSERT_EQ(found, found_too);
    if (expect) {
      ASSERT_EQ(ExtractTrailer(want->first), trailer);
      ASSERT_EQ(got_value, value_too);
    }
  }
}

// Get through every read path (buffered, whose block goes through a
// per-thread reused buffer; mmap; direct), with no block cache, a cache it
// fills and a cache it must not fill, from several threads at once: every
// answer matches the model.
TEST_P(TableRoundTripTest, GetsFromManyThreadsOnEveryReadPathMatchTheModel) {
  test::Random rnd(17);
  const Model model = MakeModel(&rnd, 2000, /*multi_version=*/true);
  ASSERT_OK(Build(model, "/g.sst"));
  std::vector<std::string> keys;
  for (const auto& [k, v] : model) keys.push_back(k);
  enum class CacheUse { kNone, kFill, kNoFill };
  for (ReadMode mode : kReadModes) {
    for (CacheUse cache_use :
         {CacheUse::kNone, CacheUse::kFill, CacheUse::kNoFill}) {
      SCOPED_TRACE("mode " + std::to_string(static_cast<int>(mode)) +
                   " cache " + std::to_string(static_cast<int>(cache_use)));
      TableReaderOptions options;
      if (cache_use != CacheUse::kNone) {
        options.block_cache = NewLRUCache(64 << 20);
      }
      std::unique_ptr<TableReader> table;
      ASSERT_OK(test::OpenTableFile(&fs_, "/g.sst", ReadModeOptions(mode),
                                    options, &table));
      TableReadOptions read_options;
      read_options.fill_cache = cache_use == CacheUse::kFill;
      auto lookups = [&](uint64_t seed) {
        test::Random r(seed);
        for (int i = 0; i < 400; ++i) {
          const std::string& base = keys[r.Uniform(keys.size())];
          std::string user_key = ExtractUserKey(base).ToString();
          if (r.OneIn(4)) user_key += static_cast<char>(r.Uniform(256));
          const std::string target =
              MakeInternalKey(user_key, r.Uniform(1200), kValueTypeForSeek);
          const auto want = model.lower_bound(target);
          const bool expect = want != model.end() &&
                              ExtractUserKey(want->first) == Slice(user_key);
          bool found = false;
          std::string got_key;
          std::string got_value;
          Status s =
              table->Get(read_options, target, &found, &got_key, &got_value);
          EXPECT_OK(s);
          EXPECT_EQ(expect, found) << Slice(target).ToHex();
          if (s.ok() && expect && found) {
            EXPECT_EQ(Slice(want->first).ToHex(), Slice(got_key).ToHex());
            EXPECT_EQ(want->second, got_value);
          }
        }
      };
      std::vector<std::thread> threads;
      for (uint64_t t = 0; t < 4; ++t) {
        threads.emplace_back(lookups, 100 + t);
      }
      for (std::thread& t : threads) t.join();
      if (cache_use == CacheUse::kNoFill) {
        EXPECT_EQ(0u, options.block_cache->GetUsage());
      } else if (cache_use == CacheUse::kFill) {
        EXPECT_GT(options.block_cache->GetUsage(), 0u);
      }
    }
  }
}

// Blocks a scan or a Get puts in the cache get their memory from the
// cache's allocator, and give it back when the cache lets them go; reads
// that do not fill the cache take nothing from it. Uncompressed blocks
// count as well as decompressed ones: a buffered Get reads straight into
// the pool, and blocks from a readahead buffer, a mapping or a direct read
// are copied in (a direct read's aligned hull is never what the cache
// keeps).
TEST_P(TableRoundTripTest, BlocksKeptByTheCacheLiveInItsMemoryPool) {
  test::Random rnd(23);
  const Model model = MakeModel(&rnd, 3000, /*multi_version=*/false);
  ASSERT_OK(Build(model, "/p.sst"));
  for (ReadMode mode : kReadModes) {
    SCOPED_TRACE("mode " + std::to_string(static_cast<int>(mode)));
    std::shared_ptr<BlockMemoryPool> pool = NewBlockMemoryPool();
    LRUCacheOptions cache_options;
    cache_options.capacity = 64 << 20;
    cache_options.memory_allocator = pool;
    // Charges are then the blocks' own memory, which the test counts.
    cache_options.metadata_charge_policy = kDontChargeCacheMetadata;
    std::shared_ptr<Cache> cache;
    ASSERT_OK(NewLRUCache(cache_options, &cache));
    ASSERT_EQ(pool.get(), cache->memory_allocator().get());
    TableReaderOptions options;
    options.block_cache = cache;
    std::unique_ptr<TableReader> table;
    ASSERT_OK(test::OpenTableFile(&fs_, "/p.sst", ReadModeOptions(mode),
                                  options, &table));
    const uint64_t num_blocks = table->properties().num_data_blocks;
    auto scan = [&](bool fill_cache) {
      TableReadOptions read_options;
      read_options.fill_cache = fill_cache;
      auto it = table->NewIterator(read_options);
      ASSERT_NO_FATAL_FAILURE(ExpectForwardScanMatches(it.get(), model));
    };
    auto get_all = [&](bool fill_cache) {
      TableReadOptions read_options;
      read_options.fill_cache = fill_cache;
      for (const auto& [key, value] : model) {
        bool found = false;
        std::string got;
        ASSERT_OK(table->Get(read_options, key, &found, nullptr, &got));
        ASSERT_TRUE(found);
        ASSERT_EQ(value, got);
      }
    };
    // Every data block is cached, its bytes in a pool slot, and charged for
    // exactly that slot and the Block object (data blocks carry no search
    // aids): so nothing the cache keeps lives outside the pool, and the
    // charge is the memory, not the block's size.
    auto expect_all_pooled = [&] {
      const BlockMemoryPool::Stats stats = pool->GetStats();
      EXPECT_EQ(stats.allocated_bytes + num_blocks * sizeof(Block),
                cache->GetUsage());
    };
    scan(/*fill_cache=*/false);
    get_all(/*fill_cache=*/false);
    EXPECT_EQ(0u, pool->GetStats().allocated_bytes);
    EXPECT_EQ(0u, cache->GetUsage());
    get_all(/*fill_cache=*/true);
    EXPECT_GT(cache->GetUsage(), 0u);
    expect_all_pooled();
    cache->EraseUnRefEntries();
    EXPECT_EQ(0u, pool->GetStats().allocated_bytes);
    scan(/*fill_cache=*/true);
    const BlockMemoryPool::Stats filled = pool->GetStats();
    EXPECT_GT(filled.allocated_bytes, 0u);
    expect_all_pooled();
    // A second scan is served by the cache: nothing new is allocated.
    scan(/*fill_cache=*/true);
    EXPECT_EQ(filled.allocated_bytes, pool->GetStats().allocated_bytes);
    cache->EraseUnRefEntries();
    const BlockMemoryPool::Stats emptied = pool->GetStats();
    EXPECT_EQ(0u, emptied.allocated_bytes);
    EXPECT_GE(emptied.free_bytes, filled.allocated_bytes);
  }
}

// Compressing on an executor changes nothing on disk.
TEST_P(TableRoundTripTest, ParallelCompressionIsByteIdentical) {
  test::Random rnd(13);
  const Model model = MakeModel(&rnd, 4000, /*multi_version=*/true);
  ASSERT_OK(Build(model, "/serial.sst"));
  ThreadPool pool;
  pool.SetBackgroundThreads(2);
  for (int threads : {2, 4}) {
    executor_ = &pool;
    parallel_threads_ = threads;
    ASSERT_OK(Build(model, "/parallel.sst"));
    executor_ = nullptr;
    parallel_threads_ = 1;
    std::string serial, parallel;
    ASSERT_OK(fake_.ReadFileContent("/serial.sst", &serial));
    ASSERT_OK(fake_.ReadFileContent("/parallel.sst", &parallel));
    ASSERT_EQ(serial.size(), parallel.size()) << threads << " threads";
    EXPECT_TRUE(serial == parallel) << threads << " threads";
  }
}

TEST_P(TableRoundTripTest, SameInputGivesIdenticalBytes) {
  test::Random rnd(3);
  const Model model = MakeModel(&rnd, 500, false);
  ASSERT_OK(Build(model, "/a.sst"));
  ASSERT_OK(Build(model, "/b.sst"));
  std::string a, b;
  ASSERT_OK(fake_.ReadFileContent("/a.sst", &a));
  ASSERT_OK(fake_.ReadFileContent("/b.sst", &b));
  EXPECT_EQ(a, b);
}

// Every single-byte corruption is caught by a checksum (or is harmless:
// the table still reads back exactly), never a crash.
TEST_P(TableRoundTripTest, SingleByteCorruptionIsDetectedOrHarmless) {
  // Without checksums damage cannot be detected, only survived: then any
  // status and any data are acceptable, a crash is not.
  const bool detectable = GetParam().checksum != ChecksumType::kNoChecksum;
  test::Random rnd(11);
  const Model model = MakeModel(&rnd, 300, false);
  ASSERT_OK(Build(model, "/c.sst"));
  std::string good;
  ASSERT_OK(fake_.ReadFileContent("/c.sst", &good));
  for (int trial = 0; trial < 200; ++trial) {
    std::string bad = good;
    const size_t pos = rnd.Uniform(bad.size());
    bad[pos] = static_cast<char>(bad[pos] ^ (1 + rnd.Uniform(255)));
    ASSERT_OK(fake_.WriteFileContent("/bad.sst", bad));
    std::unique_ptr<TableReader> table;
    Status s = Open("/bad.sst", false, &table);
    if (s.ok()) s = table->VerifyChecksum(0);
    if (!detectable) {
      if (table != nullptr) {
        auto it = table->NewIterator(TableReadOptions());
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
        }
        it->status().PermitUncheckedError();  // Anything but a crash.
      }
      continue;
    }
    if (s.ok()) {
      // Harmless: everything still reads back exactly.
      auto it = table->NewIterator(TableReadOptions());
      auto m = model.begin();
      for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
        ASSERT_NE(m, model.end()) << "byte " << pos;
        ASSERT_EQ(it->key().ToString(), m->first) << "byte " << pos;
        ASSERT_EQ(it->value().ToString(), m->second) << "byte " << pos;
      }
      ASSERT_OK(it->status());
    } else {
      EXPECT_TRUE(s.IsCorruption() || s.IsNotSupported()) << s.ToString();
      EXPECT_THAT(s.ToString(), HasSubstr("/bad.sst")) << "byte " << pos;
    }
  }
}

// Tables built by hand for Get's corner cases.
class TableGetTest : public ::testing::Test {
 protected:
  Status Build(const Model& model, const TableBuilderOptions& o) {
    return test::WriteTableFile(&fake_, "/t.sst", o, model);
  }
  Status Open(std::unique_ptr<TableReader>* table) {
    return test::OpenTableFile(&fake_, "/t.sst", /*direct=*/false,
                               TableReaderOptions(), table);
  }
  FakeFileSystem fake_;
};

// Versions of one user key spread over many tiny blocks. A lookup below
// the last version a block holds finds nothing there and continues with
// the next block, read into the same per-thread buffer the first one used.
TEST_F(TableGetTest, GetContinuesIntoTheNextBlock) {
  for (uint32_t fv : {2u, 5u}) {
    SCOPED_TRACE("format_version " + std::to_string(fv));
    Model model;
    for (uint64_t seq = 10; seq <= 400; seq += 10) {
      model[MakeInternalKey("hot", seq, ValueType::kValue)] =
          "v" + std::to_string(seq);
    }
    model[MakeInternalKey("cold", 5, ValueType::kValue)] = "c";
    model[MakeInternalKey("hotter", 5, ValueType::kValue)] = "h";
    TableBuilderOptions o;
    o.format_version = fv;
    o.block_size = 40;  // About one entry per block.
    o.block_restart_interval = 2;
    ASSERT_OK(Build(model, o));
    std::unique_ptr<TableReader> table;
    ASSERT_OK(Open(&table));
    for (uint64_t seq = 0; seq <= 410; ++seq) {
      const std::string target = MakeInternalKey("hot", seq, kValueTypeForSeek);
      bool found = false;
      std::string value;
      uint64_t trailer = 0;
      ASSERT_OK(table->Get(TableReadOptions(), target, &found, nullptr, &value,
                           &trailer));
      const uint64_t newest = seq / 10 * 10;
      ASSERT_EQ(newest >= 10, found) << seq;
      if (found) {
        EXPECT_EQ("v" + std::to_string(std::min<uint64_t>(newest, 400)), value);
        EXPECT_EQ(std::min<uint64_t>(newest, 400), trailer >> 8);
      }
    }
  }
}

// A damaged data block read for a Get (into the reused buffer) is
// Corruption naming the file and the block's offset, and the next Get on
// the thread is unaffected.
TEST_F(TableGetTest, CorruptDataBlockIsCorruptionNamingFileAndOffset) {
  Model model;
  for (int i = 0; i < 400; ++i) {
    model[MakeInternalKey("key" + std::to_string(1000 + i), 1,
                          ValueType::kValue)] = std::string(50, 'v');
  }
  TableBuilderOptions o;
  o.block_size = 1024;
  ASSERT_OK(Build(model, o));
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/t.sst", &content));
  content[200] ^= 0x40;  // Inside the first data block.
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  std::unique_ptr<TableReader> table;
  ASSERT_OK(Open(&table));
  bool found = true;
  std::string value;
  Status s = table->Get(TableReadOptions(),
                        MakeInternalKey("key1000", 9, kValueTypeForSeek),
                        &found, nullptr, &value);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/t.sst @ 0+"));
  EXPECT_THAT(s.ToString(), HasSubstr("checksum mismatch"));
  EXPECT_FALSE(found);
  ASSERT_OK(table->Get(TableReadOptions(),
                       MakeInternalKey("key1399", 9, kValueTypeForSeek), &found,
                       nullptr, &value));
  EXPECT_TRUE(found);
  EXPECT_EQ(std::string(50, 'v'), value);
}

std::vector<Combo> Combos() {
  std::vector<Combo> combos = {
      {5, ChecksumType::kXXH3, CompressionType::kNoCompression, 4096, 16, 1, 10},
      {5, ChecksumType::kCRC32c, CompressionType::kZSTD, 512, 1, 16, 0},
      {4, ChecksumType::kxxHash, CompressionType::kNoCompression, 16384, 16, 16, 10},
      {4, ChecksumType::kxxHash64, CompressionType::kZSTD, 4096, 1, 1, 0},
      {3, ChecksumType::kXXH3, CompressionType::kZSTD, 16384, 1, 16, 10},
      {3, ChecksumType::kCRC32c, CompressionType::kNoCompression, 512, 16, 1, 0},
      {2, ChecksumType::kxxHash64, CompressionType::kNoCompression, 4096, 16, 16, 10},
      {2, ChecksumType::kxxHash, CompressionType::kZSTD, 512, 16, 1, 10},
      {5, ChecksumType::kNoChecksum, CompressionType::kNoCompression, 4096, 4, 4, 10},
  };
  if (CompressionTypeSupported(CompressionType::kSnappyCompression)) {
    combos.push_back({5, ChecksumType::kXXH3, CompressionType::kSnappyCompression,
                      4096, 16, 1, 10});
  }
  if (CompressionTypeSupported(CompressionType::kLZ4Compression)) {
    combos.push_back({4, ChecksumType::kCRC32c, CompressionType::kLZ4Compression,
                      4096, 16, 1, 0});
  }
  return combos;
}

INSTANTIATE_TEST_SUITE_P(Formats, TableRoundTripTest,
                         ::testing::ValuesIn(Combos()),
                         [](const ::testing::TestParamInfo<Combo>& info) {
                           return ComboName(info.param);
                         });

}  // namespace
}  // namespace strata
