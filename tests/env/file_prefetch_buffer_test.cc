#include "env/file_prefetch_buffer.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "env/io_errors.h"
#include "env/posix_file_system.h"
#include "strata/thread_pool.h"
#include "testutil/held_executor.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

constexpr size_t kKiB = 1024;
constexpr size_t kMiB = 1024 * 1024;

class FilePrefetchBufferTest : public ::testing::TestWithParam<size_t> {
 protected:
  FilePrefetchBufferTest() : fake_(Options(GetParam())), fs_(&fake_) {}
  static FakeFileSystem::Options Options(size_t a) {
    FakeFileSystem::Options o;
    o.offset_alignment = a;
    return o;
  }
  size_t a() const { return GetParam(); }
  // Compaction-mode readahead of `bytes`, in the background on `executor`
  // if given.
  static FilePrefetchBufferOptions CompactionReadahead(
      size_t bytes, Executor* executor = nullptr) {
    FilePrefetchBufferOptions o;
    o.mode = ReadaheadMode::kCompaction;
    o.readahead_bytes = bytes;
    o.executor = executor;
    return o;
  }

  void MakeFile(size_t size, uint64_t seed = 1) {
    test::Random rnd(seed);
    content_ = rnd.RandomBytes(size);
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fs_.NewWritableFile("/p.sst", FileOptions(), &file));
    ASSERT_OK(file->Append(content_));
    ASSERT_OK(file->Close());
    FileOptions fo;
    fo.use_direct_reads = true;
    std::unique_ptr<RandomAccessFile> raf;
    ASSERT_OK(fs_.NewRandomAccessFile("/p.sst", fo, &raf));
    reader_ = std::make_unique<RandomAccessFileReader>(std::move(raf));
    fs_.recorder().Clear();
  }

  // (offset, length) of every device read since the last call.
  std::vector<std::pair<uint64_t, uint64_t>> TakeReads() {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    for (const IORecord& r : fs_.recorder().Records()) {
      if (r.op == FileOp::kRead) {
        EXPECT_EQ(r.mode, IOMode::kDirect);
        EXPECT_EQ(r.offset % a(), 0u) << r.ToString();
        EXPECT_EQ(r.length % a(), 0u) << r.ToString();
        out.emplace_back(r.offset, r.length);
      }
    }
    fs_.recorder().Clear();
    return out;
  }

  void ReadAndCheck(FilePrefetchBuffer* pb, uint64_t offset, size_t n) {
    Slice got;
    ASSERT_OK(pb->Read(offset, n, &got));
    const std::string want =
        offset >= content_.size() ? "" : content_.substr(offset, n);
    ASSERT_EQ(got.ToString(), want) << n << " @ " << offset;
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_;
  std::string content_;
  std::unique_ptr<RandomAccessFileReader> reader_;
};

TEST_P(FilePrefetchBufferTest, AutoReadaheadStartsAfterTwoReadsAndDoubles) {
  // Aligned blocks, so every miss starts exactly at the buffer's end.
  const size_t block = std::max(4 * kKiB, a());
  MakeFile(4 * kMiB);
  FilePrefetchBuffer pb(reader_.get(), FilePrefetchBufferOptions());
  std::vector<uint64_t> lengths;
  for (uint64_t offset = 0; offset < 3 * kMiB; offset += block) {
    ReadAndCheck(&pb, offset, block);
    for (auto& r : TakeReads()) {
      lengths.push_back(r.second);
    }
  }
  // Two lone block reads, then block + 8K, +16K, ... capped at +256K.
  std::vector<uint64_t> want = {block, block};
  for (size_t ra = 8 * kKiB; ra < 256 * kKiB; ra *= 2) {
    want.push_back(RoundUp(block + ra, a()));
  }
  while (want.size() < lengths.size()) {
    want.push_back(RoundUp(block + 256 * kKiB, a()));
  }
  EXPECT_EQ(lengths, want);
}

