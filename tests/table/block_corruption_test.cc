// Malformed blocks: every one must give a Corruption status or an iteration
// that is still self-consistent, never a crash (run under ASan/UBSan) and
// never a half-decoded entry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "table/block.h"
#include "table/block_builder.h"
#include "table/block_iter.h"
#include "table/internal_key.h"
#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

struct Decoded {
  std::string key;
  std::string value;
  BlockHandle handle;
  bool operator==(const Decoded& o) const {
    return key == o.key && value == o.value && handle == o.handle;
  }
};

Decoded Current(const BlockIter& iter) {
  return {iter.key().ToString(), iter.value().ToString(), iter.handle()};
}

int Compare(const BlockIterOptions& options, Slice a, Slice b) {
  return options.key_order == BlockKeyOrder::kInternalKey
             ? InternalKeyComparator::Compare(a, b)
             : a.compare(b);
}

// Runs every operation over `contents` and checks that the outcome is either
// Corruption or consistent. Returns true if the block was usable.
bool ExerciseBlock(const std::string& contents,
                   const BlockIterOptions& options) {
  std::unique_ptr<Block> block;
  Status s = Block::Create(BlockContents::Borrow(contents), &block);
  if (!s.ok()) {
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    return false;
  }
  std::vector<Decoded> forward;
  BlockIter iter(block.get(), options);
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    forward.push_back(Current(iter));
  }
  if (!iter.status().ok()) {
    EXPECT_TRUE(iter.status().IsCorruption());
    EXPECT_THAT(iter.status().ToString(), HasSubstr("entry at block offset"));
    // Sticky: nothing repositions a failed iterator.
    iter.SeekToFirst();
    EXPECT_FALSE(iter.Valid());
    iter.Seek(forward.empty() ? Slice(std::string(8, '\0'))
                              : Slice(forward[0].key));
    EXPECT_FALSE(iter.Valid());
    EXPECT_TRUE(iter.status().IsCorruption());
    return false;
  }
  // A clean forward pass means every restart point sits on an entry
  // boundary, so the backward pass must see exactly the same entries.
  std::vector<Decoded> backward;
  for (iter.SeekToLast(); iter.Valid(); iter.Prev()) {
    backward.push_back(Current(iter));
  }
  EXPECT_OK(iter.status());
  std::reverse(backward.begin(), backward.end());
  EXPECT_TRUE(forward == backward);

  const bool sorted = std::is_sorted(
      forward.begin(), forward.end(), [&](const Decoded& a, const Decoded& b) {
        return Compare(options, a.key, b.key) < 0;
      });
  for (size_t i = 0; i < forward.size(); ++i) {
    const Slice target = forward[i].key;
    BlockIter seek(block.get(), options);
    seek.Seek(target);
    if (!seek.status().ok()) {
      EXPECT_TRUE(seek.status().IsCorruption());
      continue;
    }
    if (seek.Valid()) {
      EXPECT_GE(Compare(options, seek.key(), target), 0);
      EXPECT_NE(forward.end(),
                std::find(forward.begin(), forward.end(), Current(seek)));
    }
    if (sorted) {
      // Duplicated keys are possible after a flip; the first one wins.
      const auto first =
          std::find_if(forward.begin(), forward.end(), [&](const Decoded& d) {
            return Compare(options, d.key, target) >= 0;
          });
      EXPECT_TRUE(seek.Valid());
      if (seek.Valid()) {
        EXPECT_EQ(first->key, seek.key().ToString());
      }
    }
    seek.SeekForPrev(target);
    if (seek.Valid()) {
      EXPECT_LE(Compare(options, seek.key(), target), 0);
    }
    if (options.key_order == BlockKeyOrder::kInternalKey) {
      BlockIter get(block.get(), options);
      get.SeekForGet(target);
      if (get.Valid()) {
        EXPECT_NE(forward.end(),
                  std::find(forward.begin(), forward.end(), Current(get)));
      } else if (!get.status().ok()) {
        EXPECT_TRUE(get.status().IsCorruption());
      }
    }
  }
  return true;
}

