#include "env/writable_file_writer.h"

#include <cerrno>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "env/file_system_wrapper.h"
#include "env/io_errors.h"
#include "env/posix_file_system.h"
#include "strata/thread_pool.h"
#include "testutil/held_executor.h"
#include "testutil/testutil.h"
#include "util/crc32c.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

constexpr size_t kMiB = 1 << 20;

std::unique_ptr<WritableFileWriter> OpenWriter(
    FileSystem* fs, const std::string& path, bool direct,
    const WritableFileWriterOptions& options) {
  FileOptions file_options;
  file_options.use_direct_writes = direct;
  file_options.kind = FileKind::kTableFlush;
  std::unique_ptr<WritableFile> file;
  Status s = fs->NewWritableFile(path, file_options, &file);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) {
    return nullptr;
  }
  std::unique_ptr<WritableFileWriter> writer;
  s = WritableFileWriter::Create(std::move(file), options, &writer);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return writer;
}

bool IsWriteTo(const IORecord& r, const std::string& path) {
  return r.op == FileOp::kWrite && r.path == path;
}

// Closes a writer on scope exit unless the test already did (Close twice is
// allowed and returns the first status).
struct CloseOnExit {
  WritableFileWriter* writer;
  ~CloseOnExit() {
    if (writer != nullptr) {
      writer->Close().PermitUncheckedError();  // Only matters on failure.
    }
  }
};

// Drives one writer with a random sequence of appends (sizes skewed towards
// the alignment edge cases and up to 3x the buffer), flushes and syncs, then
// closes it, and checks everything the recorder saw against the rules of
// direct-io.md S38-S47 and our decisions.
class WriterScenario {
 public:
  WriterScenario(FaultInjectionFileSystem* fs, std::string path, bool direct,
                 uint64_t seed, Executor* executor = nullptr)
      : fs_(fs),
        path_(std::move(path)),
        direct_(direct),
        executor_(executor),
        rnd_(seed) {}

  // Picks the buffer size from the list the issue names, with A = alignment.
  size_t PickBufferBytes(size_t a) {
    const size_t choices[] = {1,         a - 1,     a,        a + 1,
                              64 << 10,  700 << 10, 1 * kMiB, 1 * kMiB + 1};
    return choices[rnd_.Uniform(std::size(choices))];
  }

  size_t PickAppendBytes(size_t a, size_t buffer_bytes) {
    switch (rnd_.Uniform(10)) {
      case 0:
        return 0;
      case 1:
        return 1;
      case 2:
        return a - 1;
      case 3:
        return a;
      case 4:
        return a + 1;
      case 5:
        // Rarely, a big one: up to three buffers' worth.
        if (rnd_.OneIn(4)) {
          return 1 + rnd_.Uniform(3 * std::max(buffer_bytes, a));
        }
        return rnd_.Uniform(4 * a);
      default:
        return rnd_.Uniform(2 * a);
    }
  }

  // Runs the scenario; with sync_then_crash the file is synced and the FS
  // crashed instead of closing (FakeFileSystem only).
  void Run(FakeFileSystem* fake_for_crash = nullptr) {
    fs_->recorder().Clear();
    WritableFileWriterOptions options;
    // Learn the alignment from a probe file of the same kind.
    size_t a = 0;
    {
      FileOptions fo;
      fo.use_direct_writes = direct_;
      std::unique_ptr<WritableFile> probe;
      ASSERT_OK(fs_->NewWritableFile(path_ + ".probe", fo, &probe));
      a = probe->alignment().offset;
      ASSERT_OK(probe->Close());
      ASSERT_OK(fs_->DeleteFile(path_ + ".probe"));
    }
    options.max_buffer_bytes = PickBufferBytes(a);
    options.compute_file_checksum = true;
    options.executor = executor_;
    SCOPED_TRACE("alignment " + std::to_string(a) + ", max buffer " +
                 std::to_string(options.max_buffer_bytes) +
                 (direct_ ? ", direct" : ", buffered"));
    fs_->recorder().Clear();
    auto writer = OpenWriter(fs_, path_, direct_, options);
    ASSERT_NE(writer, nullptr);
    // A failed assertion returns early: close the writer anyway.
    CloseOnExit close_on_exit{writer.get()};
    const DirectIOAlignment align{a, a};
    if (fake_for_crash != nullptr) {
      // Make the new file's directory entry durable, as the store does.
      std::unique_ptr<Directory> dir;
      ASSERT_OK(fs_->NewDirectory("/", &dir));
      ASSERT_OK(dir->Fsync());
      fs_->recorder().Clear();
    }

    std::string expected;
    const int num_ops = 4 + static_cast<int>(rnd_.Uniform(16));
    uint64_t synced_size = 0;
    for (int op = 0; op < num_ops; ++op) {
      const uint64_t r = rnd_.Uniform(10);
      if (r < 7) {
        const std::string data =
            rnd_.RandomBytes(PickAppendBytes(a, options.max_buffer_bytes));
        ASSERT_OK(writer->Append(data));
        expected += data;
      } else if (r < 9) {
        ASSERT_OK(writer->Flush());
      } else {
        ASSERT_OK(writer->Sync());
        synced_size = expected.size();
      }
      ASSERT_EQ(writer->size(), expected.size());
      CheckNewWrites(align, expected.size());
      if (::testing::Test::HasFatalFailure()) return;
    }

    if (fake_for_crash != nullptr) {
      ASSERT_OK(writer->Sync());
      synced_size = expected.size();
      fake_for_crash->SimulateCrash();
      std::string after;
      ASSERT_OK(fake_for_crash->ReadFileContent(path_, &after));
      ASSERT_GE(after.size(), synced_size);
      ASSERT_EQ(after.substr(0, synced_size), expected.substr(0, synced_size))
          << "synced prefix lost in the crash";
      // The writer's file is gone with the crash; closing reports it.
      writer->Close().PermitUncheckedError();  // Expected to fail.
      return;
    }

    const size_t records_before_close = fs_->recorder().size();
    ASSERT_OK(writer->Close());
    CheckNewWrites(align, expected.size());
    CheckCloseSequence(records_before_close, expected.size());

    // The file holds exactly the appended bytes.
    uint64_t size = 0;
    ASSERT_OK(fs_->GetFileSize(path_, &size));
    ASSERT_EQ(size, expected.size());
    ASSERT_EQ(ReadBack(), expected);

    // Counters add up without over-counting.
    const WritableFileWriterCounters& c = writer->counters();
    EXPECT_EQ(c.logical_bytes, expected.size());
    EXPECT_EQ(c.device_bytes,
              c.logical_bytes + c.padding_bytes + c.rewritten_tail_bytes);
    EXPECT_EQ(c.write_calls,
              fs_->recorder().Count(
                  [&](const IORecord& r) { return IsWriteTo(r, path_); }));
    if (!direct_) {
      EXPECT_EQ(c.padding_bytes, 0u);
      EXPECT_EQ(c.rewritten_tail_bytes, 0u);
    }
    EXPECT_EQ(writer->file_checksum(),
              crc32c::Value(expected.data(), expected.size()));
  }

