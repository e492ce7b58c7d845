#include "table/block_fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "env/fake_file_system.h"
#include "table/block_builder.h"
#include "table/internal_key.h"
#include "testutil/testutil.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// A file of uncompressed blocks with XXH3 trailers, and their handles.
class BlockFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int b = 0; b < 3; ++b) {
      BlockBuilder builder(16);
      for (int i = 0; i < 20; ++i) {
        const std::string user_key =
            "block" + std::to_string(b) + "key" + std::to_string(100 + i);
        builder.Add(MakeInternalKey(user_key, 1, ValueType::kValue),
                    std::string(30, static_cast<char>('a' + b)));
      }
      const std::string block = builder.Finish().ToString();
      handles_.emplace_back(content_.size(), block.size());
      blocks_.push_back(block);
      content_ += block;
      content_.push_back('\0');  // No compression.
      PutFixed32(&content_,
                 ComputeBlockChecksum(ChecksumType::kXXH3, block.data(),
                                      block.size(), '\0'));
    }
    ASSERT_OK(fake_.WriteFileContent("/blocks", content_));
  }

  std::unique_ptr<RandomAccessFileReader> OpenFile(bool direct, bool mmap) {
    FileOptions fo;
    fo.use_direct_reads = direct;
    fo.use_mmap_reads = mmap;
    std::unique_ptr<RandomAccessFile> file;
    EXPECT_OK(fake_.NewRandomAccessFile("/blocks", fo, &file));
    return std::make_unique<RandomAccessFileReader>(std::move(file));
  }

  BlockFetchOptions Options() const {
    BlockFetchOptions o;
    o.checksum_type = ChecksumType::kXXH3;
    o.file_size = content_.size();
    return o;
  }

  FakeFileSystem fake_;
  std::string content_;
  std::vector<std::string> blocks_;
  std::vector<BlockHandle> handles_;
};

// Buffered reads land in the caller's buffer, which the block borrows; the
// next read reuses the same memory.
TEST_F(BlockFetcherTest, TransientReadBorrowsTheReusedBuffer) {
  auto file = OpenFile(false, false);
  AlignedBuffer buffer(alignof(std::max_align_t));
  const char* first_address = nullptr;
  for (size_t round = 0; round < 2; ++round) {
    for (size_t b = 0; b < blocks_.size(); ++b) {
      BlockContents contents;
      ASSERT_OK(ReadBlockContentsTransient(*file, Options(), handles_[b],
                                           &buffer, &contents));
      EXPECT_FALSE(contents.owns_data());
      EXPECT_EQ(blocks_[b], contents.data().ToString());
      EXPECT_EQ(buffer.data(), contents.data().data());
      if (first_address == nullptr) first_address = buffer.data();
      EXPECT_EQ(first_address, buffer.data()) << "reallocated";
    }
  }
}

// An mmap file needs no buffer at all: the block borrows the mapping.
TEST_F(BlockFetcherTest, TransientReadOfMmapFileBorrowsTheMapping) {
  auto file = OpenFile(false, true);
  AlignedBuffer buffer(alignof(std::max_align_t));
  BlockContents contents;
  ASSERT_OK(ReadBlockContentsTransient(*file, Options(), handles_[1], &buffer,
                                       &contents));
  EXPECT_FALSE(contents.owns_data());
  EXPECT_EQ(blocks_[1], contents.data().ToString());
  EXPECT_NE(buffer.data(), contents.data().data());
}

// A direct read lands in the reused buffer too, realigned for the file once
// and then reused: the block borrows it.
TEST_F(BlockFetcherTest, TransientReadOfDirectFileBorrowsTheAlignedBuffer) {
  auto file = OpenFile(true, false);
  AlignedBuffer buffer(alignof(std::max_align_t));
  BlockContents contents;
  ASSERT_OK(ReadBlockContentsTransient(*file, Options(), handles_[2], &buffer,
                                       &contents));
  EXPECT_FALSE(contents.owns_data());
  EXPECT_EQ(blocks_[2], contents.data().ToString());
  EXPECT_GE(buffer.alignment(), file->alignment().both());
  EXPECT_GE(contents.data().data(), buffer.data());
  EXPECT_LE(contents.data().data() + contents.data().size(),
            buffer.data() + buffer.capacity());
  const char* memory = buffer.data();
  ASSERT_OK(ReadBlockContentsTransient(*file, Options(), handles_[1], &buffer,
                                       &contents));
  EXPECT_EQ(blocks_[1], contents.data().ToString());
  EXPECT_EQ(memory, buffer.data());
}

TEST_F(BlockFetcherTest, TransientReadReportsCorruptionWithFileAndOffset) {
  std::string bad = content_;
  bad[handles_[1].offset() + 7] ^= 0x20;
  ASSERT_OK(fake_.WriteFileContent("/blocks", bad));
  auto file = OpenFile(false, false);
  AlignedBuffer buffer(alignof(std::max_align_t));
  BlockContents contents;
  Status s = ReadBlockContentsTransient(*file, Options(), handles_[1], &buffer,
                                        &contents);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(),
              HasSubstr("/blocks @ " + std::to_string(handles_[1].offset())));
  EXPECT_THAT(s.ToString(), HasSubstr("checksum mismatch"));
  // Past the end of the file.
  BlockFetchOptions short_file = Options();
  short_file.file_size = handles_[2].offset() + 10;
  s = ReadBlockContentsTransient(*file, short_file, handles_[2], &buffer,
                                 &contents);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("past the end of the file"));
}

}  // namespace
}  // namespace strata