TEST_P(FilePrefetchBufferTest, NonSequentialReadResetsAutoReadahead) {
  const size_t block = std::max(4 * kKiB, a());
  MakeFile(4 * kMiB);
  FilePrefetchBuffer pb(reader_.get(), FilePrefetchBufferOptions());
  for (uint64_t offset = 0; offset < 40 * block; offset += block) {
    ReadAndCheck(&pb, offset, block);
  }
  EXPECT_GT(pb.current_auto_readahead_bytes(), 8 * kKiB);
  TakeReads();
  // Jump far away: the count starts over.
  const uint64_t jump = 2 * kMiB;
  ReadAndCheck(&pb, jump, block);
  ReadAndCheck(&pb, jump + block, block);
  ReadAndCheck(&pb, jump + 2 * block, block);
  auto reads = TakeReads();
  ASSERT_EQ(reads.size(), 3u);
  EXPECT_EQ(reads[0], std::make_pair(jump, uint64_t{block}));
  EXPECT_EQ(reads[1], std::make_pair(jump + block, uint64_t{block}));
  EXPECT_EQ(reads[2], std::make_pair(jump + 2 * block,
                                     RoundUp(block + 8 * kKiB, a())));
}

TEST_P(FilePrefetchBufferTest, ExplicitReadaheadReadsRequestPlusRNoDoubling) {
  MakeFile(2 * kMiB);
  FilePrefetchBufferOptions options;
  options.mode = ReadaheadMode::kExplicit;
  options.readahead_bytes = 64 * kKiB;
  FilePrefetchBuffer pb(reader_.get(), options);
  const size_t block = RoundUp(4 * kKiB, a());
  for (uint64_t offset = 0; offset < kMiB; offset += block) {
    ReadAndCheck(&pb, offset, block);
  }
  for (auto& r : TakeReads()) {
    EXPECT_EQ(r.second, RoundUp(block + 64 * kKiB, a()));
  }
}

// Compaction reads are compaction_readahead_size rounded to the alignment,
// shorter only at the end of the file, even for odd sizes and unaligned,
// odd-sized blocks.
TEST_P(FilePrefetchBufferTest, CompactionReadsAreFixedAlignedChunks) {
  for (size_t readahead : {size_t{1000003}, size_t{2 * kMiB}, size_t{4096}}) {
    MakeFile(5 * kMiB + 12345, readahead);
    const FilePrefetchBufferOptions options =
        CompactionReadahead(readahead);
    FilePrefetchBuffer pb(reader_.get(), options);
    test::Random rnd(readahead);
    uint64_t offset = 0;
    while (offset < content_.size()) {
      const size_t n = 3000 + rnd.Uniform(3000);  // Blocks of odd sizes.
      ReadAndCheck(&pb, offset, n);
      offset += n;
    }
    auto reads = TakeReads();
    ASSERT_GE(reads.size(), 2u);
    const uint64_t chunk = RoundUp(readahead, a());
    // Blocks are at most 6000 bytes: a larger readahead fixes every read's
    // length; a smaller one is stretched by the blocks that exceed it.
    const bool fixed = readahead >= 6000;
    uint64_t expected_offset = 0;
    for (size_t i = 0; i < reads.size(); ++i) {
      EXPECT_EQ(reads[i].first, expected_offset) << "read " << i;
      if (i + 1 < reads.size()) {
        EXPECT_GE(reads[i].second, chunk) << "read " << i;
        if (fixed) {
          EXPECT_EQ(reads[i].second, chunk) << "read " << i;
        }
      } else {
        EXPECT_LE(reads[i].second, std::max<uint64_t>(chunk, 6000 + a()));
      }
      expected_offset = reads[i].first + reads[i].second;
    }
    EXPECT_GE(expected_offset, content_.size());
    // No byte was read twice.
    EXPECT_LE(pb.counters().bytes_read, content_.size());
  }
}