 private:
  std::string ReadBack() {
    std::unique_ptr<RandomAccessFile> file;
    EXPECT_OK(fs_->NewRandomAccessFile(path_, FileOptions(), &file));
    std::string out;
    if (file == nullptr) return out;
    uint64_t size = 0;
    EXPECT_OK(file->GetFileSize(&size));
    out.resize(size);
    Slice got;
    EXPECT_OK(file->Read(0, size, &got, out.data()));
    return got.ToString();
  }

  // Every write since the last call: aligned (direct), never below the
  // last partial page, never a clean tail written again, never an error.
  void CheckNewWrites(const DirectIOAlignment& align, uint64_t logical_size) {
    std::vector<IORecord> records = fs_->recorder().Records();
    for (size_t i = seen_records_; i < records.size(); ++i) {
      const IORecord& r = records[i];
      if (r.path != path_) continue;
      ASSERT_TRUE(r.ok()) << r.ToString();
      if (r.op != FileOp::kWrite) continue;
      if (direct_) {
        ASSERT_EQ(r.mode, IOMode::kDirect) << r.ToString();
        ASSERT_EQ(r.offset % align.offset, 0u) << r.ToString();
        ASSERT_EQ(r.length % align.offset, 0u) << r.ToString();
        ASSERT_GE(r.buffer_alignment, align.memory) << r.ToString();
        ASSERT_FALSE(r.append) << "direct writes are positional";
        // Never below the last partial page of what was written before.
        ASSERT_GE(r.offset, RoundDown(written_high_water_, align.offset))
            << r.ToString();
      } else {
        ASSERT_EQ(r.offset, written_high_water_) << r.ToString();
      }
      // A write must carry logical bytes that never reached the file.
      const uint64_t logical_end = std::min<uint64_t>(r.offset + r.length,
                                                      logical_size);
      ASSERT_GT(logical_end, written_high_water_)
          << "clean tail written again: " << r.ToString();
      written_high_water_ = logical_end;
    }
    seen_records_ = records.size();
  }

  // Direct Close: [padded write], truncate to the logical size, fsync,
  // close, in this order. Buffered Close: no truncate.
  void CheckCloseSequence(size_t first, uint64_t logical_size) {
    std::vector<IORecord> records = fs_->recorder().Records();
    std::vector<IORecord> during;
    for (size_t i = first; i < records.size(); ++i) {
      if (records[i].path == path_ && records[i].op != FileOp::kFlush) {
        during.push_back(records[i]);
      }
    }
    ASSERT_FALSE(during.empty());
    // Close writes the padded tail, if dirty; with an executor the queued
    // full buffers (all but the one being filled) may also land while Close
    // waits for them.
    size_t i = 0;
    while (i < during.size() && during[i].op == FileOp::kWrite) ++i;
    ASSERT_LE(i, executor_ != nullptr ? WritableFileWriter::kBackgroundBuffers
                                      : 1u);
    if (direct_) {
      ASSERT_LT(i + 2, during.size());
      EXPECT_EQ(during[i].op, FileOp::kTruncate);
      // The recorder keeps a truncate's new size in `offset`.
      EXPECT_EQ(during[i].offset, logical_size) << during[i].ToString();
      EXPECT_EQ(during[i + 1].op, FileOp::kFsync);
      EXPECT_EQ(during[i + 2].op, FileOp::kClose);
      EXPECT_EQ(i + 3, during.size());
    } else {
      ASSERT_LT(i, during.size());
      EXPECT_EQ(during[i].op, FileOp::kClose);
      for (const IORecord& r : during) {
        EXPECT_NE(r.op, FileOp::kTruncate);
      }
    }
  }

  FaultInjectionFileSystem* fs_;
  const std::string path_;
  const bool direct_;
  Executor* const executor_;
  test::Random rnd_;
  size_t seen_records_ = 0;
  uint64_t written_high_water_ = 0;
};

// --- Randomized, in memory --------------------------------------------------

struct FakeParam {
  size_t alignment;
  bool direct;
  int first_seed;
  int num_seeds;
  bool background = false;  // Full buffers written on an executor.
};

