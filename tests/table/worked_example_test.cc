// The worked example of ../shared/spec/sst-format.md section 20: the file
// tiny3_fv5_crc32c_nocomp.sst (apple->red, banana->yellow, cherry->"", all
// Puts with sequence 0, format_version 5, kCRC32c, no compression). Every
// part of it that this layer builds -- data block, index block, metaindex,
// footer, and their trailers -- is rebuilt and compared with the spec's hex
// dump (section 20.1), then read back.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "table/block.h"
#include "table/block_builder.h"
#include "table/block_iter.h"
#include "table/footer.h"
#include "table/index_builder.h"
#include "table/internal_key.h"
#include "table/meta_index.h"
#include "testutil/testutil.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace strata {
namespace {

// Section 20.1, file offsets 0x000-0x05e: data block, its trailer, index
// block, its trailer.
const char kFileStartHex[] =
    "000d036170706c650100000000000000726564000e0662616e616e6101000000"
    "0000000079656c6c6f77000e0063686572727901000000000000000000000001"
    "000000005524e6730006636865727279004300000000010000000090244ae8";
// Offsets 0x3be-0x417: metaindex block, its trailer, the footer.
const char kFileEndHex[] =
    "001203726f636b7364622e70726f706572746965735fda060000000001000000"
    "008f88a79e01be07204812000000000000000000000000000000000000000000"
    "000000000000000000000000000005000000f7cff485b741e288";

constexpr uint64_t kFileSize = 1048;
const BlockHandle kDataHandle(0, 67);
const BlockHandle kIndexHandle(72, 18);
const BlockHandle kPropertiesHandle(95, 858);  // Not built here.
const BlockHandle kMetaindexHandle(958, 32);

// Appends the block and its 5-byte trailer (uncompressed).
void AppendWithTrailer(std::string* file, Slice block, ChecksumType type) {
  file->append(block.data(), block.size());
  file->push_back('\0');
  PutFixed32(file,
             ComputeBlockChecksum(type, block.data(), block.size(), '\0'));
}

struct Parts {
  std::string start;  // Data block + trailer + index block + trailer.
  std::string end;    // Metaindex + trailer + footer.
};

Parts BuildExample(ChecksumType checksum) {
  Parts parts;
  BlockBuilder data(/*restart_interval=*/16);
  const std::string keys[] = {MakeInternalKey("apple", 0, ValueType::kValue),
                              MakeInternalKey("banana", 0, ValueType::kValue),
                              MakeInternalKey("cherry", 0, ValueType::kValue)};
  data.Add(keys[0], "red");
  data.Add(keys[1], "yellow");
  data.Add(keys[2], "");
  const Slice data_block = data.Finish();
  EXPECT_EQ(kDataHandle.size(), data_block.size());
  AppendWithTrailer(&parts.start, data_block, checksum);

  IndexBuilder index(IndexBuilderOptions{});  // format_version 5 defaults.
  EXPECT_OK(index.AddIndexEntry(keys[2], nullptr, kDataHandle));
  const Slice index_block = index.Finish();
  EXPECT_EQ(kIndexHandle.size(), index_block.size());
  EXPECT_EQ(kIndexHandle.offset(), parts.start.size());
  AppendWithTrailer(&parts.start, index_block, checksum);

  MetaIndexBuilder metaindex;
  metaindex.Add(kPropertiesBlockName, kPropertiesHandle);
  AppendWithTrailer(&parts.end, metaindex.Finish(), checksum);

  Footer footer;
  footer.format_version = 5;
  footer.checksum_type = checksum;
  footer.metaindex_handle = kMetaindexHandle;
  footer.index_handle = kIndexHandle;
  EXPECT_OK(footer.EncodeTo(&parts.end));
  return parts;
}

TEST(WorkedExampleTest, RebuildsTheFileByteForByte) {
  const Parts parts = BuildExample(ChecksumType::kCRC32c);
  EXPECT_EQ(kFileStartHex, Slice(parts.start).ToHex());
  EXPECT_EQ(kFileEndHex, Slice(parts.end).ToHex());
  EXPECT_EQ(kFileSize - kMetaindexHandle.offset(), parts.end.size());
}

// The kXXH3 companion file differs only in the checksum byte and the block
// checksums (section 20.2-20.5 give the xxh3 trailers).
TEST(WorkedExampleTest, Xxh3CompanionTrailers) {
  const Parts parts = BuildExample(ChecksumType::kXXH3);
  EXPECT_EQ("00b2739b1a", Slice(parts.start.substr(67, 5)).ToHex());
  EXPECT_EQ("00ab9e578f", Slice(parts.start.substr(90, 5)).ToHex());
  EXPECT_EQ("006ab7c9d9", Slice(parts.end.substr(32, 5)).ToHex());
  EXPECT_EQ(4, parts.end[37]);  // Footer checksum type kXXH3.
}

TEST(WorkedExampleTest, ReadsBackThroughFooterIndexAndDataBlock) {
  const Parts parts = BuildExample(ChecksumType::kCRC32c);
  // A stand-in file: the properties block is not ours, so fill its place.
  std::string file = parts.start;
  file.resize(kMetaindexHandle.offset(), '\0');
  file += parts.end;
  ASSERT_EQ(kFileSize, file.size());

  Footer footer;
  ASSERT_OK(Footer::DecodeFrom(Slice(file).view().substr(file.size() - 53),
                               "tiny3.sst", file.size(), &footer));
  EXPECT_EQ(kIndexHandle, footer.index_handle);
  EXPECT_EQ(kMetaindexHandle, footer.metaindex_handle);

  auto block_at = [&](const BlockHandle& h) {
    std::unique_ptr<Block> block;
    EXPECT_OK(Block::Create(
        BlockContents::Borrow(Slice(file.data() + h.offset(), h.size())),
        &block));
    return block;
  };
  std::unique_ptr<Block> metaindex = block_at(footer.metaindex_handle);
  BlockHandle properties;
  ASSERT_OK(FindMetaBlock(*metaindex, kPropertiesBlockName, &properties));
  EXPECT_EQ(kPropertiesHandle, properties);

  std::unique_ptr<Block> index = block_at(footer.index_handle);
  BlockIter index_iter(index.get(), BlockIterOptions::IndexBlock(
                                        /*key_is_user_key=*/true,
                                        /*value_is_delta_encoded=*/true));
  const std::string target =
      MakeInternalKey("banana", kMaxSequenceNumber, kValueTypeForSeek);
  index_iter.Seek(ExtractUserKey(target));
  ASSERT_TRUE(index_iter.Valid());
  EXPECT_EQ(Slice("cherry"), index_iter.key());
  EXPECT_EQ(kDataHandle, index_iter.handle());

  std::unique_ptr<Block> data = block_at(index_iter.handle());
  BlockIter data_iter(data.get(), BlockIterOptions::DataBlock());
  data_iter.Seek(target);
  ASSERT_TRUE(data_iter.Valid());
  ParsedInternalKey parsed;
  ASSERT_OK(ParseInternalKey(data_iter.key(), &parsed));
  EXPECT_EQ(Slice("banana"), parsed.user_key);
  EXPECT_EQ(0u, parsed.sequence);
  EXPECT_EQ(ValueType::kValue, parsed.type);
  EXPECT_EQ(Slice("yellow"), data_iter.value());
}

}  // namespace
}  // namespace strata