// Every single-byte change and every truncation of `block`.
void MutateEverything(const std::string& block,
                      const BlockIterOptions& options) {
  size_t usable = 0;
  size_t total = 0;
  for (size_t pos = 0; pos < block.size(); ++pos) {
    for (int mask : {0x01, 0x02, 0x10, 0x80, 0xff}) {
      std::string copy = block;
      copy[pos] = static_cast<char>(copy[pos] ^ mask);
      SCOPED_TRACE("byte " + std::to_string(pos) + " ^ " +
                   std::to_string(mask));
      usable += ExerciseBlock(copy, options);
      ++total;
    }
    for (char value : {'\x00', '\x7f', '\xfe'}) {
      std::string copy = block;
      copy[pos] = value;
      SCOPED_TRACE("byte " + std::to_string(pos) + " = " +
                   std::to_string(value));
      usable += ExerciseBlock(copy, options);
      ++total;
    }
  }
  for (size_t len = 0; len < block.size(); ++len) {
    SCOPED_TRACE("truncated to " + std::to_string(len));
    // A copy of just those bytes, so ASan sees any read past them.
    const std::string copy = block.substr(0, len);
    usable += ExerciseBlock(copy, options);
    ++total;
    const std::string tail = block.substr(block.size() - len);
    usable += ExerciseBlock(tail, options);
    ++total;
  }
  // Sanity: the original is fine.
  EXPECT_TRUE(ExerciseBlock(block, options));
  ::testing::Test::RecordProperty(
      "usable_variants", std::to_string(usable) + "/" + std::to_string(total));
}

std::string DataBlock(int restart_interval, DataBlockIndexType type,
                      int num_keys) {
  BlockBuilder builder(restart_interval, true, false, type);
  for (int i = 0; i < num_keys; ++i) {
    std::string user_key = "key" + std::to_string(100 + i);
    if (i % 3 == 0) user_key += std::string("\x00\xff", 2);
    builder.Add(MakeInternalKey(user_key, 1000 - i, ValueType::kValue),
                "v" + std::to_string(i));
  }
  return builder.Finish().ToString();
}

std::string IndexBlock(int restart_interval, bool user_keys, bool delta) {
  BlockBuilder builder(restart_interval, true, delta);
  BlockHandle previous;
  for (int i = 0; i < 12; ++i) {
    const std::string user_key = "sep" + std::to_string(10 + i);
    const std::string key =
        user_keys
            ? user_key
            : MakeInternalKey(user_key, kMaxSequenceNumber, kValueTypeForSeek);
    const BlockHandle handle(i == 0 ? 0 : previous.end_offset_with_trailer(),
                             4000 + (i * 37) % 300);
    std::string d;
    if (i > 0) EncodeHandleSizeDelta(handle, previous, &d);
    const Slice delta_slice(d);
    builder.Add(key, handle.Encode(), &delta_slice);
    previous = handle;
  }
  return builder.Finish().ToString();
}

TEST(BlockCorruptionTest, EveryMutationOfDataBlockRestart1) {
  MutateEverything(DataBlock(1, DataBlockIndexType::kBinarySearch, 12),
                   BlockIterOptions::DataBlock());
}

TEST(BlockCorruptionTest, EveryMutationOfDataBlockRestart4) {
  MutateEverything(DataBlock(4, DataBlockIndexType::kBinarySearch, 20),
                   BlockIterOptions::DataBlock());
}

TEST(BlockCorruptionTest, EveryMutationOfDataBlockWithHashIndex) {
  MutateEverything(DataBlock(2, DataBlockIndexType::kBinaryAndHash, 12),
                   BlockIterOptions::DataBlock());
}

TEST(BlockCorruptionTest, EveryMutationOfDataBlockWithGlobalSeqno) {
  BlockBuilder builder(3);
  for (int i = 0; i < 10; ++i) {
    builder.Add(MakeInternalKey("k" + std::to_string(i), 0, ValueType::kValue),
                "value");
  }
  MutateEverything(builder.Finish().ToString(), BlockIterOptions::DataBlock(9));
}