class WritableFileWriterRandomTest
    : public ::testing::TestWithParam<FakeParam> {};

TEST_P(WritableFileWriterRandomTest, FileEqualsAppendedStream) {
  const FakeParam p = GetParam();
  for (int seed = p.first_seed; seed < p.first_seed + p.num_seeds; ++seed) {
    FakeFileSystem::Options options;
    options.offset_alignment = p.alignment;
    FakeFileSystem fake(options);
    FaultInjectionFileSystem fs(&fake);
    ThreadPool pool;
    pool.SetBackgroundThreads(1);
    WriterScenario scenario(&fs, "/f.sst", p.direct, seed,
                            p.background ? &pool : nullptr);
    scenario.Run();
    if (HasFailure()) {
      FAIL() << "seed " << seed;
    }
  }
}

TEST_P(WritableFileWriterRandomTest, CrashAfterSyncKeepsSyncedPrefix) {
  const FakeParam p = GetParam();
  // A quarter of the seeds: each one crashes the whole file system.
  for (int seed = p.first_seed; seed < p.first_seed + p.num_seeds / 4;
       ++seed) {
    FakeFileSystem::Options options;
    options.offset_alignment = p.alignment;
    FakeFileSystem fake(options);
    FaultInjectionFileSystem fs(&fake);
    WriterScenario scenario(&fs, "/f.sst", p.direct, seed);
    scenario.Run(&fake);
    if (HasFailure()) {
      FAIL() << "seed " << seed;
    }
  }
}

std::vector<FakeParam> FakeParams() {
  std::vector<FakeParam> params;
  for (size_t a : {512, 4096, 16384}) {
    for (int shard = 0; shard < 4; ++shard) {
      params.push_back({a, true, shard * 250, 250});
    }
    params.push_back({a, false, 0, 250});
    params.push_back({a, true, 1000, 250, /*background=*/true});
    params.push_back({a, false, 1000, 250, /*background=*/true});
  }
  return params;
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, WritableFileWriterRandomTest, ::testing::ValuesIn(FakeParams()),
    [](const ::testing::TestParamInfo<FakeParam>& info) {
      const FakeParam& p = info.param;
      return std::string(p.direct ? "Direct" : "Buffered") +
             (p.background ? "Background" : "") + "_Align" +
             std::to_string(p.alignment) + "_Seeds" +
             std::to_string(p.first_seed) + "to" +
             std::to_string(p.first_seed + p.num_seeds - 1);
    });

// --- Randomized, real disk --------------------------------------------------

class WritableFileWriterRealDiskTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    const std::string why = test::DirectIOUnavailableReason(dir_.path());
    if (!why.empty()) {
      GTEST_SKIP() << why;
    }
  }
  test::ScratchDir dir_;
};

TEST_P(WritableFileWriterRealDiskTest, DirectFileEqualsAppendedStream) {
  auto posix = NewPosixFileSystem();
  FaultInjectionFileSystem fs(posix.get());
  // Shards 0-3 write synchronously, shards 4-5 on a background executor.
  const bool background = GetParam() >= 4;
  ThreadPool pool;
  pool.SetBackgroundThreads(1);
  const int first = GetParam() * 250;
  for (int seed = first; seed < first + 250; ++seed) {
    WriterScenario scenario(&fs, dir_.Join("f.sst"), /*direct=*/true, seed,
                            background ? &pool : nullptr);
    scenario.Run();
    if (HasFailure()) {
      FAIL() << "seed " << seed;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, WritableFileWriterRealDiskTest,
                         ::testing::Range(0, 6),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param >= 4 ? "Background"
                                                              : "") +
                                  "Seeds" + std::to_string(info.param * 250) +
                                  "to" +
                                  std::to_string(info.param * 250 + 249);
                         });

// --- Targeted cases ---------------------------------------------------------

class WritableFileWriterTest : public ::testing::Test {
 protected:
  WritableFileWriterTest() : fake_(MakeOptions()), fs_(&fake_) {}
  static FakeFileSystem::Options MakeOptions() {
    FakeFileSystem::Options o;
    o.offset_alignment = 4096;
    return o;
  }
  std::vector<IORecord> WritesTo(const std::string& path) {
    return fs_.recorder().Records(
        [&](const IORecord& r) { return IsWriteTo(r, path); });
  }
  size_t CountOps(const std::string& path, FileOp op) {
    return fs_.recorder().Count(
        [&](const IORecord& r) { return r.path == path && r.op == op; });
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_;
};

TEST_F(WritableFileWriterTest, ZeroBufferWithDirectWritesIsRejected) {
  FileOptions fo;
  fo.use_direct_writes = true;
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_.NewWritableFile("/z", fo, &file));
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 0;
  std::unique_ptr<WritableFileWriter> writer;
  Status s = WritableFileWriter::Create(std::move(file), options, &writer);
  EXPECT_EQ(s.ToString(),
            "Invalid argument: Direct write requires "
            "writable_file_max_buffer_size > 0");
  EXPECT_EQ(writer, nullptr);
}

TEST_F(WritableFileWriterTest, ZeroBufferBufferedWritesEveryAppendThrough) {
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 0;
  auto writer = OpenWriter(&fs_, "/b", /*direct=*/false, options);
  ASSERT_OK(writer->Append("abc"));
  ASSERT_OK(writer->Append("defg"));
  EXPECT_EQ(WritesTo("/b").size(), 2u);
  ASSERT_OK(writer->Close());
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/b", &content));
  EXPECT_EQ(content, "abcdefg");
}

