#include "table/decode_ahead.h"

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "strata/thread_pool.h"
#include "table/block_iter.h"
#include "table/table_iterator.h"
#include "table_files.h"
#include "testutil/held_executor.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// Runs every task as it is submitted, on the submitting thread.
class InlineExecutor : public Executor {
 public:
  void Submit(std::function<void()> task) override {
    ++submitted_;
    task();
  }
  size_t submitted() const { return submitted_; }

 private:
  size_t submitted_ = 0;
};

struct Entry {
  std::string key;
  std::string value;
};

class DecodeAheadTest : public ::testing::TestWithParam<CompressionType> {
 protected:
  // 3000 entries in blocks of about 512 bytes: a hundred-odd data blocks.
  void SetUp() override {
    test::Random rnd(7);
    for (int i = 0; i < 3000; ++i) {
      char key[16];
      std::snprintf(key, sizeof(key), "key%08d", i);
      // Half repeated bytes, so zstd has something to squeeze.
      std::string value = rnd.RandomBytes(20) + std::string(20, 'v');
      entries_.push_back({MakeInternalKey(key, 100 + i, ValueType::kValue),
                          std::move(value)});
    }
    TableBuilderOptions o;
    o.block_size = 512;
    o.compression = GetParam();
    ASSERT_OK(test::WriteTableFile(&fake_, "/t.sst", o, entries_));
    ASSERT_OK(Open(&table_));
    BlockIter index(&table_->index_block(), table_->IndexIterOptions());
    for (index.SeekToFirst(); index.Valid(); index.Next()) {
      handles_.push_back(index.handle());
    }
    ASSERT_GT(handles_.size(), 50u);
  }

  Status Open(std::unique_ptr<TableReader>* table) {
    return test::OpenTableFile(&fake_, "/t.sst", /*direct=*/false,
                               TableReaderOptions(), table);
  }

  // Compaction reads through `executor`, `readahead` bytes at a time (4 KiB:
  // several chunks per table, read in the background on `executor` too; 0:
  // no readahead, so the pipeline submits the only tasks), decoding `ahead`
  // bytes ahead.
  static TableReadOptions CompactionOptions(Executor* executor, size_t ahead,
                                            size_t readahead = 4096) {
    TableReadOptions o;
    o.for_compaction = true;
    o.compaction_readahead_bytes = readahead;
    o.fill_cache = false;
    o.readahead_executor = executor;
    o.decode_ahead_bytes = ahead;
    return o;
  }

  // The block at handles_[i], read inline.
  std::string InlineBlock(size_t i) {
    BlockRef block;
    EXPECT_OK(table_->ReadDataBlock(TableReadOptions(), nullptr, handles_[i],
                                    &block));
    return block ? block.get()->data().ToString() : std::string();
  }

  // Takes every block from `pipeline` and checks each against an inline
  // read; then the end.
  void TakeAll(DecodeAhead* pipeline) {
    for (size_t i = 0; i < handles_.size(); ++i) {
      BlockRef block;
      Status s;
      ASSERT_EQ(pipeline->Take(handles_[i], &block, &s),
                DecodeAhead::Result::kBlock)
          << i << " " << s.ToString();
      ASSERT_EQ(block.get()->data().ToString(), InlineBlock(i)) << i;
    }
    BlockRef block;
    Status s;
    EXPECT_EQ(pipeline->Take(BlockHandle(), &block, &s),
              DecodeAhead::Result::kEnd);
  }

  // What a TableIterator scan from SeekToFirst returns, and its status.
  static std::vector<Entry> Scan(TableIterator* it, Status* status) {
    std::vector<Entry> out;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out.push_back({it->key().ToString(), it->value().ToString()});
    }
    *status = it->status();
    return out;
  }

  void ExpectEntries(const std::vector<Entry>& got, size_t n) {
    ASSERT_EQ(got.size(), n);
    for (size_t i = 0; i < n; ++i) {
      ASSERT_EQ(got[i].key, entries_[i].key) << i;
      ASSERT_EQ(got[i].value, entries_[i].value) << i;
    }
  }

  FakeFileSystem fake_;
  std::vector<Entry> entries_;
  std::vector<BlockHandle> handles_;
  std::unique_ptr<TableReader> table_;
};