TEST(BlockCorruptionTest, EveryMutationOfDeltaEncodedUserKeyIndex) {
  MutateEverything(IndexBlock(1, true, true),
                   BlockIterOptions::IndexBlock(true, true));
  MutateEverything(IndexBlock(4, true, true),
                   BlockIterOptions::IndexBlock(true, true));
}

TEST(BlockCorruptionTest, EveryMutationOfInternalKeyIndexWithFullHandles) {
  MutateEverything(IndexBlock(3, false, false),
                   BlockIterOptions::IndexBlock(false, false));
}

TEST(BlockCorruptionTest, EveryMutationOfEmptyBlock) {
  MutateEverything(BlockBuilder(16).Finish().ToString(),
                   BlockIterOptions::DataBlock());
}

// Hand-made malformed blocks with the message each must produce.

Status CreateStatus(const std::string& contents) {
  std::unique_ptr<Block> block;
  return Block::Create(BlockContents::Borrow(contents), &block);
}

std::string Words(std::initializer_list<uint32_t> words) {
  std::string s;
  for (uint32_t w : words) PutFixed32(&s, w);
  return s;
}

TEST(BlockCorruptionTest, BlocksSmallerThanEightBytes) {
  for (size_t n = 0; n < 8; ++n) {
    Status s = CreateStatus(std::string(n, '\x01'));
    ASSERT_TRUE(s.IsCorruption()) << n;
    EXPECT_THAT(s.ToString(), HasSubstr("too small"));
  }
}

TEST(BlockCorruptionTest, ZeroRestartsIsCorruption) {
  Status s = CreateStatus(Words({0, 0}));
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("no restart points"));
}

TEST(BlockCorruptionTest, RestartCountLargerThanBlock) {
  Status s = CreateStatus(Words({0, 0, 3}));
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("3 restart points"));
  EXPECT_TRUE(CreateStatus(Words({0, 0xffffff})).IsCorruption());
  // 0x7fffffff restarts with the hash flag in a small block.
  EXPECT_TRUE(CreateStatus(Words({0, 0xffffffff})).IsCorruption());
}

TEST(BlockCorruptionTest, RestartOffsetsMustStartAtZeroAndIncrease) {
  // Entries region of 8 bytes, then restarts.
  const std::string entries(8, '\0');
  Status s = CreateStatus(entries + Words({4, 1}));
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("restart point 0 is at offset 4"));
  s = CreateStatus(entries + Words({0, 4, 4, 3}));
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("does not follow"));
  s = CreateStatus(entries + Words({0, 8, 2}));
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("not before the restart array"));
  s = CreateStatus(entries + Words({0, 0xfffffff0, 2}));
  EXPECT_TRUE(s.IsCorruption());
}

std::unique_ptr<Block> MustCreate(const std::string& contents) {
  std::unique_ptr<Block> block;
  EXPECT_OK(Block::Create(BlockContents::Own(contents), &block));
  return block;
}

TEST(BlockCorruptionTest, RestartInsideAnEntryIsFoundWhileIterating) {
  // Two bytewise entries "a"->"1" (offset 0, 5 bytes) and "b"->"2" (offset 5);
  // restart 1 claims offset 3, inside the first entry.
  const std::string contents = std::string(
                                   "\x00\x01\x01"
                                   "a1"
                                   "\x00\x01\x01"
                                   "b2",
                                   10) +
                               Words({0, 3, 2});
  std::unique_ptr<Block> block = MustCreate(contents);
  BlockIter iter(block.get(), BlockIterOptions::MetaBlock(false));
  iter.SeekToFirst();
  ASSERT_TRUE(iter.Valid());
  iter.Next();
  EXPECT_FALSE(iter.Valid());
  EXPECT_THAT(iter.status().ToString(), HasSubstr("entry at block offset 5"));
  EXPECT_THAT(iter.status().ToString(), HasSubstr("falls inside"));
}