TEST_F(WritableFileWriterTest, DirectCloseWithoutAppendsTruncatesAndFsyncs) {
  auto writer = OpenWriter(&fs_, "/e", true, WritableFileWriterOptions());
  ASSERT_OK(writer->Close());
  EXPECT_TRUE(WritesTo("/e").empty());
  EXPECT_EQ(CountOps("/e", FileOp::kTruncate), 1u);
  EXPECT_EQ(CountOps("/e", FileOp::kFsync), 1u);
  uint64_t size = 1;
  ASSERT_OK(fs_.GetFileSize("/e", &size));
  EXPECT_EQ(size, 0u);
}

TEST_F(WritableFileWriterTest, DirectWholePagesNeedNoPadding) {
  auto writer = OpenWriter(&fs_, "/w", true, WritableFileWriterOptions());
  ASSERT_OK(writer->Append(std::string(3 * 4096, 'x')));
  ASSERT_OK(writer->Close());
  EXPECT_EQ(writer->counters().padding_bytes, 0u);
  EXPECT_EQ(writer->counters().rewritten_tail_bytes, 0u);
  auto writes = WritesTo("/w");
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].length, 3u * 4096);
}

TEST_F(WritableFileWriterTest, DirectFlushPadsAndCarriesTailOver) {
  auto writer = OpenWriter(&fs_, "/c", true, WritableFileWriterOptions());
  ASSERT_OK(writer->Append(std::string(5000, 'a')));
  ASSERT_OK(writer->Flush());
  // On disk now: two padded pages; the file is longer than its logical size
  // and its end is zeros (S44).
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/c", &content));
  ASSERT_EQ(content.size(), 8192u);
  EXPECT_EQ(content.substr(5000), std::string(8192 - 5000, '\0'));
  ASSERT_OK(writer->Append(std::string(100, 'b')));
  ASSERT_OK(writer->Close());
  auto writes = WritesTo("/c");
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].offset, 0u);
  EXPECT_EQ(writes[0].length, 8192u);
  // The partial page is rewritten at the same aligned offset.
  EXPECT_EQ(writes[1].offset, 4096u);
  EXPECT_EQ(writes[1].length, 4096u);
  const auto& c = writer->counters();
  EXPECT_EQ(c.rewritten_tail_bytes, 5000u - 4096u);
  EXPECT_EQ(c.padding_bytes, (8192u - 5000u) + (4096u - (5100u - 4096u)));
  ASSERT_OK(fake_.ReadFileContent("/c", &content));
  EXPECT_EQ(content, std::string(5000, 'a') + std::string(100, 'b'));
}

TEST_F(WritableFileWriterTest, RepeatedFlushDoesNotRewriteCleanTail) {
  auto writer = OpenWriter(&fs_, "/r", true, WritableFileWriterOptions());
  ASSERT_OK(writer->Append(std::string(100, 'a')));
  ASSERT_OK(writer->Flush());
  ASSERT_OK(writer->Flush());
  ASSERT_OK(writer->Flush());
  EXPECT_EQ(WritesTo("/r").size(), 1u);
  ASSERT_OK(writer->Close());
  EXPECT_EQ(WritesTo("/r").size(), 1u);
}

TEST_F(WritableFileWriterTest, CloseAfterSyncWritesNothing) {
  auto writer = OpenWriter(&fs_, "/s", true, WritableFileWriterOptions());
  ASSERT_OK(writer->Append(std::string(100, 'a')));
  ASSERT_OK(writer->Sync());
  EXPECT_EQ(CountOps("/s", FileOp::kSync), 1u);  // fdatasync, direct too.
  ASSERT_OK(writer->Close());
  EXPECT_EQ(WritesTo("/s").size(), 1u);
}

TEST_F(WritableFileWriterTest, SyncWithNothingNewIssuesNoSync) {
  auto writer = OpenWriter(&fs_, "/n", false, WritableFileWriterOptions());
  ASSERT_OK(writer->Append("x"));
  ASSERT_OK(writer->Sync());
  ASSERT_OK(writer->Sync());
  EXPECT_EQ(CountOps("/n", FileOp::kSync), 1u);
  EXPECT_EQ(writer->counters().syncs, 1u);
  ASSERT_OK(writer->Close());
}

TEST_F(WritableFileWriterTest, FsyncFlushesAndIssuesOneFsync) {
  auto writer = OpenWriter(&fs_, "/f", false, WritableFileWriterOptions());
  ASSERT_OK(writer->Append("abc"));
  ASSERT_OK(writer->Fsync());
  ASSERT_OK(writer->Fsync());  // Nothing new: no second fsync.
  EXPECT_EQ(CountOps("/f", FileOp::kFsync), 1u);
  EXPECT_EQ(CountOps("/f", FileOp::kSync), 0u);
  EXPECT_EQ(writer->counters().fsyncs, 1u);
  EXPECT_EQ(fake_.SyncedSize("/f"), 3u);
  ASSERT_OK(writer->Close());
}

TEST_F(WritableFileWriterTest, BufferStartsAt64KiBAndDoublesToMax) {
  auto writer = OpenWriter(&fs_, "/g", true, WritableFileWriterOptions());
  EXPECT_EQ(writer->buffer_capacity(), 64u << 10);
  std::vector<size_t> seen = {writer->buffer_capacity()};
  for (int i = 0; i < 400; ++i) {
    ASSERT_OK(writer->Append(std::string(4096, 'q')));
    if (writer->buffer_capacity() != seen.back()) {
      seen.push_back(writer->buffer_capacity());
    }
  }
  ASSERT_OK(writer->Close());
  EXPECT_EQ(seen, (std::vector<size_t>{64 << 10, 128 << 10, 256 << 10,
                                       512 << 10, 1 << 20}));
  // Once full, the buffer is written as whole 1 MiB pieces.
  auto writes = WritesTo("/g");
  ASSERT_GE(writes.size(), 1u);
  EXPECT_EQ(writes[0].length, 1u << 20);
}