TEST_P(FilePrefetchBufferTest, ReusedChunkIsNeverReadAgain) {
  MakeFile(3 * kMiB + 17);
  FilePrefetchBufferOptions options;
  options.mode = ReadaheadMode::kExplicit;
  options.readahead_bytes = 10000;
  FilePrefetchBuffer pb(reader_.get(), options);
  test::Random rnd(5);
  uint64_t offset = 0;
  while (offset < content_.size()) {
    const size_t n = 1 + rnd.Uniform(9000);
    ReadAndCheck(&pb, offset, n);
    offset += n;
  }
  // Every byte came from the device at most once per refill: the total stays
  // within the file size plus one page per refill.
  const auto& c = pb.counters();
  EXPECT_LE(c.bytes_read, content_.size() + c.read_calls * a());
  auto reads = TakeReads();
  for (size_t i = 1; i < reads.size(); ++i) {
    EXPECT_GE(reads[i].first, reads[i - 1].first + reads[i - 1].second)
        << "read " << i << " overlaps the one before";
  }
}

TEST_P(FilePrefetchBufferTest, OffsetBeforeBufferIsAMiss) {
  MakeFile(kMiB);
  FilePrefetchBufferOptions options;
  options.mode = ReadaheadMode::kExplicit;
  options.readahead_bytes = 64 * kKiB;
  FilePrefetchBuffer pb(reader_.get(), options);
  ReadAndCheck(&pb, 256 * kKiB, 100);
  TakeReads();
  ReadAndCheck(&pb, 256 * kKiB + 1000, 100);  // Hit.
  EXPECT_TRUE(TakeReads().empty());
  ReadAndCheck(&pb, 100 * kKiB, 100);  // Before the buffer: a miss.
  EXPECT_EQ(TakeReads().size(), 1u);
}

TEST_P(FilePrefetchBufferTest, TailPrefetchIsOneReadAndServesTheTail) {
  MakeFile(3 * kMiB + 1234);
  FilePrefetchBuffer pb(reader_.get(), FilePrefetchBufferOptions());
  ASSERT_OK(pb.PrefetchTail(content_.size(), 512 * kKiB));
  auto reads = TakeReads();
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].first, RoundDown(content_.size() - 512 * kKiB, a()));
  // Footer, index and filter reads inside the tail cost no device read.
  ReadAndCheck(&pb, content_.size() - 53, 53);
  ReadAndCheck(&pb, content_.size() - 300 * kKiB, 20000);
  ReadAndCheck(&pb, content_.size() - 10, 100);  // Across EOF: short.
  EXPECT_TRUE(TakeReads().empty());
  EXPECT_EQ(pb.counters().served_bytes, 53u + 20000u + 10u);
}

TEST_P(FilePrefetchBufferTest, CountersSeparateServedAndDiscarded) {
  MakeFile(kMiB);
  FilePrefetchBufferOptions options;
  options.mode = ReadaheadMode::kExplicit;
  options.readahead_bytes = 64 * kKiB;
  {
    FilePrefetchBuffer pb(reader_.get(), options);
    ReadAndCheck(&pb, 0, 4096);
    ReadAndCheck(&pb, 4096, 4096);  // Served from the readahead.
    const auto& c = pb.counters();
    EXPECT_EQ(c.read_calls, 1u);
    EXPECT_EQ(c.bytes_read, RoundUp(4096 + 64 * kKiB, a()));
    EXPECT_EQ(c.prefetched_bytes, c.bytes_read - 4096);
    EXPECT_EQ(c.served_bytes, 4096u);
    EXPECT_EQ(c.discarded_bytes, 0u);
    // A jump drops the readahead that was never served.
    const uint64_t prefetched_before_jump = c.prefetched_bytes;
    ReadAndCheck(&pb, 512 * kKiB, 4096);
    EXPECT_EQ(c.discarded_bytes, prefetched_before_jump - 4096);
  }
}