TEST(BlockCorruptionTest, RestartEntryThatSharesBytes) {
  const std::string contents = std::string(
                                   "\x00\x01\x01"
                                   "a1"
                                   "\x01\x01\x01"
                                   "b2",
                                   10) +
                               Words({0, 5, 2});
  std::unique_ptr<Block> block = MustCreate(contents);
  BlockIter iter(block.get(), BlockIterOptions::MetaBlock(false));
  iter.Seek("b");
  EXPECT_FALSE(iter.Valid());
  EXPECT_THAT(iter.status().ToString(), HasSubstr("entry at block offset 5"));
  BlockIter forward(block.get(), BlockIterOptions::MetaBlock(false));
  forward.SeekToFirst();
  forward.Next();
  EXPECT_FALSE(forward.Valid());
  EXPECT_THAT(forward.status().ToString(), HasSubstr("must be 0"));
}

TEST(BlockCorruptionTest, BadHeaderVarint) {
  const std::string contents = std::string(5, '\xff') + Words({0, 1});
  std::unique_ptr<Block> block = MustCreate(contents);
  BlockIter iter(block.get(), BlockIterOptions::MetaBlock(false));
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  EXPECT_THAT(iter.status().ToString(), HasSubstr("overlong varint"));
  EXPECT_THAT(iter.status().ToString(), HasSubstr("entry at block offset 0"));
}

TEST(BlockCorruptionTest, SharedLongerThanPreviousKey) {
  const std::string contents = std::string(
                                   "\x00\x01\x00"
                                   "a"
                                   "\x05\x01\x00"
                                   "b",
                                   8) +
                               Words({0, 1});
  std::unique_ptr<Block> block = MustCreate(contents);
  BlockIter iter(block.get(), BlockIterOptions::MetaBlock(false));
  iter.SeekToFirst();
  iter.Next();
  EXPECT_FALSE(iter.Valid());
  EXPECT_THAT(iter.status().ToString(),
              HasSubstr("shares 5 bytes with a previous key of only 1"));
}

TEST(BlockCorruptionTest, KeyOrValueRunningPastTheEntries) {
  std::unique_ptr<Block> block = MustCreate(std::string("\x00\x09\x00"
                                                        "a",
                                                        4) +
                                            Words({0, 1}));
  BlockIter iter(block.get(), BlockIterOptions::MetaBlock(false));
  iter.SeekToFirst();
  EXPECT_THAT(iter.status().ToString(), HasSubstr("key delta of 9 bytes"));

  block = MustCreate(std::string("\x00\x01\x09"
                                 "a",
                                 4) +
                     Words({0, 1}));
  BlockIter iter2(block.get(), BlockIterOptions::MetaBlock(false));
  iter2.SeekToFirst();
  EXPECT_THAT(iter2.status().ToString(), HasSubstr("value of 9 bytes"));
}

TEST(BlockCorruptionTest, ShortInternalKey) {
  std::unique_ptr<Block> block = MustCreate(std::string("\x00\x03\x00"
                                                        "abc",
                                                        6) +
                                            Words({0, 1}));
  BlockIter iter(block.get(), BlockIterOptions::DataBlock());
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  EXPECT_THAT(iter.status().ToString(), HasSubstr("internal key of 3 bytes"));
  BlockIter seek(block.get(), BlockIterOptions::DataBlock());
  seek.Seek(MakeInternalKey("a", 0, ValueType::kValue));
  EXPECT_THAT(seek.status().ToString(), HasSubstr("internal key of 3 bytes"));
}

TEST(BlockCorruptionTest, HandleValueWithTrailingBytesOrBadVarint) {
  std::string entry = std::string("\x00\x01", 2);
  entry.push_back(4);  // value_length
  entry += "k";
  entry += BlockHandle(1, 2).Encode() + "xx";
  std::unique_ptr<Block> block = MustCreate(entry + Words({0, 1}));
  BlockIter iter(block.get(), BlockIterOptions::MetaBlock(true));
  iter.SeekToFirst();
  EXPECT_THAT(iter.status().ToString(),
              HasSubstr("2 bytes after its block handle"));

  block = MustCreate(std::string("\x00\x01\x02"
                                 "k\xff\xff",
                                 6) +
                     Words({0, 1}));
  BlockIter bad(block.get(), BlockIterOptions::MetaBlock(true));
  bad.SeekToFirst();
  EXPECT_THAT(bad.status().ToString(), HasSubstr("bad block handle"));
}