TEST_F(WritableFileWriterTest, MaxBufferRoundsUpToAlignment) {
  WritableFileWriterOptions options;
  options.max_buffer_bytes = (1 << 20) + 1;
  auto writer = OpenWriter(&fs_, "/m", true, options);
  ASSERT_OK(writer->Append(std::string(3 << 20, 'm')));
  ASSERT_OK(writer->Close());
  EXPECT_EQ(writer->buffer_capacity(), (1u << 20) + 4096);
  EXPECT_EQ(WritesTo("/m")[0].length, (1u << 20) + 4096);
}

TEST_F(WritableFileWriterTest, SmallMaxRoundsUpToOnePage) {
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 100;
  auto writer = OpenWriter(&fs_, "/p", true, options);
  EXPECT_EQ(writer->buffer_capacity(), 4096u);
  ASSERT_OK(writer->Append(std::string(10000, 'p')));
  ASSERT_OK(writer->Close());
  for (const IORecord& r : WritesTo("/p")) {
    EXPECT_EQ(r.length, 4096u) << r.ToString();
  }
}

TEST_F(WritableFileWriterTest, BufferedLargeAppendGoesStraightThrough) {
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  auto writer = OpenWriter(&fs_, "/l", false, options);
  ASSERT_OK(writer->Append("head"));
  ASSERT_OK(writer->Append(std::string(200 << 10, 'L')));
  auto writes = WritesTo("/l");
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].length, 4u);
  EXPECT_EQ(writes[1].length, 200u << 10);
  ASSERT_OK(writer->Close());
}

TEST_F(WritableFileWriterTest, BufferedRangeSyncsKeepLastMiBAndStepByBytesPerSync) {
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.bytes_per_sync = 256 << 10;
  auto writer = OpenWriter(&fs_, "/rs", false, options);
  test::Random rnd(7);
  uint64_t written = 0;
  while (written < 8 * kMiB) {
    const size_t n = 1 + rnd.Uniform(50000);
    ASSERT_OK(writer->Append(std::string(n, 'r')));
    written += n;
  }
  ASSERT_OK(writer->Close());
  auto syncs = fs_.recorder().Records([](const IORecord& r) {
    return r.op == FileOp::kRangeSync && r.path == "/rs";
  });
  ASSERT_GE(syncs.size(), 10u);
  uint64_t expected_offset = 0;
  for (const IORecord& r : syncs) {
    EXPECT_EQ(r.offset, expected_offset) << r.ToString();
    EXPECT_EQ((r.offset + r.length) % 4096, 0u) << r.ToString();
    EXPECT_GE(r.length, options.bytes_per_sync) << r.ToString();
    EXPECT_LE(r.offset + r.length + kMiB, written) << r.ToString();
    expected_offset = r.offset + r.length;
  }
  EXPECT_EQ(writer->counters().range_syncs, syncs.size());
}

TEST_F(WritableFileWriterTest, DirectWritesNeverRangeSync) {
  WritableFileWriterOptions options;
  options.bytes_per_sync = 64 << 10;
  auto writer = OpenWriter(&fs_, "/d", true, options);
  ASSERT_OK(writer->Append(std::string(4 * kMiB, 'd')));
  ASSERT_OK(writer->Close());
  EXPECT_EQ(CountOps("/d", FileOp::kRangeSync), 0u);
}

// --- Faults -----------------------------------------------------------------

class WritableFileWriterFaultTest
    : public WritableFileWriterTest,
      public ::testing::WithParamInterface<bool> {};

TEST_P(WritableFileWriterFaultTest, WriteErrorSurfacesOnceThenPoisons) {
  const bool direct = GetParam();
  FaultRule rule;
  rule.op = FileOp::kWrite;
  rule.path_pattern = "/f";
  rule.nth = 2;
  rule.error_number = EIO;
  fs_.AddRule(rule);
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 8192;
  auto writer = OpenWriter(&fs_, "/f", direct, options);
  CloseOnExit close_on_exit{writer.get()};
  ASSERT_OK(writer->Append(std::string(8192, 'a')));
  ASSERT_OK(writer->Flush());  // Write 1.
  ASSERT_OK(writer->Append(std::string(8192, 'b')));
  Status s = writer->Flush();  // Write 2 fails.
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("While pwrite to file at offset 8192"));
  EXPECT_THAT(s.ToString(), HasSubstr("/f"));
  // Every later call returns the first error, RocksDB's text in front.
  Status again = writer->Append("more");
  EXPECT_THAT(again.ToString(),
              HasSubstr("Writer has previous error. While pwrite to file at "
                        "offset 8192"));
  EXPECT_THAT(writer->Sync().ToString(), HasSubstr("Writer has previous error."));
  EXPECT_THAT(writer->Flush().ToString(), HasSubstr("Writer has previous error."));
  Status close = writer->Close();
  EXPECT_THAT(close.ToString(),
              HasSubstr("File is closed but data not flushed as writer has "
                        "previous error. While pwrite to file at offset 8192"));
  EXPECT_EQ(writer->Close().ToString(), close.ToString());
  // No truncate on a poisoned close.
  EXPECT_EQ(CountOps("/f", FileOp::kTruncate), 0u);
}