TEST_P(FilePrefetchBufferTest, FinalCountersIncludeTheUnservedBuffer) {
  MakeFile(kMiB);
  FilePrefetchBufferOptions options;
  options.mode = ReadaheadMode::kExplicit;
  options.readahead_bytes = 64 * kKiB;
  FilePrefetchBuffer pb(reader_.get(), options);
  ReadAndCheck(&pb, 0, 4096);
  ReadAndCheck(&pb, 4096, 4096);
  const FilePrefetchBufferCounters c = pb.counters();
  const FilePrefetchBufferCounters f = pb.FinalCounters();
  EXPECT_EQ(c.discarded_bytes, 0u);
  // Everything read ahead but the 4096 bytes served is still unserved.
  EXPECT_EQ(f.discarded_bytes, c.prefetched_bytes - 4096);
  EXPECT_EQ(f.prefetched_bytes, c.prefetched_bytes);
  EXPECT_EQ(f.served_bytes, c.served_bytes);
  // It only looks: the buffer's own counters are unchanged.
  EXPECT_EQ(pb.counters().discarded_bytes, 0u);
}

// The contract: a result stays valid until the next call that may refill.
// Reads served from the buffer never move it, so earlier results still hold
// their bytes; under AddressSanitizer a move would be a use-after-free.
TEST_P(FilePrefetchBufferTest, HitsKeepEarlierResultsValid) {
  MakeFile(kMiB);
  FilePrefetchBufferOptions options;
  options.mode = ReadaheadMode::kExplicit;
  options.readahead_bytes = 256 * kKiB;
  FilePrefetchBuffer pb(reader_.get(), options);
  std::vector<Slice> held;
  for (uint64_t offset = 0; offset < 200 * kKiB; offset += 5000) {
    Slice got;
    ASSERT_OK(pb.Read(offset, 5000, &got));
    held.push_back(got);
  }
  EXPECT_EQ(pb.counters().read_calls, 1u);
  for (size_t i = 0; i < held.size(); ++i) {
    ASSERT_EQ(held[i].ToString(), content_.substr(i * 5000, 5000)) << i;
  }
  // A refill that needs a larger buffer reallocates; only the newest result
  // is valid afterwards, and it is correct.
  Slice big;
  ASSERT_OK(pb.Read(600 * kKiB, 300 * kKiB, &big));
  EXPECT_EQ(big.ToString(), content_.substr(600 * kKiB, 300 * kKiB));
}

TEST_P(FilePrefetchBufferTest, ErrorIsReturnedAndBufferRecovers) {
  MakeFile(kMiB);
  FaultRule rule;
  rule.op = FileOp::kRead;
  rule.path_pattern = "/p.sst";
  rule.nth = 2;
  fs_.AddRule(rule);
  const FilePrefetchBufferOptions options =
      CompactionReadahead(64 * kKiB);
  FilePrefetchBuffer pb(reader_.get(), options);
  ReadAndCheck(&pb, 0, 100);
  Slice got;
  Status s = pb.Read(200 * kKiB, 100, &got);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(got.empty());
  ReadAndCheck(&pb, 200 * kKiB, 100);  // The rule fired once.
}

// --- Background readahead ---------------------------------------------------

// A thread pool that counts what it is given.
class CountingPool : public Executor {
 public:
  CountingPool() { pool_.SetBackgroundThreads(1); }
  void Submit(std::function<void()> task) override {
    ++submitted_;
    pool_.Submit(std::move(task));
  }
  size_t submitted() const { return submitted_; }

 private:
  ThreadPool pool_;
  std::atomic<size_t> submitted_{0};
};

