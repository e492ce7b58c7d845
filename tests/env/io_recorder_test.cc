#include "env/io_recorder.h"

#include <cerrno>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace strata {
namespace {

const void* Address(uintptr_t a) { return reinterpret_cast<const void*>(a); }

IORecord Write(FileKind kind, IOMode mode, uint64_t length,
               uint64_t result_length) {
  IORecord r;
  r.op = FileOp::kWrite;
  r.path = "/t.sst";
  r.kind = kind;
  r.mode = mode;
  r.length = length;
  r.result_length = result_length;
  return r;
}

TEST(IORecorderTest, BufferAlignmentIsTheLargestPowerOfTwoDividingTheAddress) {
  EXPECT_EQ(BufferAlignment(nullptr), 0u);
  EXPECT_EQ(BufferAlignment(Address(0x1001)), 1u);
  EXPECT_EQ(BufferAlignment(Address(0x1002)), 2u);
  EXPECT_EQ(BufferAlignment(Address(0x1200)), 512u);
  EXPECT_EQ(BufferAlignment(Address(0x7000)), 4096u);
  EXPECT_EQ(BufferAlignment(Address(0x80000)), 512u * 1024);
  // Capped.
  EXPECT_EQ(BufferAlignment(Address(uintptr_t{1} << 21)),
            kMaxRecordedAlignment);
  EXPECT_EQ(BufferAlignment(Address(uintptr_t{3} << 30)),
            kMaxRecordedAlignment);
}

TEST(IORecorderTest, AddAssignsIncreasingSequenceNumbers) {
  IORecorder recorder;
  recorder.Add(Write(FileKind::kWal, IOMode::kBuffered, 1, 1));
  IORecord r = Write(FileKind::kWal, IOMode::kBuffered, 2, 2);
  r.seq = 999;  // Overwritten.
  recorder.Add(r);
  const std::vector<IORecord> records = recorder.Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].seq, 1u);
  EXPECT_EQ(records[1].seq, 2u);
  EXPECT_EQ(records[1].length, 2u);
  EXPECT_EQ(recorder.size(), 2u);
}

TEST(IORecorderTest, ClearDropsRecordsButSequenceKeepsCounting) {
  IORecorder recorder;
  recorder.Add(Write(FileKind::kWal, IOMode::kBuffered, 1, 1));
  recorder.Add(Write(FileKind::kWal, IOMode::kBuffered, 1, 1));
  recorder.Clear();
  EXPECT_EQ(recorder.size(), 0u);
  recorder.Add(Write(FileKind::kWal, IOMode::kBuffered, 1, 1));
  ASSERT_EQ(recorder.Records().size(), 1u);
  EXPECT_EQ(recorder.Records()[0].seq, 3u);
}

TEST(IORecorderTest, DisabledRecorderDropsRecords) {
  IORecorder recorder;
  EXPECT_TRUE(recorder.enabled());
  recorder.set_enabled(false);
  recorder.Add(Write(FileKind::kWal, IOMode::kBuffered, 1, 1));
  EXPECT_EQ(recorder.size(), 0u);
  recorder.set_enabled(true);
  recorder.Add(Write(FileKind::kWal, IOMode::kBuffered, 1, 1));
  EXPECT_EQ(recorder.size(), 1u);
}