TEST_P(WritableFileWriterFaultTest, NoSpaceStaysNoSpace) {
  FaultRule rule;
  rule.op = FileOp::kWrite;
  rule.path_pattern = "/ns";
  rule.nth = 1;
  rule.error_number = ENOSPC;
  fs_.AddRule(rule);
  auto writer = OpenWriter(&fs_, "/ns", GetParam(), WritableFileWriterOptions());
  CloseOnExit close_on_exit{writer.get()};
  ASSERT_OK(writer->Append("x"));
  Status s = writer->Flush();
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_TRUE(writer->Append("y").IsNoSpace());
  EXPECT_TRUE(writer->Close().IsNoSpace());
}

TEST_P(WritableFileWriterFaultTest, SyncErrorPoisons) {
  FaultRule rule;
  rule.op = FileOp::kSync;
  rule.path_pattern = "/se";
  rule.nth = 1;
  rule.error_number = EIO;
  fs_.AddRule(rule);
  auto writer = OpenWriter(&fs_, "/se", GetParam(), WritableFileWriterOptions());
  CloseOnExit close_on_exit{writer.get()};
  ASSERT_OK(writer->Append("x"));
  Status s = writer->Sync();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/se"));
  EXPECT_THAT(writer->Append("y").ToString(),
              HasSubstr("Writer has previous error."));
  EXPECT_FALSE(writer->Close().ok());
}

TEST_P(WritableFileWriterFaultTest, FsyncErrorAtCloseIsReported) {
  FaultRule rule;
  rule.op = GetParam() ? FileOp::kFsync : FileOp::kClose;
  rule.path_pattern = "/fe";
  rule.nth = 1;
  rule.error_number = EIO;
  fs_.AddRule(rule);
  auto writer = OpenWriter(&fs_, "/fe", GetParam(), WritableFileWriterOptions());
  CloseOnExit close_on_exit{writer.get()};
  ASSERT_OK(writer->Append("x"));
  Status s = writer->Close();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/fe"));
}

TEST_F(WritableFileWriterTest, BackgroundWriteErrorPoisonsTheNextCall) {
  FaultRule rule;
  rule.op = FileOp::kWrite;
  rule.path_pattern = "/bg";
  rule.nth = 2;
  rule.error_number = EIO;
  fs_.AddRule(rule);
  ThreadPool pool;
  pool.SetBackgroundThreads(1);
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &pool;
  auto writer = OpenWriter(&fs_, "/bg", /*direct=*/true, options);
  CloseOnExit close_on_exit{writer.get()};
  // Buffers 1 and 2 go out in the background; 2 fails. The failure shows at
  // the latest when buffer 3 is handed over or at Flush.
  Status s;
  for (int i = 0; i < 4 && s.ok(); ++i) {
    s = writer->Append(std::string(64 << 10, static_cast<char>('a' + i)));
  }
  if (s.ok()) s = writer->Flush();
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("While pwrite to file at offset 65536"));
  EXPECT_THAT(writer->Append("x").ToString(),
              HasSubstr("Writer has previous error. While pwrite"));
  EXPECT_THAT(writer->Close().ToString(),
              HasSubstr("File is closed but data not flushed"));
}

TEST_F(WritableFileWriterTest, BackgroundWritesKeepOrderAndOverlapCopying) {
  ThreadPool pool;
  pool.SetBackgroundThreads(1);
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &pool;
  auto writer = OpenWriter(&fs_, "/ord", /*direct=*/true, options);
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    const std::string chunk(10000, static_cast<char>('a' + i % 26));
    ASSERT_OK(writer->Append(chunk));
    expected += chunk;
  }
  ASSERT_OK(writer->Close());
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/ord", &content));
  EXPECT_EQ(content, expected);
  uint64_t next = 0;
  for (const IORecord& r : WritesTo("/ord")) {
    EXPECT_EQ(r.offset, next) << r.ToString();
    next = r.offset + r.length;
  }
}

TEST_F(WritableFileWriterTest,
       BackgroundFullBufferIsQueuedWithoutWaitingForMore) {
  test::HeldExecutor executor;
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &executor;
  auto writer = OpenWriter(&fs_, "/eager", /*direct=*/true, options);
  // Exactly one full buffer: it goes out now, not at the next call.
  ASSERT_OK(writer->Append(std::string(64 << 10, 'e')));
  EXPECT_EQ(executor.submitted(), 1u);
  EXPECT_TRUE(WritesTo("/eager").empty());
  executor.RunAll();
  auto writes = WritesTo("/eager");
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].offset, 0u);
  EXPECT_EQ(writes[0].length, 64u << 10);
  ASSERT_OK(writer->Close());
  EXPECT_EQ(WritesTo("/eager").size(), 1u);  // Nothing left to write.
}

TEST_F(WritableFileWriterTest, BackgroundBuffersJoinTheRunningDrain) {
  test::HeldExecutor executor;
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &executor;
  auto writer = OpenWriter(&fs_, "/join", /*direct=*/true, options);
  // Two full buffers queue behind one drain task: no task per write, and
  // the caller does not wait while fewer than kBackgroundBuffers exist.
  static_assert(WritableFileWriter::kBackgroundBuffers >= 3);
  ASSERT_OK(writer->Append(std::string(64 << 10, '1')));
  ASSERT_OK(writer->Append(std::string(64 << 10, '2')));
  ASSERT_OK(writer->Append(std::string(100, '3')));
  EXPECT_EQ(executor.submitted(), 1u);
  executor.RunAll();
  auto writes = WritesTo("/join");
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].offset, 0u);
  EXPECT_EQ(writes[1].offset, 64u << 10);
  // The drain finished; the next full buffer starts a new one.
  ASSERT_OK(writer->Append(std::string((64 << 10) - 100, '3')));
  EXPECT_EQ(executor.submitted(), 2u);
  executor.RunAll();
  ASSERT_OK(writer->Close());
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/join", &content));
  EXPECT_EQ(content, std::string(64 << 10, '1') + std::string(64 << 10, '2') +
                         std::string(64 << 10, '3'));
}