TEST_P(FilePrefetchBufferTest, BackgroundCompactionChunksFollowTheBuffer) {
  for (size_t readahead : {size_t{1000003}, size_t{64 * kKiB}}) {
    MakeFile(5 * kMiB + 12345, readahead);
    CountingPool pool;
    const FilePrefetchBufferOptions options =
        CompactionReadahead(readahead, &pool);
    uint64_t reads_counted = 0;
    {
      FilePrefetchBuffer pb(reader_.get(), options);
      test::Random rnd(readahead);
      uint64_t offset = 0;
      while (offset < content_.size()) {
        const size_t n = 3000 + rnd.Uniform(3000);  // Blocks of odd sizes.
        ReadAndCheck(&pb, offset, n);
        offset += n;
      }
      reads_counted = pb.FinalCounters().read_calls;
    }
    auto reads = TakeReads();
    // One synchronous read, then every chunk read in the background: the
    // same fixed, contiguous, aligned chunks as without the executor.
    ASSERT_GE(reads.size(), 3u);
    EXPECT_EQ(pool.submitted(), reads.size() - 1);
    EXPECT_EQ(reads_counted, reads.size());
    const uint64_t chunk = RoundUp(readahead, a());
    uint64_t expected_offset = 0;
    for (size_t i = 0; i + 1 < reads.size(); ++i) {
      EXPECT_EQ(reads[i].first, expected_offset) << "read " << i;
      EXPECT_EQ(reads[i].second, chunk) << "read " << i;
      expected_offset += reads[i].second;
    }
    EXPECT_EQ(reads.back().first, expected_offset);
  }
}

TEST_P(FilePrefetchBufferTest, BackgroundAutoReadaheadServesEveryByteOnce) {
  // Sequential runs of odd-sized blocks broken by seeks; every result
  // matches the file, and the counters add up to what the device read.
  MakeFile(3 * kMiB + 777, 5);
  CountingPool pool;
  FilePrefetchBufferOptions options;
  options.executor = &pool;
  FilePrefetchBufferCounters final_counters;
  {
    FilePrefetchBuffer pb(reader_.get(), options);
    test::Random rnd(9);
    uint64_t offset = 0;
    for (int i = 0; i < 3000; ++i) {
      if (rnd.OneIn(200)) offset = rnd.Uniform(content_.size());
      const size_t n = 1000 + rnd.Uniform(6000);
      ReadAndCheck(&pb, offset, n);
      offset += n;
      if (offset >= content_.size()) offset = 0;
    }
    final_counters = pb.FinalCounters();
  }
  uint64_t returned_bytes = 0;
  size_t reads = 0;
  for (const IORecord& r : fs_.recorder().Records()) {
    if (r.op != FileOp::kRead) continue;
    ++reads;
    returned_bytes += r.result_length;
  }
  EXPECT_GT(pool.submitted(), 10u);
  EXPECT_EQ(final_counters.read_calls, reads);
  EXPECT_EQ(final_counters.bytes_read, returned_bytes);
  // Every byte read was either served, or read ahead and discarded, or was
  // part of a missed request (not readahead).
  EXPECT_LE(final_counters.prefetched_bytes, final_counters.bytes_read);
  EXPECT_LE(final_counters.discarded_bytes, final_counters.prefetched_bytes);
}

TEST_P(FilePrefetchBufferTest, BackgroundChunksSwapTwoBuffers) {
  // Steady background readahead reads each chunk into the buffer the one
  // before it replaced: no allocation per chunk (a fresh one costs a page
  // fault per page during the read).
  MakeFile(6 * kMiB + 321, 7);
  CountingPool pool;
  {
    const FilePrefetchBufferOptions options =
        CompactionReadahead(64 * kKiB, &pool);
    FilePrefetchBuffer pb(reader_.get(), options);
    for (uint64_t offset = 0; offset < content_.size(); offset += 4100) {
      ReadAndCheck(&pb, offset, 4100);
    }
    EXPECT_GT(pool.submitted(), 90u);
    // The synchronous first read's buffer and the first chunk's.
    EXPECT_EQ(pb.buffer_allocations(), 2u);
  }
  {
    // Auto readahead grows 8 KiB -> 256 KiB: a new buffer per size until it
    // settles, then none, across seeks too.
    FilePrefetchBufferOptions options;
    options.executor = &pool;
    FilePrefetchBuffer pb(reader_.get(), options);
    for (uint64_t start : {uint64_t{0}, uint64_t{3 * kMiB}}) {
      for (uint64_t offset = start; offset < start + 3 * kMiB;
           offset += 4100) {
        ReadAndCheck(&pb, offset, 4100);
      }
    }
    EXPECT_LE(pb.buffer_allocations(), 10u);
    EXPECT_GT(pb.counters().read_calls, 20u);
  }
}

