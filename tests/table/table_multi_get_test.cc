// TableReader::MultiGet: every key of a batch gets exactly Get's answer, and
// the blocks the batch needs come from one MultiRead (merged under direct
// I/O) instead of one read per key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "strata/cache.h"
#include "table/table_builder.h"
#include "table/table_reader.h"
#include "table_files.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

constexpr size_t kAlignment = 4096;

using Model = std::map<std::string, std::string, InternalKeyComparator>;

struct Format {
  uint32_t format_version;
  CompressionType compression;
  size_t block_size;
  double bloom_bits;
  DataBlockIndexType data_block_index;
};

std::string FormatName(const Format& f) {
  return "Fv" + std::to_string(f.format_version) + "_" +
         std::string(CompressionTypeFlagName(f.compression)) + "_B" +
         std::to_string(f.block_size) +
         (f.bloom_bits > 0 ? "_Bloom" : "_NoFilter") +
         (f.data_block_index == DataBlockIndexType::kBinaryAndHash ? "_Hash"
                                                                   : "");
}

// Builds `path` from `model` on `fs`.
Status BuildTable(FileSystem* fs, const std::string& path, const Model& model,
                  const TableBuilderOptions& options) {
  return test::WriteTableFile(fs, path, options, model);
}

class TableMultiGetTestBase {
 protected:
  static FakeFileSystem::Options FakeOptions() {
    FakeFileSystem::Options o;
    o.offset_alignment = kAlignment;
    return o;
  }

  std::unique_ptr<TableReader> Open(const std::string& path, bool direct,
                                    const TableReaderOptions& options) {
    std::unique_ptr<TableReader> table;
    EXPECT_OK(test::OpenTableFile(&fs_, path, direct, options, &table));
    return table;
  }

  // Reads of `path` recorded since the last Clear().
  std::vector<IORecord> Reads(const std::string& path) {
    return fs_.recorder().Records([&](const IORecord& r) {
      return r.op == FileOp::kRead && r.path == path;
    });
  }

  struct Answer {
    std::string status;
    bool found = false;
    std::string key;
    std::string value;
    bool operator==(const Answer&) const = default;
  };
  static std::string Describe(const Answer& a) {
    return a.status + (a.found ? " found " + Slice(a.key).ToHex() + "=" +
                                     Slice(a.value).ToHex()
                               : " absent");
  }

  static Answer GetAnswer(const TableReader& table, const TableReadOptions& ro,
                          const std::string& lookup) {
    Answer a;
    Status s = table.Get(ro, lookup, &a.found, &a.key, &a.value);
    a.status = s.ToString();
    if (!s.ok() || !a.found) {
      a.found = false;
      a.key.clear();
      a.value.clear();
    }
    return a;
  }

  static std::vector<Answer> MultiGetAnswers(
      const TableReader& table, const TableReadOptions& ro,
      const std::vector<std::string>& lookups) {
    std::vector<std::string> keys(lookups.size()), values(lookups.size());
    std::vector<TableGetRequest> requests(lookups.size());
    for (size_t i = 0; i < lookups.size(); ++i) {
      requests[i].lookup_key = lookups[i];
      requests[i].internal_key = &keys[i];
      requests[i].value = &values[i];
      // Stale outputs must be overwritten.
      requests[i].found = true;
      requests[i].status = Status::Corruption("stale");
    }
    table.MultiGet(ro, requests.data(), requests.size());
    std::vector<Answer> answers(lookups.size());
    for (size_t i = 0; i < lookups.size(); ++i) {
      Answer& a = answers[i];
      a.status = requests[i].status.ToString();
      a.found = requests[i].status.ok() && requests[i].found;
      if (a.found) {
        a.key = keys[i];
        a.value = values[i];
      }
    }
    return answers;
  }

  FakeFileSystem fake_{FakeOptions()};
  FaultInjectionFileSystem fs_{&fake_};
};