TEST_F(WritableFileWriterTest,
       BackgroundErrorInQueueIsReportedOnceAndStopsWrites) {
  FaultRule rule;
  rule.op = FileOp::kWrite;
  rule.path_pattern = "/q";
  rule.nth = 2;
  rule.error_number = EIO;
  fs_.AddRule(rule);
  test::HeldExecutor executor;
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &executor;
  auto writer = OpenWriter(&fs_, "/q", /*direct=*/true, options);
  CloseOnExit close_on_exit{writer.get()};
  // Buffers 1 and 2 queued, 3 partly filled; then the drain runs: 1 is
  // written, 2 fails.
  ASSERT_OK(writer->Append(std::string(64 << 10, 'a')));
  ASSERT_OK(writer->Append(std::string(64 << 10, 'b')));
  ASSERT_OK(writer->Append(std::string(1000, 'c')));
  executor.RunAll();
  // Filling buffer 3 queues it and reports the failure, once.
  Status s = writer->Append(std::string((64 << 10) - 1000, 'c'));
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/q"));
  EXPECT_THAT(s.ToString(), HasSubstr("While pwrite to file at offset 65536"));
  EXPECT_THAT(s.ToString(), ::testing::Not(HasSubstr("previous error")));
  executor.RunAll();  // The drain of buffer 3 writes nothing.
  EXPECT_THAT(writer->Append("x").ToString(),
              HasSubstr("Writer has previous error. While pwrite to file at "
                        "offset 65536"));
  EXPECT_THAT(writer->Flush().ToString(),
              HasSubstr("Writer has previous error. While pwrite"));
  EXPECT_THAT(writer->Close().ToString(),
              HasSubstr("File is closed but data not flushed as writer has "
                        "previous error. While pwrite to file at offset "
                        "65536"));
  auto writes = WritesTo("/q");
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_TRUE(writes[0].ok());
  EXPECT_FALSE(writes[1].ok());
  EXPECT_EQ(writes[1].offset, 65536u);
  EXPECT_EQ(CountOps("/q", FileOp::kTruncate), 0u);
  EXPECT_EQ(CountOps("/q", FileOp::kFsync), 0u);
}

TEST_F(WritableFileWriterTest, BackgroundErrorFoundByFlushWhileBuffersQueue) {
  FaultRule rule;
  rule.op = FileOp::kWrite;
  rule.path_pattern = "/qf";
  rule.nth = 2;
  rule.error_number = EIO;
  fs_.AddRule(rule);
  ThreadPool pool;
  pool.SetBackgroundThreads(2);
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &pool;
  auto writer = OpenWriter(&fs_, "/qf", /*direct=*/true, options);
  CloseOnExit close_on_exit{writer.get()};
  // However the drain and the caller interleave, the first call to see the
  // failure returns it, and nothing past it is written.
  Status s;
  for (int i = 0; i < 6; ++i) {
    s = writer->Append(std::string(64 << 10, static_cast<char>('a' + i)));
    if (!s.ok()) break;
  }
  if (s.ok()) s = writer->Flush();
  ASSERT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("While pwrite to file at offset 65536"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(writer->Flush().ToString(),
                HasSubstr("Writer has previous error. While pwrite"));
  }
  EXPECT_FALSE(writer->Close().ok());
  for (const IORecord& r : WritesTo("/qf")) {
    EXPECT_LE(r.offset, 65536u) << "written past the failed write: "
                                << r.ToString();
  }
}

TEST_F(WritableFileWriterTest, BackgroundCloseIsQueuedWritesTailTruncateFsync) {
  ThreadPool pool;
  pool.SetBackgroundThreads(2);
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &pool;
  auto writer = OpenWriter(&fs_, "/cl", /*direct=*/true, options);
  std::string expected;
  for (int i = 0; i < 5; ++i) {
    expected += std::string(64 << 10, static_cast<char>('k' + i));
  }
  expected += std::string(777, 'z');
  ASSERT_OK(writer->Append(expected));
  ASSERT_OK(writer->Close());
  std::vector<IORecord> ops = fs_.recorder().Records([](const IORecord& r) {
    return r.path == "/cl" && r.op != FileOp::kFlush &&
           r.op != FileOp::kOpenWritable;
  });
  ASSERT_EQ(ops.size(), 6u + 3u) << fs_.recorder().Dump();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ops[i].op, FileOp::kWrite);
    EXPECT_EQ(ops[i].offset, static_cast<uint64_t>(i) * (64 << 10));
    EXPECT_EQ(ops[i].length, 64u << 10);
  }
  // The padded tail is the last write, after every queued buffer.
  EXPECT_EQ(ops[5].op, FileOp::kWrite);
  EXPECT_EQ(ops[5].offset, 5u * (64 << 10));
  EXPECT_EQ(ops[5].length, 4096u);
  EXPECT_EQ(ops[6].op, FileOp::kTruncate);
  EXPECT_EQ(ops[6].offset, expected.size());
  EXPECT_EQ(ops[7].op, FileOp::kFsync);
  EXPECT_EQ(ops[8].op, FileOp::kClose);
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/cl", &content));
  EXPECT_EQ(content, expected);
}

INSTANTIATE_TEST_SUITE_P(Modes, WritableFileWriterFaultTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Direct" : "Buffered";
                         });