TEST_P(FilePrefetchBufferTest, BackgroundChunkStitchesAStraddlingBlock) {
  MakeFile(kMiB);
  test::HeldExecutor executor;
  const FilePrefetchBufferOptions options =
      CompactionReadahead(64 * kKiB, &executor);
  FilePrefetchBuffer pb(reader_.get(), options);
  ReadAndCheck(&pb, 0, 5000);
  EXPECT_EQ(executor.submitted(), 1u);  // [64K, 128K) is next.
  executor.RunAll();
  EXPECT_EQ(TakeReads().size(), 2u);
  // Starts in the first chunk, ends in the second: stitched, not re-read.
  ReadAndCheck(&pb, 64 * kKiB - 1000, 5000);
  EXPECT_TRUE(TakeReads().empty());
  EXPECT_EQ(executor.submitted(), 2u);  // [128K, 192K) is next.
  ReadAndCheck(&pb, 64 * kKiB + 4000, 3000);  // From the second chunk.
  executor.RunAll();
  ReadAndCheck(&pb, 128 * kKiB, 100);
  EXPECT_EQ(pb.counters().read_calls, 3u);
  EXPECT_EQ(TakeReads().size(), 1u);
  // A seek elsewhere drops the chunk in flight ([192K, 256K)) and reads
  // synchronously.
  executor.RunAll();
  ReadAndCheck(&pb, 700 * kKiB, 100);
  EXPECT_GE(pb.counters().discarded_bytes, 64 * kKiB);
  executor.RunAll();  // The destructor waits for the chunk in flight.
}

TEST_P(FilePrefetchBufferTest, ChunkNoThreadStartedIsReadByTheCaller) {
  // An executor that never gets to the tasks: every chunk is read by the
  // scan itself when it needs it, once, and the late tasks do nothing, even
  // after the buffer is gone.
  MakeFile(kMiB + 999);
  test::HeldExecutor executor;
  FilePrefetchBufferCounters counters;
  {
    const FilePrefetchBufferOptions options =
        CompactionReadahead(64 * kKiB, &executor);
    FilePrefetchBuffer pb(reader_.get(), options);
    for (uint64_t offset = 0; offset < content_.size(); offset += 3000) {
      ReadAndCheck(&pb, offset, 3000);
    }
    counters = pb.FinalCounters();
  }
  const auto reads = TakeReads();
  EXPECT_GE(executor.submitted(), 15u);
  // The synchronous first read, then each chunk once, in file order.
  ASSERT_EQ(reads.size(), executor.submitted() + 1);
  for (size_t i = 1; i < reads.size(); ++i) {
    EXPECT_EQ(reads[i].first, reads[i - 1].first + reads[i - 1].second);
  }
  EXPECT_EQ(counters.read_calls, reads.size());
  executor.RunAll();
  EXPECT_TRUE(TakeReads().empty());
}

TEST_P(FilePrefetchBufferTest, DroppedChunkNoThreadStartedIsNeverRead) {
  MakeFile(kMiB);
  test::HeldExecutor executor;
  const FilePrefetchBufferOptions options =
      CompactionReadahead(64 * kKiB, &executor);
  FilePrefetchBuffer pb(reader_.get(), options);
  ReadAndCheck(&pb, 0, 100);
  EXPECT_EQ(executor.submitted(), 1u);  // [64K, 128K), not started.
  EXPECT_EQ(TakeReads().size(), 1u);
  ReadAndCheck(&pb, 704 * kKiB, 100);  // A seek elsewhere drops it.
  executor.RunAll();
  const auto reads = TakeReads();
  ASSERT_EQ(reads.size(), 2u);  // Only the new position and its chunk.
  EXPECT_EQ(reads[0].first, 704 * kKiB);
  EXPECT_EQ(reads[1].first, reads[0].first + reads[0].second);
  // Only the first buffer's unserved bytes: the dropped chunk never came.
  EXPECT_EQ(pb.counters().discarded_bytes, 64 * kKiB - 100);
}