TEST(BlockCorruptionTest, DeltaHandleWithNegativeSize) {
  // "ka" -> (0, 3) full; "kb" shares "k" and stores zig-zag(-4) = 7.
  const std::string contents = std::string(
                                   "\x00\x02"
                                   "ka"
                                   "\x00\x03"
                                   "\x01\x01"
                                   "b"
                                   "\x07",
                                   10) +
                               Words({0, 1});
  std::unique_ptr<Block> block = MustCreate(contents);
  BlockIter iter(block.get(), BlockIterOptions::IndexBlock(true, true));
  iter.SeekToFirst();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(BlockHandle(0, 3), iter.handle());
  iter.Next();
  EXPECT_FALSE(iter.Valid());
  EXPECT_THAT(iter.status().ToString(), HasSubstr("out of range"));
}

TEST(BlockCorruptionTest, HashIndexWithBadBucketCount) {
  const std::string entries = std::string(
                                  "\x00\x09\x00"
                                  "a",
                                  4) +
                              std::string("\x01\0\0\0\0\0\0\0", 8);
  // Bucket count 0.
  Status s = CreateStatus(entries + Words({0}) + std::string("\x00\x00", 2) +
                          Words({1u | (1u << 31)}));
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("bucket count 0"));
  // More buckets than bytes.
  s = CreateStatus(entries + Words({0}) + std::string("\xff\xff", 2) +
                   Words({1u | (1u << 31)}));
  EXPECT_TRUE(s.IsCorruption());
  // Buckets fit but leave no room for the restart array.
  s = CreateStatus(entries + Words({0}) + std::string(16, '\xff') +
                   std::string("\x1e\x00", 2) + Words({1u | (1u << 31)}));
  EXPECT_TRUE(s.IsCorruption());
}

TEST(BlockCorruptionTest, HashBucketNamingMissingRestartInterval) {
  BlockBuilder builder(16, true, false, DataBlockIndexType::kBinaryAndHash);
  builder.Add(MakeInternalKey("apple", 0, ValueType::kValue), "red");
  std::string contents = builder.Finish().ToString();
  // One key / 0.75 -> 1 bucket -> odd: 1. Bucket byte sits before the count.
  const size_t bucket = contents.size() - 4 - 2 - 1;
  ASSERT_EQ(0, contents[bucket]);
  contents[bucket] = 7;
  std::unique_ptr<Block> block = MustCreate(contents);
  BlockIter iter(block.get(), BlockIterOptions::DataBlock());
  EXPECT_TRUE(iter.SeekForGet(MakeInternalKey("apple", 0, ValueType::kValue)));
  EXPECT_FALSE(iter.Valid());
  EXPECT_THAT(iter.status().ToString(), HasSubstr("restart interval 7"));
}

TEST(BlockCorruptionTest, NonZeroSequenceWithGlobalSeqno) {
  BlockBuilder builder(16);
  builder.Add(MakeInternalKey("a", 0, ValueType::kValue), "");
  builder.Add(MakeInternalKey("b", 5, ValueType::kValue), "");
  const std::string contents = builder.Finish().ToString();
  std::unique_ptr<Block> block = MustCreate(contents);
  BlockIter iter(block.get(), BlockIterOptions::DataBlock(10));
  iter.SeekToFirst();
  ASSERT_TRUE(iter.Valid());
  iter.Next();
  EXPECT_FALSE(iter.Valid());
  EXPECT_THAT(iter.status().ToString(), HasSubstr("sequence number 5"));
}

TEST(BlockCorruptionTest, AddBlockLocationNamesFileAndBlock) {
  Status s = CreateStatus("xyz");
  Status located = AddBlockLocation(s, "000042.sst", BlockHandle(4096, 3));
  EXPECT_TRUE(located.IsCorruption());
  EXPECT_THAT(
      located.ToString(),
      HasSubstr("Corruption: 000042.sst @ 4096+3: bad block of 3 bytes"));
  EXPECT_OK(AddBlockLocation(Status::OK(), "f", BlockHandle()));
  EXPECT_TRUE(
      AddBlockLocation(Status::IOError("x"), "f", BlockHandle()).IsIOError());
}

}  // namespace
}  // namespace strata