class TableMultiGetTest : public TableMultiGetTestBase,
                          public ::testing::TestWithParam<Format> {};

// Random user keys, several versions each, some deleted; many small blocks
// so that lookups land at block boundaries.
Model RandomModel(test::Random* rnd, int num_keys) {
  Model model;
  for (int i = 0; i < num_keys; ++i) {
    const std::string user_key = "k" + std::to_string(rnd->Uniform(100000)) +
                                 rnd->RandomBytes(rnd->Uniform(4));
    const int versions = 1 + static_cast<int>(rnd->Uniform(4));
    for (int v = 0; v < versions; ++v) {
      const uint64_t seq = 1 + rnd->Uniform(1000);
      const ValueType type =
          rnd->OneIn(5) ? ValueType::kDeletion : ValueType::kValue;
      model[MakeInternalKey(user_key, seq, type)] =
          type == ValueType::kDeletion ? ""
                                       : rnd->RandomBytes(rnd->Uniform(120));
    }
  }
  return model;
}

TEST_P(TableMultiGetTest, EveryAnswerEqualsGet) {
  const Format& f = GetParam();
  test::Random rnd(17);
  const Model model = RandomModel(&rnd, 1500);
  TableBuilderOptions bo;
  bo.format_version = f.format_version;
  bo.compression = f.compression;
  bo.block_size = f.block_size;
  bo.bloom_bits_per_key = f.bloom_bits;
  bo.data_block_index_type = f.data_block_index;
  ASSERT_OK(BuildTable(&fs_, "/m.sst", model, bo));
  std::vector<std::string> user_keys;
  for (const auto& [k, v] : model) {
    user_keys.push_back(ExtractUserKey(k).ToString());
  }
  for (bool direct : {false, true}) {
    for (bool with_cache : {false, true}) {
      SCOPED_TRACE(std::string(direct ? "direct" : "buffered") +
                   (with_cache ? " cached" : " uncached"));
      TableReaderOptions options;
      if (with_cache) options.block_cache = NewLRUCache(1 << 20);
      auto table = Open("/m.sst", direct, options);
      ASSERT_NE(table, nullptr);
      for (int batch = 0; batch < 40; ++batch) {
        TableReadOptions ro;
        ro.fill_cache = !rnd.OneIn(4);
        std::vector<std::string> lookups;
        const size_t n = 1 + rnd.Uniform(80);
        for (size_t i = 0; i < n; ++i) {
          std::string user_key = user_keys[rnd.Uniform(user_keys.size())];
          if (rnd.OneIn(4)) user_key += static_cast<char>(rnd.Uniform(256));
          if (rnd.OneIn(20)) user_key = "zzz" + std::to_string(i);
          lookups.push_back(MakeInternalKey(
              user_key, rnd.OneIn(3) ? kMaxSequenceNumber : rnd.Uniform(1100),
              kValueTypeForSeek));
          if (rnd.OneIn(10)) lookups.push_back(lookups.back());  // Duplicate.
        }
        const auto answers = MultiGetAnswers(*table, ro, lookups);
        for (size_t i = 0; i < lookups.size(); ++i) {
          const Answer want = GetAnswer(*table, ro, lookups[i]);
          ASSERT_EQ(Describe(answers[i]), Describe(want))
              << "lookup " << Slice(lookups[i]).ToHex();
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Formats, TableMultiGetTest,
    ::testing::Values(Format{5, CompressionType::kNoCompression, 256, 10,
                             DataBlockIndexType::kBinarySearch},
                      Format{5, CompressionType::kZSTD, 1024, 0,
                             DataBlockIndexType::kBinaryAndHash},
                      Format{4, CompressionType::kNoCompression, 512, 10,
                             DataBlockIndexType::kBinaryAndHash},
                      Format{2, CompressionType::kZSTD, 256, 10,
                             DataBlockIndexType::kBinarySearch}),
    [](const ::testing::TestParamInfo<Format>& info) {
      return FormatName(info.param);
    });

// One key per data block: 1000-byte values in 1 KiB blocks.
class TableMultiGetIOTest : public TableMultiGetTestBase,
                            public ::testing::Test {
 protected:
  static constexpr int kNumKeys = 400;

  void SetUp() override {
    Model model;
    for (int i = 0; i < kNumKeys; ++i) {
      model[MakeInternalKey(Key(i), 1, ValueType::kValue)] =
          std::string(1000, static_cast<char>('a' + i % 26));
    }
    TableBuilderOptions bo;
    bo.block_size = 1024;
    bo.bloom_bits_per_key = 10;
    ASSERT_OK(BuildTable(&fs_, "/io.sst", model, bo));
  }
  static std::string Key(int i) { return "key" + std::to_string(10000 + i); }
  static std::string Lookup(int i) {
    return MakeInternalKey(Key(i), kMaxSequenceNumber, kValueTypeForSeek);
  }
};

TEST_F(TableMultiGetIOTest, ContiguousBlocksOfABatchAreOneDirectRead) {
  auto table = Open("/io.sst", /*direct=*/true, TableReaderOptions());
  ASSERT_NE(table, nullptr);
  ASSERT_GE(table->properties().num_data_blocks, uint64_t{kNumKeys});
  std::vector<std::string> lookups;
  for (int i = 100; i < 164; ++i) lookups.push_back(Lookup(i));

  // Key by key: one read per key.
  fs_.recorder().Clear();
  for (const std::string& lookup : lookups) {
    ASSERT_TRUE(GetAnswer(*table, TableReadOptions(), lookup).found);
  }
  EXPECT_EQ(Reads("/io.sst").size(), lookups.size());

  // As a batch: the 64 blocks lie back to back, so their aligned ranges
  // merge into a single read.
  fs_.recorder().Clear();
  const auto answers = MultiGetAnswers(*table, TableReadOptions(), lookups);
  for (const Answer& a : answers) {
    EXPECT_TRUE(a.found) << a.status;
    EXPECT_EQ(a.value.size(), 1000u);
  }
  const auto reads = Reads("/io.sst");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].mode, IOMode::kDirect);
  EXPECT_EQ(reads[0].offset % kAlignment, 0u);
  EXPECT_EQ(reads[0].length % kAlignment, 0u);
  EXPECT_GE(reads[0].length, 64u * 1000);
}

TEST_F(TableMultiGetIOTest, SparseBatchIsOneReadPerMergedRange) {
  auto table = Open("/io.sst", /*direct=*/true, TableReaderOptions());
  ASSERT_NE(table, nullptr);
  // Every sixth key: about 6 KiB apart, so some aligned ranges touch and
  // merge and others do not.
  std::vector<std::string> lookups;
  for (int i = 0; i < 64; ++i) lookups.push_back(Lookup(6 * i));
  std::reverse(lookups.begin(), lookups.end());  // Any order is fine.
  fs_.recorder().Clear();
  for (const Answer& a : MultiGetAnswers(*table, TableReadOptions(), lookups)) {
    EXPECT_TRUE(a.found) << a.status;
  }
  auto reads = Reads("/io.sst");
  ASSERT_FALSE(reads.empty());
  EXPECT_LT(reads.size(), lookups.size());
  std::sort(
      reads.begin(), reads.end(),
      [](const IORecord& a, const IORecord& b) { return a.offset < b.offset; });
  for (size_t i = 0; i < reads.size(); ++i) {
    EXPECT_EQ(reads[i].offset % kAlignment, 0u) << reads[i].ToString();
    EXPECT_EQ(reads[i].length % kAlignment, 0u) << reads[i].ToString();
    if (i > 0) {
      // Merged: no two reads overlap or even touch.
      EXPECT_GT(reads[i].offset, reads[i - 1].offset + reads[i - 1].length)
          << reads[i - 1].ToString() << " / " << reads[i].ToString();
    }
  }
}

TEST_F(TableMultiGetIOTest, BufferedBatchReadsEachMissingBlockOnce) {
  TableReaderOptions options;
  options.block_cache = NewLRUCache(8 << 20);
  auto table = Open("/io.sst", /*direct=*/false, options);
  ASSERT_NE(table, nullptr);
  // Warm two of the blocks.
  ASSERT_TRUE(GetAnswer(*table, TableReadOptions(), Lookup(3)).found);
  ASSERT_TRUE(GetAnswer(*table, TableReadOptions(), Lookup(5)).found);
  std::vector<std::string> lookups;
  for (int i = 0; i < 10; ++i) {
    lookups.push_back(Lookup(i));
    lookups.push_back(Lookup(i));  // The same block twice: read once.
  }
  fs_.recorder().Clear();
  for (const Answer& a : MultiGetAnswers(*table, TableReadOptions(), lookups)) {
    EXPECT_TRUE(a.found) << a.status;
  }
  auto reads = Reads("/io.sst");
  EXPECT_EQ(reads.size(), 8u);  // 10 blocks, 2 of them cached.
  std::vector<uint64_t> offsets;
  for (const auto& r : reads) offsets.push_back(r.offset);
  std::sort(offsets.begin(), offsets.end());
  EXPECT_EQ(std::unique(offsets.begin(), offsets.end()), offsets.end());
  // The batch filled the cache: the same batch again reads nothing.
  fs_.recorder().Clear();
  for (const Answer& a : MultiGetAnswers(*table, TableReadOptions(), lookups)) {
    EXPECT_TRUE(a.found) << a.status;
  }
  EXPECT_TRUE(Reads("/io.sst").empty());
}

TEST_F(TableMultiGetIOTest, FillCacheFalseLeavesTheCacheEmpty) {
  TableReaderOptions options;
  options.block_cache = NewLRUCache(8 << 20);
  auto table = Open("/io.sst", /*direct=*/false, options);
  ASSERT_NE(table, nullptr);
  TableReadOptions ro;
  ro.fill_cache = false;
  const std::vector<std::string> lookups = {Lookup(1), Lookup(2)};
  for (const Answer& a : MultiGetAnswers(*table, ro, lookups)) {
    EXPECT_TRUE(a.found) << a.status;
  }
  EXPECT_EQ(options.block_cache->GetStats().inserts, 0u);
  EXPECT_EQ(options.block_cache->GetUsage(), 0u);
}

TEST_F(TableMultiGetIOTest, FilteredOutKeysReadNothing) {
  auto table = Open("/io.sst", /*direct=*/true, TableReaderOptions());
  ASSERT_NE(table, nullptr);
  std::vector<std::string> lookups;
  for (int i = 0; lookups.size() < 20 && i < 10000; ++i) {
    const std::string user_key = "absent" + std::to_string(i);
    if (!table->KeyMayMatch(user_key)) {
      lookups.push_back(
          MakeInternalKey(user_key, kMaxSequenceNumber, kValueTypeForSeek));
    }
  }
  ASSERT_EQ(lookups.size(), 20u);
  fs_.recorder().Clear();
  for (const Answer& a : MultiGetAnswers(*table, TableReadOptions(), lookups)) {
    EXPECT_FALSE(a.found);
    EXPECT_EQ(a.status, "OK");
  }
  EXPECT_TRUE(Reads("/io.sst").empty());
}

TEST_F(TableMultiGetIOTest, CorruptBlockFailsOnlyTheKeysThatNeedIt) {
  std::string contents;
  ASSERT_OK(fake_.ReadFileContent("/io.sst", &contents));
  uint64_t bad_offset = 0;
  {
    auto table = Open("/io.sst", /*direct=*/false, TableReaderOptions());
    ASSERT_NE(table, nullptr);
    bad_offset = table->ApproximateOffsetOf(Lookup(7));
  }
  contents[bad_offset + 10] ^= 0x5a;
  ASSERT_OK(fake_.WriteFileContent("/bad.sst", contents));
  for (bool direct : {false, true}) {
    auto table = Open("/bad.sst", direct, TableReaderOptions());
    ASSERT_NE(table, nullptr);
    std::vector<std::string> lookups;
    for (int i = 4; i < 11; ++i) lookups.push_back(Lookup(i));
    const auto answers = MultiGetAnswers(*table, TableReadOptions(), lookups);
    for (size_t i = 0; i < lookups.size(); ++i) {
      const Answer want = GetAnswer(*table, TableReadOptions(), lookups[i]);
      EXPECT_EQ(Describe(answers[i]), Describe(want));
      if (i + 4 == 7) {
        EXPECT_THAT(answers[i].status, HasSubstr("Corruption"));
        EXPECT_THAT(answers[i].status,
                    HasSubstr("/bad.sst @ " + std::to_string(bad_offset)));
      } else {
        EXPECT_TRUE(answers[i].found) << answers[i].status;
      }
    }
  }
}

TEST_F(TableMultiGetIOTest, ReadErrorGoesToTheKeysOfTheBatch) {
  auto table = Open("/io.sst", /*direct=*/false, TableReaderOptions());
  ASSERT_NE(table, nullptr);
  const int rule =
      fs_.AddRule({FileOp::kRead, "/io.sst", /*nth=*/1, Fault::kError});
  const auto answers =
      MultiGetAnswers(*table, TableReadOptions(), {Lookup(1), Lookup(200)});
  EXPECT_EQ(fs_.FireCount(rule), 1u);
  int failed = 0;
  for (const Answer& a : answers) {
    if (a.status != "OK") {
      ++failed;
      EXPECT_THAT(a.status, HasSubstr("/io.sst"));
      EXPECT_FALSE(a.found);
    } else {
      EXPECT_TRUE(a.found);
    }
  }
  EXPECT_EQ(failed, 1);
}

// A lookup below the oldest version of a block's last key is past every
// entry of that block, so Get goes on to the next block; MultiGet must too
// (a second round for those keys), reading the same blocks.
TEST_F(TableMultiGetIOTest, KeyPastItsBlockContinuesIntoTheNextBlockAsGetDoes) {
  auto table = Open("/io.sst", /*direct=*/false, TableReaderOptions());
  ASSERT_NE(table, nullptr);
  std::vector<std::string> lookups;
  for (int i = 20; i < 30; ++i) {
    lookups.push_back(MakeInternalKey(Key(i), 0, kValueTypeForSeek));
  }
  auto offsets = [&]() {
    std::vector<uint64_t> out;
    for (const auto& r : Reads("/io.sst")) out.push_back(r.offset);
    std::sort(out.begin(), out.end());
    return out;
  };
  fs_.recorder().Clear();
  for (const std::string& lookup : lookups) {
    EXPECT_FALSE(GetAnswer(*table, TableReadOptions(), lookup).found);
  }
  const std::vector<uint64_t> by_get = offsets();
  ASSERT_EQ(by_get.size(), 2 * lookups.size());
  fs_.recorder().Clear();
  for (const Answer& a : MultiGetAnswers(*table, TableReadOptions(), lookups)) {
    EXPECT_FALSE(a.found);
    EXPECT_EQ(a.status, "OK");
  }
  EXPECT_EQ(offsets(), by_get);
}

TEST_F(TableMultiGetIOTest, EmptyBatchDoesNothing) {
  auto table = Open("/io.sst", /*direct=*/true, TableReaderOptions());
  ASSERT_NE(table, nullptr);
  fs_.recorder().Clear();
  table->MultiGet(TableReadOptions(), nullptr, 0);
  EXPECT_TRUE(Reads("/io.sst").empty());
}

}  // namespace
}  // namespace strata