TEST_P(FilePrefetchBufferTest, FinalCountersGiveUpAChunkNoThreadStarted) {
  MakeFile(kMiB);
  test::HeldExecutor executor;
  const FilePrefetchBufferOptions options =
      CompactionReadahead(64 * kKiB, &executor);
  FilePrefetchBuffer pb(reader_.get(), options);
  ReadAndCheck(&pb, 0, 100);
  EXPECT_EQ(TakeReads().size(), 1u);
  const FilePrefetchBufferCounters f = pb.FinalCounters();
  EXPECT_EQ(f.read_calls, 1u);  // The chunk in flight never came.
  executor.RunAll();
  EXPECT_TRUE(TakeReads().empty());
  // Reading on past the buffer still works, synchronously.
  ReadAndCheck(&pb, 64 * kKiB + 10, 100);
  const auto reads = TakeReads();
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].first, RoundDown(64 * kKiB + 10, a()));
  executor.RunAll();
}

TEST_P(FilePrefetchBufferTest, FailedBackgroundChunkFallsBackToARead) {
  MakeFile(kMiB);
  FaultRule rule;
  rule.op = FileOp::kRead;
  rule.path_pattern = "/p.sst";
  rule.nth = 2;  // The background chunk.
  fs_.AddRule(rule);
  test::HeldExecutor executor;
  const FilePrefetchBufferOptions options =
      CompactionReadahead(64 * kKiB, &executor);
  FilePrefetchBuffer pb(reader_.get(), options);
  ReadAndCheck(&pb, 0, 100);
  executor.RunAll();  // Fails.
  // The caller's own read succeeds (the rule fired once).
  ReadAndCheck(&pb, 64 * kKiB + 10, 100);
  executor.RunAll();  // The destructor waits for the chunk in flight.
}

INSTANTIATE_TEST_SUITE_P(Alignments, FilePrefetchBufferTest,
                         ::testing::Values(512, 4096, 16384),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return "Align" + std::to_string(info.param);
                         });

TEST(FilePrefetchBufferRealDiskTest, DirectScanWithAutoReadahead) {
  test::ScratchDir dir;
  const std::string why = test::DirectIOUnavailableReason(dir.path());
  if (!why.empty()) GTEST_SKIP() << why;
  auto posix = NewPosixFileSystem();
  test::Random rnd(9);
  const std::string content = rnd.RandomBytes(3 * kMiB + 999);
  const std::string path = dir.Join("scan.sst");
  {
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(posix->NewWritableFile(path, FileOptions(), &file));
    ASSERT_OK(file->Append(content));
    ASSERT_OK(file->Close());
  }
  FileOptions fo;
  fo.use_direct_reads = true;
  std::unique_ptr<RandomAccessFile> raf;
  ASSERT_OK(posix->NewRandomAccessFile(path, fo, &raf));
  RandomAccessFileReader reader(std::move(raf));
  FilePrefetchBuffer pb(&reader, FilePrefetchBufferOptions());
  uint64_t offset = 0;
  while (offset < content.size()) {
    const size_t n = 3500 + rnd.Uniform(1200);
    Slice got;
    ASSERT_OK(pb.Read(offset, n, &got));
    ASSERT_EQ(got.ToString(), content.substr(offset, n)) << offset;
    offset += n;
  }
  // Readahead made the scan take far fewer reads than blocks.
  EXPECT_LT(pb.counters().read_calls, content.size() / 4096 / 8);
}

}  // namespace
}  // namespace strata
