#include "table/meta_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "table/block.h"
#include "table/block_builder.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Block> Parse(Slice contents) {
  std::unique_ptr<Block> block;
  EXPECT_OK(Block::Create(BlockContents::Own(contents.ToString()), &block));
  return block;
}

// ../shared/spec/sst-format.md section 20.5.
TEST(MetaIndexTest, WorkedExampleBytes) {
  MetaIndexBuilder builder;
  builder.Add(kPropertiesBlockName, BlockHandle(95, 858));
  const Slice block = builder.Finish();
  EXPECT_EQ(32u, block.size());
  EXPECT_EQ(
      "001203"
      "726f636b7364622e70726f70657274696573"
      "5fda06"
      "00000000"
      "01000000",
      block.ToHex());
}

TEST(MetaIndexTest, NamesAreSortedAndEveryEntryIsARestart) {
  MetaIndexBuilder builder;
  builder.Add("rocksdb.range_del", BlockHandle(300, 20));
  builder.Add(kPropertiesBlockName, BlockHandle(200, 90));
  builder.Add("fullfilter.rocksdb.BuiltinBloomFilter", BlockHandle(72, 69));
  std::unique_ptr<Block> block = Parse(builder.Finish());
  EXPECT_EQ(3u, block->num_restarts());  // Restart interval 1.
  std::map<std::string, BlockHandle> entries;
  ASSERT_OK(ReadMetaIndex(*block, &entries));
  ASSERT_EQ(3u, entries.size());
  auto it = entries.begin();
  EXPECT_EQ("fullfilter.rocksdb.BuiltinBloomFilter", it->first);
  EXPECT_EQ(BlockHandle(72, 69), it->second);
  ++it;
  EXPECT_EQ("rocksdb.properties", it->first);
  ++it;
  EXPECT_EQ("rocksdb.range_del", it->first);
  EXPECT_EQ(BlockHandle(300, 20), it->second);
  // Stored order is bytewise too: the first entry is the filter.
  EXPECT_EQ(0u, block->RestartPoint(0));
  EXPECT_EQ('f', block->data()[3]);
}

TEST(MetaIndexTest, FindMetaBlock) {
  MetaIndexBuilder builder;
  builder.Add(kPropertiesBlockName, BlockHandle(95, 858));
  builder.Add(kRangeDelBlockName, BlockHandle(900, 40));
  std::unique_ptr<Block> block = Parse(builder.Finish());
  BlockHandle handle;
  ASSERT_OK(FindMetaBlock(*block, kRangeDelBlockName, &handle));
  EXPECT_EQ(BlockHandle(900, 40), handle);
  ASSERT_OK(FindMetaBlock(*block, "rocksdb.properties", &handle));
  EXPECT_EQ(BlockHandle(95, 858), handle);
  Status s = FindMetaBlock(*block, kCompressionDictBlockName, &handle);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_THAT(s.ToString(), HasSubstr("rocksdb.compression_dict"));
  // A prefix of a present name is not that name.
  EXPECT_TRUE(FindMetaBlock(*block, "rocksdb.prop", &handle).IsNotFound());
  EXPECT_TRUE(FindMetaBlock(*block, "zzz", &handle).IsNotFound());
}

TEST(MetaIndexTest, EmptyMetaIndex) {
  MetaIndexBuilder builder;
  std::unique_ptr<Block> block = Parse(builder.Finish());
  std::map<std::string, BlockHandle> entries = {{"stale", BlockHandle()}};
  ASSERT_OK(ReadMetaIndex(*block, &entries));
  EXPECT_TRUE(entries.empty());
  BlockHandle handle;
  EXPECT_TRUE(
      FindMetaBlock(*block, kPropertiesBlockName, &handle).IsNotFound());
}

TEST(MetaIndexTest, UnsortedNamesAreCorruption) {
  BlockBuilder raw(1);
  raw.Add("b", BlockHandle(1, 1).Encode());
  raw.Add("a", BlockHandle(2, 2).Encode());
  std::unique_ptr<Block> block = Parse(raw.Finish());
  std::map<std::string, BlockHandle> entries;
  Status s = ReadMetaIndex(*block, &entries);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("does not sort after"));
}

TEST(MetaIndexTest, MalformedHandleIsCorruption) {
  BlockBuilder raw(1);
  raw.Add(kPropertiesBlockName, "\xff\xff");
  std::unique_ptr<Block> block = Parse(raw.Finish());
  std::map<std::string, BlockHandle> entries;
  EXPECT_TRUE(ReadMetaIndex(*block, &entries).IsCorruption());
  BlockHandle handle;
  EXPECT_TRUE(
      FindMetaBlock(*block, kPropertiesBlockName, &handle).IsCorruption());
}

}  // namespace
}  // namespace strata