// --- Background writes of buffered files --------------------------------------

TEST_F(WritableFileWriterTest, BufferedBackgroundWritesFullBuffersInOrder) {
  test::HeldExecutor executor;
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &executor;
  auto writer = OpenWriter(&fs_, "/bb", /*direct=*/false, options);
  // Full buffers are queued, not written by the caller.
  ASSERT_OK(writer->Append(std::string(64 << 10, '1')));
  ASSERT_OK(writer->Append(std::string(64 << 10, '2')));
  ASSERT_OK(writer->Append(std::string(10, '3')));
  EXPECT_EQ(executor.submitted(), 1u);
  EXPECT_TRUE(WritesTo("/bb").empty());
  executor.RunAll();
  auto writes = WritesTo("/bb");
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[0].length, 64u << 10);
  EXPECT_EQ(writes[1].length, 64u << 10);
  // Sync writes the partial buffer itself, then syncs.
  ASSERT_OK(writer->Sync());
  writes = WritesTo("/bb");
  ASSERT_EQ(writes.size(), 3u);
  EXPECT_EQ(writes[2].length, 10u);
  EXPECT_EQ(CountOps("/bb", FileOp::kSync), 1u);
  ASSERT_OK(writer->Close());
  EXPECT_EQ(writer->counters().device_bytes, (128u << 10) + 10);
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/bb", &content));
  EXPECT_EQ(content, std::string(64 << 10, '1') + std::string(64 << 10, '2') +
                         std::string(10, '3'));
}

TEST_F(WritableFileWriterTest, BufferedBackgroundNeedsNoBytesPerSync) {
  // Range syncs stay synchronous: with bytes_per_sync the caller writes.
  test::HeldExecutor executor;
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.bytes_per_sync = 1 << 20;
  options.executor = &executor;
  auto writer = OpenWriter(&fs_, "/bps", /*direct=*/false, options);
  ASSERT_OK(writer->Append(std::string(3 * (64 << 10), 'x')));
  EXPECT_EQ(executor.submitted(), 0u);
  EXPECT_FALSE(WritesTo("/bps").empty());
  ASSERT_OK(writer->Close());
}

TEST_F(WritableFileWriterTest, BufferedBackgroundInvalidateCacheFollowsQueue) {
  test::HeldExecutor executor;
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &executor;
  auto writer = OpenWriter(&fs_, "/inv", /*direct=*/false, options);
  ASSERT_OK(writer->Append(std::string(64 << 10, 'a')));
  // The drain owns the file: the call is deferred until the queue is
  // written, so the dropped pages include the queued buffer's.
  ASSERT_OK(writer->InvalidateCache());
  EXPECT_EQ(CountOps("/inv", FileOp::kInvalidateCache), 0u);
  executor.RunAll();
  std::vector<IORecord> ops = fs_.recorder().Records([](const IORecord& r) {
    return r.path == "/inv" &&
           (r.op == FileOp::kWrite || r.op == FileOp::kInvalidateCache);
  });
  ASSERT_EQ(ops.size(), 2u) << fs_.recorder().Dump();
  EXPECT_EQ(ops[0].op, FileOp::kWrite);
  EXPECT_EQ(ops[1].op, FileOp::kInvalidateCache);
  // No drain running: done at once, by the caller.
  ASSERT_OK(writer->InvalidateCache());
  EXPECT_EQ(CountOps("/inv", FileOp::kInvalidateCache), 2u);
  EXPECT_EQ(executor.submitted(), 1u);
  ASSERT_OK(writer->Close());
}

// Runs a hook inside InvalidateCache, i.e. while the drain has let go of
// its lock.
class InvalidateHookFile : public WritableFileWrapper {
 public:
  InvalidateHookFile(std::unique_ptr<WritableFile> target,
                     std::function<void()> hook)
      : WritableFileWrapper(std::move(target)), hook_(std::move(hook)) {}
  IOStatus InvalidateCache(uint64_t offset, uint64_t len) override {
    if (hook_) std::exchange(hook_, nullptr)();
    return WritableFileWrapper::InvalidateCache(offset, len);
  }

 private:
  std::function<void()> hook_;
};

TEST_F(WritableFileWriterTest,
       BufferedBackgroundBufferQueuedDuringDeferredInvalidateIsWritten) {
  test::HeldExecutor executor;
  WritableFileWriterOptions options;
  options.max_buffer_bytes = 64 << 10;
  options.executor = &executor;
  FileOptions fo;
  fo.kind = FileKind::kTableFlush;
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_.NewWritableFile("/race", fo, &file));
  WritableFileWriter* w = nullptr;
  auto hooked = std::make_unique<InvalidateHookFile>(std::move(file), [&] {
    // A full buffer arrives while the drain is dropping pages: it must be
    // written by that drain (no new task is started for it).
    ASSERT_OK(w->Append(std::string(64 << 10, 'b')));
  });
  std::unique_ptr<WritableFileWriter> writer;
  ASSERT_OK(WritableFileWriter::Create(std::move(hooked), options, &writer));
  w = writer.get();
  ASSERT_OK(writer->Append(std::string(64 << 10, 'a')));
  ASSERT_OK(writer->InvalidateCache());
  executor.RunAll();
  EXPECT_EQ(executor.submitted(), 1u);
  EXPECT_EQ(WritesTo("/race").size(), 2u) << fs_.recorder().Dump();
  ASSERT_OK(writer->Close());
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/race", &content));
  EXPECT_EQ(content, std::string(64 << 10, 'a') + std::string(64 << 10, 'b'));
}

}  // namespace
}  // namespace strata