// Tasks that run at once produce every block ahead of the consumer, which
// gets exactly the blocks an inline read gives, in file order.
TEST_P(DecodeAheadTest, BlocksComeInFileOrderAsReadInline) {
  InlineExecutor executor;
  DecodeAhead pipeline(table_.get(), CompactionOptions(&executor, 2048));
  TakeAll(&pipeline);
  EXPECT_EQ(pipeline.blocks_produced_inline(), 0u);
  // Every data block, plus the end of the index.
  EXPECT_EQ(pipeline.blocks_produced_ahead(), handles_.size() + 1);
  EXPECT_GT(executor.submitted(), 1u);  // Rescheduled as the queue drained.
}

// An executor that never gets to the tasks costs nothing but the tasks:
// the consumer reads every block itself, and tasks that run after the
// pipeline and the table are gone do nothing.
TEST_P(DecodeAheadTest, TasksNoThreadStartsLeaveTheConsumerReadingInline) {
  test::HeldExecutor executor;
  {
    DecodeAhead pipeline(table_.get(), CompactionOptions(&executor, 2048));
    TakeAll(&pipeline);
    EXPECT_EQ(pipeline.blocks_produced_ahead(), 0u);
    EXPECT_EQ(pipeline.blocks_produced_inline(), handles_.size() + 1);
    EXPECT_GE(executor.submitted(), 1u);
  }
  table_.reset();
  executor.RunAll();
}

// The producer stops once the queue holds the budget's worth of decoded
// bytes, and is rescheduled only when the consumer has taken half of them.
TEST_P(DecodeAheadTest, QueueStaysWithinTheBudget) {
  test::HeldExecutor executor;
  const size_t budget = 4 * InlineBlock(0).size();
  DecodeAhead pipeline(table_.get(),
                       CompactionOptions(&executor, budget, /*readahead=*/0));
  ASSERT_EQ(executor.submitted(), 1u);  // Started at construction.
  executor.RunAll();
  const size_t ahead = pipeline.blocks_produced_ahead();
  EXPECT_GE(ahead, 3u);
  EXPECT_LE(ahead, 5u);
  size_t queued = 0;
  for (size_t i = 0; i < ahead; ++i) queued += InlineBlock(i).size();
  EXPECT_GE(queued, budget);
  // Taking one block leaves more than half the budget queued: no new task.
  BlockRef block;
  Status s;
  ASSERT_EQ(pipeline.Take(handles_[0], &block, &s),
            DecodeAhead::Result::kBlock);
  EXPECT_EQ(executor.submitted(), 1u);
  // Taking what was queued (without waiting) eventually asks for more.
  for (size_t i = 1; i < ahead; ++i) {
    ASSERT_EQ(pipeline.Take(handles_[i], &block, &s),
              DecodeAhead::Result::kBlock);
  }
  EXPECT_EQ(executor.submitted(), 2u);
  EXPECT_EQ(pipeline.blocks_produced_inline(), 0u);
  executor.RunAll();
  EXPECT_GT(pipeline.blocks_produced_ahead(), ahead);
}

// A block the consumer does not expect next ends the pipeline.
TEST_P(DecodeAheadTest, UnexpectedHandleSpendsThePipeline) {
  InlineExecutor executor;
  DecodeAhead pipeline(table_.get(), CompactionOptions(&executor, 2048));
  BlockRef block;
  Status s;
  EXPECT_EQ(pipeline.Take(handles_[1], &block, &s),
            DecodeAhead::Result::kMismatch);
  EXPECT_EQ(pipeline.Take(handles_[0], &block, &s),
            DecodeAhead::Result::kMismatch);
  EXPECT_FALSE(block);
}