TEST(IORecorderTest, FiltersAndTotalsByOpKindAndMode) {
  IORecorder recorder;
  recorder.Add(Write(FileKind::kTableFlush, IOMode::kDirect, 4096, 4096));
  recorder.Add(Write(FileKind::kTableFlush, IOMode::kDirect, 8192, 0));
  recorder.Add(Write(FileKind::kTableFlush, IOMode::kBuffered, 100, 100));
  recorder.Add(Write(FileKind::kWal, IOMode::kDirect, 512, 512));
  IORecord read = Write(FileKind::kTableFlush, IOMode::kDirect, 4096, 4096);
  read.op = FileOp::kRead;
  recorder.Add(read);
  IORecord failed = Write(FileKind::kTableFlush, IOMode::kDirect, 512, 0);
  failed.status = IOStatus::FromErrno("While pwrite", EIO);
  recorder.Add(failed);

  const IOTotals t =
      recorder.Totals(FileOp::kWrite, FileKind::kTableFlush, IOMode::kDirect);
  EXPECT_EQ(t.ops, 3u);
  EXPECT_EQ(t.failed_ops, 1u);
  EXPECT_EQ(t.requested_bytes, 4096u + 8192u + 512u);
  EXPECT_EQ(t.result_bytes, 4096u);
  EXPECT_EQ(
      recorder.Totals(FileOp::kRead, FileKind::kTableFlush, IOMode::kDirect)
          .ops,
      1u);
  EXPECT_EQ(
      recorder.Totals(FileOp::kWrite, FileKind::kWal, IOMode::kBuffered).ops,
      0u);

  auto is_wal = [](const IORecord& r) { return r.kind == FileKind::kWal; };
  const std::vector<IORecord> wal = recorder.Records(is_wal);
  ASSERT_EQ(wal.size(), 1u);
  EXPECT_EQ(wal[0].seq, 4u);
  EXPECT_EQ(recorder.Count(is_wal), 1u);
  EXPECT_EQ(recorder.Count([](const IORecord& r) { return !r.ok(); }), 1u);
}

TEST(IORecorderTest, ToStringShowsEveryField) {
  IORecord r = Write(FileKind::kTableFlush, IOMode::kDirect, 4096, 4096);
  r.seq = 12;
  r.append = true;
  r.offset = 8192;
  r.buffer_alignment = 4096;
  EXPECT_EQ(r.ToString(),
            "#12 write(append) /t.sst table_flush direct offset=8192 len=4096 "
            "result=4096 buf_align=4096 OK");
  r.op = FileOp::kRename;
  r.target = "/u.sst";
  r.fault_rule_id = 3;
  r.status = IOStatus::FromErrno("While rename", EIO);
  EXPECT_EQ(r.ToString(),
            "#12 rename /t.sst -> /u.sst table_flush direct offset=8192 "
            "len=4096 result=4096 buf_align=4096 IO error: While rename: "
            "Input/output error [rule 3]");
}

TEST(IORecorderTest, DumpListsMatchingRecordsOnePerLine) {
  IORecorder recorder;
  recorder.Add(Write(FileKind::kWal, IOMode::kBuffered, 1, 1));
  recorder.Add(Write(FileKind::kTableFlush, IOMode::kDirect, 2, 2));
  const std::string all = recorder.Dump();
  EXPECT_EQ(all, recorder.Records()[0].ToString() + "\n" +
                     recorder.Records()[1].ToString() + "\n");
  EXPECT_EQ(recorder.Dump([](const IORecord& r) { return r.length == 2; }),
            recorder.Records()[1].ToString() + "\n");
}

TEST(IORecorderTest, EveryOpHasADistinctName) {
  std::set<std::string> names;
  for (int i = 0; i < kNumFileOps; ++i) {
    const std::string name = FileOpName(static_cast<FileOp>(i));
    EXPECT_NE(name, "unknown") << i;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kNumFileOps));
  EXPECT_STREQ(FileOpName(FileOp::kOpenWritable), "open_writable");
  EXPECT_STREQ(FileOpName(FileOp::kDirFsync), "dir_fsync");
}

TEST(IORecorderTest, ConcurrentAddsAreAllKeptWithUniqueSequenceNumbers) {
  IORecorder recorder;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&recorder] {
      for (int i = 0; i < kPerThread; ++i) {
        recorder.Add(Write(FileKind::kWal, IOMode::kBuffered, 1, 1));
        if (i % 100 == 0) {
          (void)recorder.Totals(
              [](const IORecord& r) { return r.kind == FileKind::kWal; });
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  const std::vector<IORecord> records = recorder.Records();
  ASSERT_EQ(records.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].seq, i + 1);  // Append order is sequence order.
  }
}

}  // namespace
}  // namespace strata
