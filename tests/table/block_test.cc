#include "table/block.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "table/block_builder.h"
#include "table/block_iter.h"
#include "table/internal_key.h"
#include "testutil/testutil.h"
#include "util/aligned_buffer.h"

namespace strata {
namespace {

std::string ThreeEntryBlock(int restart_interval) {
  BlockBuilder builder(restart_interval);
  builder.Add("a", "1");
  builder.Add("b", "2");
  builder.Add("c", "3");
  return builder.Finish().ToString();
}

std::string FirstKey(const Block& block) {
  BlockIter iter(&block, BlockIterOptions::MetaBlock(false));
  iter.SeekToFirst();
  EXPECT_TRUE(iter.Valid());
  return iter.Valid() ? iter.key().ToString() : "";
}

TEST(BlockTest, LocatesRestartArray) {
  const std::string contents = ThreeEntryBlock(2);  // Restarts at a and c.
  std::unique_ptr<Block> block;
  ASSERT_OK(Block::Create(BlockContents::Borrow(contents), &block));
  EXPECT_EQ(contents.size(), block->size());
  EXPECT_EQ(2u, block->num_restarts());
  EXPECT_EQ(15u, block->restarts_offset());  // Three 5-byte entries.
  EXPECT_EQ(0u, block->RestartPoint(0));
  EXPECT_EQ(10u, block->RestartPoint(1));
  EXPECT_FALSE(block->empty());
  EXPECT_FALSE(block->has_hash_index());
  EXPECT_EQ(contents.data(), block->data().data());  // Borrowed, not copied.
}

TEST(BlockTest, LocatesRestartArrayBeforeHashIndex) {
  BlockBuilder builder(1, true, false, DataBlockIndexType::kBinaryAndHash);
  builder.Add(MakeInternalKey("apple", 0, ValueType::kValue), "red");
  builder.Add(MakeInternalKey("banana", 0, ValueType::kValue), "yellow");
  const std::string contents = builder.Finish().ToString();
  std::unique_ptr<Block> block;
  ASSERT_OK(Block::Create(BlockContents::Borrow(contents), &block));
  EXPECT_TRUE(block->has_hash_index());
  EXPECT_EQ(2u, block->num_restarts());
  // 2 keys / 0.75 = 2.67 -> 2 -> odd 3 buckets.
  EXPECT_EQ(3, block->hash_index().num_buckets());
  EXPECT_EQ(contents.size() - 4 - 2 - 3 - 8, block->restarts_offset());
}

TEST(BlockTest, EmptyBlock) {
  std::unique_ptr<Block> block;
  ASSERT_OK(Block::Create(
      BlockContents::Own(BlockBuilder(16).Finish().ToString()), &block));
  EXPECT_TRUE(block->empty());
  EXPECT_EQ(1u, block->num_restarts());
  EXPECT_EQ(0u, block->restarts_offset());
}

TEST(BlockTest, OwnsMovedString) {
  std::string contents = ThreeEntryBlock(16);
  BlockContents owned = BlockContents::Own(std::move(contents));
  EXPECT_TRUE(owned.owns_data());
  BlockContents moved = std::move(owned);  // Still valid after a move.
  std::unique_ptr<Block> block;
  ASSERT_OK(Block::Create(std::move(moved), &block));
  EXPECT_EQ("a", FirstKey(*block));
}

TEST(BlockTest, ShortOwnedStringSurvivesMoves) {
  // Small enough for the string's inline buffer, whose address changes
  // when the string moves.
  std::string contents = BlockBuilder(16).Finish().ToString();
  ASSERT_LE(contents.size(), 15u);
  BlockContents owned = BlockContents::Own(contents);
  BlockContents moved = std::move(owned);
  EXPECT_EQ(Slice(contents), moved.data());
}

TEST(BlockTest, OwnsAlignedMemory) {
  const std::string contents = ThreeEntryBlock(1);
  AlignedBuffer buffer(4096);
  buffer.Allocate(4096);
  buffer.PadWith(100, 'x');  // The block starts 100 bytes into the buffer.
  buffer.Append(contents.data(), contents.size());
  BlockContents owned =
      BlockContents::Own(buffer.Release(), 100, contents.size());
  EXPECT_TRUE(owned.owns_data());
  EXPECT_EQ(Slice(contents), owned.data());
  std::unique_ptr<Block> block;
  ASSERT_OK(Block::Create(std::move(owned), &block));
  EXPECT_EQ(3u, block->num_restarts());
  EXPECT_EQ("a", FirstKey(*block));
}

TEST(BlockTest, BorrowedContentsAreNotOwned) {
  const std::string contents = ThreeEntryBlock(1);
  EXPECT_FALSE(BlockContents::Borrow(contents).owns_data());
  EXPECT_TRUE(BlockContents().data().empty());
}

TEST(BlockTest, FailedCreateLeavesResultUntouched) {
  std::unique_ptr<Block> block;
  ASSERT_OK(Block::Create(BlockContents::Own(ThreeEntryBlock(1)), &block));
  const Block* before = block.get();
  EXPECT_TRUE(Block::Create(BlockContents::Own(std::string("bad")), &block)
                  .IsCorruption());
  EXPECT_EQ(before, block.get());
}

TEST(BlockTest, DeltaHandleValueIsTheStoredBytes) {
  BlockBuilder builder(16, true, /*use_value_delta_encoding=*/true);
  const BlockHandle first(0, 100);
  const BlockHandle second(105, 98);
  std::string delta;
  EncodeHandleSizeDelta(second, first, &delta);
  const Slice no_delta;
  const Slice delta_slice(delta);
  builder.Add("ka", first.Encode(), &no_delta);
  builder.Add("kb", second.Encode(), &delta_slice);
  std::unique_ptr<Block> block;
  ASSERT_OK(
      Block::Create(BlockContents::Own(builder.Finish().ToString()), &block));
  BlockIter iter(block.get(), BlockIterOptions::IndexBlock(true, true));
  iter.SeekToFirst();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(Slice(first.Encode()), iter.value());
  EXPECT_EQ(first, iter.handle());
  iter.Next();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ("03", iter.value().ToHex());  // zig-zag(-2).
  EXPECT_EQ(second, iter.handle());
}

}  // namespace
}  // namespace strata