// A table iterator scanning for a compaction gives the same entries with
// decode-ahead on a real pool as with none, scan after scan, and seeks
// elsewhere still work (they read inline).
TEST_P(DecodeAheadTest, CompactionScanMatchesAndSeeksStillWork) {
  ThreadPool pool;
  pool.SetBackgroundThreads(2);
  for (size_t ahead : {size_t{0}, size_t{600}, size_t{64 << 10}}) {
    SCOPED_TRACE("ahead " + std::to_string(ahead));
    for (int round = 0; round < 5; ++round) {
      TableIterator it(table_.get(), CompactionOptions(&pool, ahead));
      Status s;
      ExpectEntries(Scan(&it, &s), entries_.size());
      ASSERT_OK(s);
      it.Seek(entries_[1234].key);
      ASSERT_TRUE(it.Valid());
      EXPECT_EQ(it.key().ToString(), entries_[1234].key);
      it.Prev();
      ASSERT_TRUE(it.Valid());
      EXPECT_EQ(it.key().ToString(), entries_[1233].key);
      // A second scan part-way, then dropped mid-table.
      it.SeekToFirst();
      for (int i = 0; i < 700 && it.Valid(); ++i) {
        ASSERT_EQ(it.key().ToString(), entries_[i].key);
        it.Next();
      }
      ASSERT_OK(it.status());
    }
  }
}

// A compaction scan takes its blocks from the pipeline only when asked to
// decode ahead (without readahead, the pipeline is the only submitter).
TEST_P(DecodeAheadTest, CompactionScanDecodesAheadOnlyWhenAsked) {
  for (size_t ahead : {size_t{0}, size_t{2048}}) {
    InlineExecutor executor;
    TableIterator it(table_.get(),
                     CompactionOptions(&executor, ahead, /*readahead=*/0));
    Status s;
    ExpectEntries(Scan(&it, &s), entries_.size());
    ASSERT_OK(s);
    if (ahead == 0) {
      EXPECT_EQ(executor.submitted(), 0u);
    } else {
      // About one task per half budget of blocks.
      EXPECT_GT(executor.submitted(), handles_.size() / 4);
    }
  }
}

// A damaged block ends the scan where it lies, with the Corruption (file
// and block offset) an inline read reports, even though the producer met
// it long before the consumer.
TEST_P(DecodeAheadTest, CorruptBlockIsReportedInItsTurn) {
  const size_t bad = handles_.size() / 2;
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/t.sst", &content));
  content[handles_[bad].offset() + 3] ^= 0x20;
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  ASSERT_OK(Open(&table_));
  // Entries before the damaged block.
  size_t before = 0;
  {
    BlockIter index(&table_->index_block(), table_->IndexIterOptions());
    index.SeekToFirst();
    for (size_t b = 0; b < bad; ++b, index.Next()) {
      BlockRef block;
      ASSERT_OK(
          table_->ReadDataBlock(TableReadOptions(), nullptr, index.handle(),
                                &block));
      BlockIter data(block.get(),
                     BlockIterOptions::DataBlock(table_->global_seqno()));
      for (data.SeekToFirst(); data.Valid(); data.Next()) ++before;
    }
  }
  Status inline_status;
  {
    TableIterator it(table_.get(), CompactionOptions(nullptr, 0));
    ExpectEntries(Scan(&it, &inline_status), before);
  }
  ASSERT_TRUE(inline_status.IsCorruption()) << inline_status.ToString();
  EXPECT_THAT(inline_status.ToString(),
              HasSubstr("/t.sst @ " + std::to_string(handles_[bad].offset())));
  InlineExecutor executor;
  TableIterator it(table_.get(), CompactionOptions(&executor, 1 << 20));
  Status s;
  ExpectEntries(Scan(&it, &s), before);
  EXPECT_EQ(s.ToString(), inline_status.ToString());
}

INSTANTIATE_TEST_SUITE_P(Compression, DecodeAheadTest,
                         ::testing::Values(CompressionType::kNoCompression,
                                           CompressionType::kZSTD),
                         [](const auto& info) {
                           return std::string(
                               CompressionTypeFlagName(info.param));
                         });

}  // namespace
}  // namespace strata
