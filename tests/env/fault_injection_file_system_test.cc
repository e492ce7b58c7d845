#include "env/fault_injection_file_system.h"

#include <cerrno>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "env/io_recorder.h"
#include "testutil/testutil.h"
#include "util/aligned_buffer.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

constexpr size_t kAlign = 512;

FakeFileSystem::Options FakeOptions() {
  FakeFileSystem::Options options;
  options.offset_alignment = kAlign;
  options.memory_alignment = kAlign;
  return options;
}

FileOptions Direct(FileKind kind) {
  FileOptions options;
  options.use_direct_reads = true;
  options.use_direct_writes = true;
  options.kind = kind;
  return options;
}

FileOptions Buffered(FileKind kind) {
  FileOptions options;
  options.kind = kind;
  return options;
}

// `n` bytes of a pattern that differs at every position of a block.
std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  }
  return s;
}

// Positions where a and b differ; REQUIRES equal sizes.
std::vector<size_t> Differences(std::string_view a, std::string_view b) {
  std::vector<size_t> diffs;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] != b[i]) {
      diffs.push_back(i);
    }
  }
  return diffs;
}

std::function<bool(const IORecord&)> OpIs(FileOp op) {
  return [op](const IORecord& r) { return r.op == op; };
}

class FaultInjectionFileSystemTest : public ::testing::Test {
 protected:
  FaultInjectionFileSystemTest() : fake_(FakeOptions()), faulty_(&fake_) {}

  // An aligned buffer of `n` bytes (n rounded up to the alignment) holding
  // Pattern(n).
  static AlignedBuffer AlignedPattern(size_t n) {
    AlignedBuffer buf(4096);
    buf.Allocate(n);
    const std::string p = Pattern(n);
    buf.Append(p.data(), p.size());
    return buf;
  }

  std::unique_ptr<WritableFile> OpenWritable(const std::string& path,
                                             const FileOptions& options) {
    std::unique_ptr<WritableFile> file;
    EXPECT_OK(faulty_.NewWritableFile(path, options, &file));
    return file;
  }

  std::unique_ptr<RandomAccessFile> OpenRandom(const std::string& path,
                                               const FileOptions& options) {
    std::unique_ptr<RandomAccessFile> file;
    EXPECT_OK(faulty_.NewRandomAccessFile(path, options, &file));
    return file;
  }

  std::string Content(const std::string& path) {
    std::string content;
    EXPECT_OK(fake_.ReadFileContent(path, &content));
    return content;
  }

  std::vector<IORecord> RecordsOf(FileOp op) {
    return faulty_.recorder().Records(OpIs(op));
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem faulty_;
};

// --- Forwarding -------------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest,
       WrappedFilesForwardDirectIoModeAndAlignment) {
  ASSERT_OK(fake_.WriteFileContent("/in.sst", Pattern(4096)));
  auto direct_w = OpenWritable("/out.sst", Direct(FileKind::kTableFlush));
  auto direct_r = OpenRandom("/in.sst", Direct(FileKind::kTableUserRead));
  std::unique_ptr<SequentialFile> direct_s;
  ASSERT_OK(faulty_.NewSequentialFile("/in.sst", Direct(FileKind::kManifest),
                                      &direct_s));
  auto buffered = OpenWritable("/log", Buffered(FileKind::kWal));
  ASSERT_NE(direct_w, nullptr);
  ASSERT_NE(direct_r, nullptr);
  ASSERT_NE(buffered, nullptr);

  const FileBase* direct_files[] = {direct_w.get(), direct_r.get(),
                                    direct_s.get()};
  for (const FileBase* f : direct_files) {
    EXPECT_TRUE(f->use_direct_io());
    EXPECT_EQ(f->mode(), IOMode::kDirect);
    EXPECT_EQ(f->alignment().offset, kAlign);
    EXPECT_EQ(f->alignment().memory, kAlign);
  }
  EXPECT_EQ(direct_w->path(), "/out.sst");
  EXPECT_EQ(direct_r->path(), "/in.sst");
  EXPECT_FALSE(buffered->use_direct_io());
  EXPECT_EQ(buffered->mode(), IOMode::kBuffered);
  EXPECT_EQ(buffered->alignment().offset, kDefaultPageSize);
  ASSERT_OK(direct_w->Close());
  ASSERT_OK(buffered->Close());
}

TEST_F(FaultInjectionFileSystemTest,
       MisalignedDirectWriteStillReachesBaseCheck) {
  // The wrapper must not hide the direct-I/O rules of the wrapped file.
  auto file = OpenWritable("/t.sst", Direct(FileKind::kTableFlush));
  AlignedBuffer buf = AlignedPattern(1024);
  IOStatus s = file->PositionedAppend(Slice(buf.data(), 100), 0);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  auto writes = RecordsOf(FileOp::kWrite);
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_TRUE(writes[0].status.IsInvalidArgument());
  EXPECT_EQ(writes[0].result_length, 0u);
  ASSERT_OK(file->Close());
}

// --- Recording --------------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, RecordsOpensWithKindAndMode) {
  ASSERT_OK(fake_.WriteFileContent("/in.sst", Pattern(100)));
  auto w = OpenWritable("/out.sst", Direct(FileKind::kTableCompactionOutput));
  auto r = OpenRandom("/in.sst", Buffered(FileKind::kTableCompactionInput));
  std::unique_ptr<RandomAccessFile> missing;
  IOStatus s = faulty_.NewRandomAccessFile(
      "/missing.sst", Direct(FileKind::kTableUserRead), &missing);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(missing, nullptr);

  auto writable_opens = RecordsOf(FileOp::kOpenWritable);
  ASSERT_EQ(writable_opens.size(), 1u);
  EXPECT_EQ(writable_opens[0].path, "/out.sst");
  EXPECT_EQ(writable_opens[0].kind, FileKind::kTableCompactionOutput);
  EXPECT_EQ(writable_opens[0].mode, IOMode::kDirect);
  EXPECT_TRUE(writable_opens[0].ok());

  auto reader_opens = RecordsOf(FileOp::kOpenRandomAccess);
  ASSERT_EQ(reader_opens.size(), 2u);
  EXPECT_EQ(reader_opens[0].kind, FileKind::kTableCompactionInput);
  EXPECT_EQ(reader_opens[0].mode, IOMode::kBuffered);
  EXPECT_TRUE(reader_opens[0].ok());
  // A failed open is recorded with the mode that was asked for.
  EXPECT_EQ(reader_opens[1].path, "/missing.sst");
  EXPECT_EQ(reader_opens[1].kind, FileKind::kTableUserRead);
  EXPECT_EQ(reader_opens[1].mode, IOMode::kDirect);
  EXPECT_TRUE(reader_opens[1].status.IsNotFound());
  EXPECT_EQ(reader_opens[1].fault_rule_id, 0);
  ASSERT_OK(w->Close());
}

TEST_F(FaultInjectionFileSystemTest,
       RecordsWriteOffsetsLengthsAndBufferAlignment) {
  auto direct = OpenWritable("/t.sst", Direct(FileKind::kTableFlush));
  AlignedBuffer buf = AlignedPattern(8192);
  ASSERT_OK(direct->Append(Slice(buf.data(), 1024)));
  ASSERT_OK(direct->Append(Slice(buf.data() + 512, 512)));
  ASSERT_OK(direct->PositionedAppend(Slice(buf.data() + 1024, 1024), 4096));

  auto log = OpenWritable("/wal", Buffered(FileKind::kWal));
  alignas(64) char raw[64] = "0123456789";
  ASSERT_OK(log->Append(Slice(raw + 3, 5)));
  ASSERT_OK(log->Append(Slice(raw + 8, 2)));

  auto writes = RecordsOf(FileOp::kWrite);
  ASSERT_EQ(writes.size(), 5u) << faulty_.recorder().Dump();
  // Append records the size before the write as its offset.
  EXPECT_TRUE(writes[0].append);
  EXPECT_EQ(writes[0].offset, 0u);
  EXPECT_EQ(writes[0].length, 1024u);
  EXPECT_EQ(writes[0].result_length, 1024u);
  EXPECT_GE(writes[0].buffer_alignment, 4096u);
  EXPECT_EQ(writes[1].offset, 1024u);
  EXPECT_EQ(writes[1].length, 512u);
  EXPECT_EQ(writes[1].buffer_alignment, 512u);
  EXPECT_FALSE(writes[2].append);
  EXPECT_EQ(writes[2].offset, 4096u);
  EXPECT_EQ(writes[2].buffer_alignment, 1024u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(writes[i].kind, FileKind::kTableFlush);
    EXPECT_EQ(writes[i].mode, IOMode::kDirect);
    EXPECT_EQ(writes[i].path, "/t.sst");
  }
  EXPECT_EQ(writes[3].kind, FileKind::kWal);
  EXPECT_EQ(writes[3].mode, IOMode::kBuffered);
  EXPECT_EQ(writes[3].offset, 0u);
  EXPECT_EQ(writes[3].buffer_alignment, 1u);  // raw + 3 is odd.
  EXPECT_EQ(writes[4].offset, 5u);
  EXPECT_EQ(writes[4].buffer_alignment, 8u);

  const IOTotals direct_totals = faulty_.recorder().Totals(
      FileOp::kWrite, FileKind::kTableFlush, IOMode::kDirect);
  EXPECT_EQ(direct_totals.ops, 3u);
  EXPECT_EQ(direct_totals.requested_bytes, 2560u);
  EXPECT_EQ(direct_totals.result_bytes, 2560u);
  EXPECT_EQ(direct_totals.failed_ops, 0u);
  const IOTotals wal_totals = faulty_.recorder().Totals(
      FileOp::kWrite, FileKind::kWal, IOMode::kBuffered);
  EXPECT_EQ(wal_totals.ops, 2u);
  EXPECT_EQ(wal_totals.result_bytes, 7u);
  ASSERT_OK(direct->Close());
  ASSERT_OK(log->Close());
}

TEST_F(FaultInjectionFileSystemTest,
       RecordsReadsWithRequestedAndReturnedLength) {
  const std::string content = Pattern(3000);
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  auto direct = OpenRandom("/t.sst", Direct(FileKind::kTableUserRead));
  auto buffered = OpenRandom("/t.sst", Buffered(FileKind::kTableVerify));
  AlignedBuffer buf(4096);
  buf.Allocate(8192);
  Slice result;
  ASSERT_OK(direct->Read(512, 1024, &result, buf.data()));
  EXPECT_EQ(result.ToString(), content.substr(512, 1024));
  // Across the end of the file: fewer bytes than asked.
  ASSERT_OK(direct->Read(2560, 1024, &result, buf.data() + 2048));
  EXPECT_EQ(result.size(), 3000u - 2560u);
  ASSERT_OK(buffered->Read(7, 10, &result, buf.data() + 3));

  auto reads = RecordsOf(FileOp::kRead);
  ASSERT_EQ(reads.size(), 3u);
  EXPECT_EQ(reads[0].kind, FileKind::kTableUserRead);
  EXPECT_EQ(reads[0].mode, IOMode::kDirect);
  EXPECT_EQ(reads[0].offset, 512u);
  EXPECT_EQ(reads[0].length, 1024u);
  EXPECT_EQ(reads[0].result_length, 1024u);
  EXPECT_GE(reads[0].buffer_alignment, 4096u);
  EXPECT_EQ(reads[1].offset, 2560u);
  EXPECT_EQ(reads[1].length, 1024u);
  EXPECT_EQ(reads[1].result_length, 440u);
  EXPECT_EQ(reads[1].buffer_alignment, 2048u);
  EXPECT_EQ(reads[2].kind, FileKind::kTableVerify);
  EXPECT_EQ(reads[2].mode, IOMode::kBuffered);
  EXPECT_EQ(reads[2].buffer_alignment, 1u);
  EXPECT_EQ(reads[2].result_length, 10u);
}

TEST_F(FaultInjectionFileSystemTest, SequentialReadsRecordTheirPosition) {
  ASSERT_OK(fake_.WriteFileContent("/MANIFEST", Pattern(100)));
  std::unique_ptr<SequentialFile> file;
  ASSERT_OK(faulty_.NewSequentialFile("/MANIFEST",
                                      Buffered(FileKind::kManifest), &file));
  char scratch[64];
  Slice result;
  ASSERT_OK(file->Read(30, &result, scratch));
  ASSERT_OK(file->Skip(10));
  ASSERT_OK(file->Read(64, &result, scratch));
  EXPECT_EQ(result.size(), 60u);

  auto reads = RecordsOf(FileOp::kRead);
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].offset, 0u);
  EXPECT_EQ(reads[0].kind, FileKind::kManifest);
  EXPECT_EQ(reads[1].offset, 40u);
  EXPECT_EQ(reads[1].length, 64u);
  EXPECT_EQ(reads[1].result_length, 60u);
  auto skips = RecordsOf(FileOp::kSkip);
  ASSERT_EQ(skips.size(), 1u);
  EXPECT_EQ(skips[0].offset, 30u);
  EXPECT_EQ(skips[0].length, 10u);
}

TEST_F(FaultInjectionFileSystemTest, RecordsEveryOperationKind) {
  ASSERT_OK(faulty_.CreateDir("/d"));
  ASSERT_OK(faulty_.CreateDirIfMissing("/d"));
  auto w = OpenWritable("/d/a", Buffered(FileKind::kOther));
  ASSERT_OK(w->Append("hello"));
  ASSERT_OK(w->Truncate(4));
  ASSERT_OK(w->Flush());
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Fsync());
  ASSERT_OK(w->RangeSync(0, 4));
  ASSERT_OK(w->Allocate(0, 4096));
  ASSERT_OK(w->InvalidateCache(0, 0));
  ASSERT_OK(w->Close());
  auto r = OpenRandom("/d/a", Buffered(FileKind::kOther));
  ASSERT_OK(r->Prefetch(0, 4));
  ASSERT_OK(r->Hint(AccessPattern::kRandom));
  ASSERT_OK(r->InvalidateCache(0, 0));
  uint64_t size = 0;
  ASSERT_OK(r->GetFileSize(&size));
  std::unique_ptr<Directory> dir;
  ASSERT_OK(faulty_.NewDirectory("/d", &dir));
  ASSERT_OK(dir->Fsync());
  ASSERT_OK(dir->Close());
  ASSERT_OK(faulty_.FileExists("/d/a"));
  std::vector<std::string> names;
  ASSERT_OK(faulty_.GetChildren("/d", &names));
  ASSERT_OK(faulty_.GetFileSize("/d/a", &size));
  ASSERT_OK(faulty_.LinkFile("/d/a", "/d/b"));
  ASSERT_OK(faulty_.RenameFile("/d/b", "/d/c"));
  ASSERT_OK(faulty_.DeleteFile("/d/c"));
  ASSERT_OK(faulty_.DeleteFile("/d/a"));
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(faulty_.LockFile("/d/LOCK", &lock));
  ASSERT_OK(faulty_.UnlockFile(std::move(lock)));
  ASSERT_OK(faulty_.DeleteFile("/d/LOCK"));
  ASSERT_OK(faulty_.DeleteDir("/d"));

  const std::vector<FileOp> expected = {FileOp::kCreateDir,
                                        FileOp::kCreateDirIfMissing,
                                        FileOp::kOpenWritable,
                                        FileOp::kWrite,
                                        FileOp::kTruncate,
                                        FileOp::kFlush,
                                        FileOp::kSync,
                                        FileOp::kFsync,
                                        FileOp::kRangeSync,
                                        FileOp::kAllocate,
                                        FileOp::kInvalidateCache,
                                        FileOp::kClose,
                                        FileOp::kOpenRandomAccess,
                                        FileOp::kPrefetch,
                                        FileOp::kHint,
                                        FileOp::kInvalidateCache,
                                        FileOp::kGetFileSize,
                                        FileOp::kOpenDirectory,
                                        FileOp::kDirFsync,
                                        FileOp::kClose,
                                        FileOp::kFileExists,
                                        FileOp::kGetChildren,
                                        FileOp::kGetFileSize,
                                        FileOp::kLink,
                                        FileOp::kRename,
                                        FileOp::kDelete,
                                        FileOp::kDelete,
                                        FileOp::kLock,
                                        FileOp::kUnlock,
                                        FileOp::kDelete,
                                        FileOp::kDeleteDir};
  const std::vector<IORecord> records = faulty_.recorder().Records();
  ASSERT_EQ(records.size(), expected.size()) << faulty_.recorder().Dump();
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(records[i].op, expected[i]) << records[i].ToString();
    EXPECT_TRUE(records[i].ok()) << records[i].ToString();
    EXPECT_EQ(records[i].seq, records[0].seq + i);
  }
  EXPECT_EQ(records[4].offset, 4u);          // Truncate to 4.
  EXPECT_EQ(records[16].result_length, 4u);  // The file's size.
  EXPECT_EQ(records[21].result_length, 1u);  // One entry in /d.
  EXPECT_EQ(records[23].target, "/d/b");     // Link.
  EXPECT_EQ(records[24].path, "/d/b");       // Rename source...
  EXPECT_EQ(records[24].target, "/d/c");     // ... and target.
  EXPECT_EQ(records[28].path, "/d/LOCK");    // Unlock names the lock.
}

TEST_F(FaultInjectionFileSystemTest,
       FailedOperationsAreRecordedWithTheirStatus) {
  uint64_t size = 0;
  IOStatus s = faulty_.GetFileSize("/nope", &size);
  ASSERT_FALSE(s.ok());
  faulty_.AddRule({FileOp::kFsync, "t.sst", /*nth=*/1, Fault::kError});
  auto w = OpenWritable("/t.sst", Buffered(FileKind::kTableFlush));
  IOStatus fsync_status = w->Fsync();
  ASSERT_FALSE(fsync_status.ok());

  auto stats = RecordsOf(FileOp::kGetFileSize);
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].status.ToString(), s.ToString());
  EXPECT_EQ(stats[0].fault_rule_id, 0);
  auto fsyncs = RecordsOf(FileOp::kFsync);
  ASSERT_EQ(fsyncs.size(), 1u);
  EXPECT_EQ(fsyncs[0].status.ToString(), fsync_status.ToString());
  EXPECT_EQ(fsyncs[0].status.error_number(), EIO);
  EXPECT_NE(fsyncs[0].fault_rule_id, 0);
  EXPECT_EQ(faulty_.recorder().Totals(OpIs(FileOp::kFsync)).failed_ops, 1u);
  ASSERT_OK(w->Close());
}

// --- Error rules ------------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest,
       EioOnThirdWriteFiresOnceNamingFileOffsetAndLength) {
  const int rule =
      faulty_.AddRule({FileOp::kWrite, "t.sst", /*nth=*/3, Fault::kError});
  auto file = OpenWritable("/t.sst", Direct(FileKind::kTableFlush));
  AlignedBuffer buf = AlignedPattern(4096);
  ASSERT_OK(file->Append(Slice(buf.data(), 512)));
  ASSERT_OK(file->Append(Slice(buf.data(), 512)));
  IOStatus s = file->Append(Slice(buf.data(), 512));
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.error_number(), EIO);
  EXPECT_EQ(s.ToString(),
            "IO error: While pwrite to file at offset 1024 len 512: /t.sst: "
            "Input/output error");
  // The failed write never reached the wrapped file system.
  EXPECT_EQ(file->GetFileSize(), 1024u);
  ASSERT_OK(file->Append(Slice(buf.data(), 512)));
  ASSERT_OK(file->PositionedAppend(Slice(buf.data(), 512), 1536));
  EXPECT_EQ(faulty_.FireCount(rule), 1u);
  EXPECT_EQ(faulty_.MatchCount(rule), 5u);
  ASSERT_OK(file->Close());
  EXPECT_EQ(Content("/t.sst").size(), 2048u);
  auto writes = RecordsOf(FileOp::kWrite);
  ASSERT_EQ(writes.size(), 5u);
  EXPECT_EQ(writes[2].fault_rule_id, rule);
  EXPECT_EQ(writes[2].result_length, 0u);
  EXPECT_EQ(writes[2].status.ToString(), s.ToString());
}

TEST_F(FaultInjectionFileSystemTest, PositionalWriteErrorNamesItsOffset) {
  faulty_.AddRule({FileOp::kWrite, "t.sst", /*nth=*/1, Fault::kError});
  auto file = OpenWritable("/t.sst", Direct(FileKind::kTableFlush));
  AlignedBuffer buf = AlignedPattern(4096);
  IOStatus s = file->PositionedAppend(Slice(buf.data(), 512), 4096);
  EXPECT_EQ(s.ToString(),
            "IO error: While pwrite to file at offset 4096 len 512: /t.sst: "
            "Input/output error");
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, EnospcIsNoSpace) {
  FaultRule rule{FileOp::kWrite, "t.sst", /*nth=*/1, Fault::kError};
  rule.error_number = ENOSPC;
  faulty_.AddRule(rule);
  auto file = OpenWritable("/t.sst", Buffered(FileKind::kTableFlush));
  IOStatus s = file->Append("abc");
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(s.error_number(), ENOSPC);
  EXPECT_THAT(s.ToString(),
              HasSubstr("While pwrite to file at offset 0 len 3: /t.sst"));
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, InjectedErrorsUseTheRealContexts) {
  auto inject = [&](FileOp op, int err) {
    FaultRule rule{op, "", /*nth=*/0, Fault::kError};
    rule.error_number = err;
    return faulty_.AddRule(rule);
  };
  ASSERT_OK(fake_.WriteFileContent("/f", Pattern(8192)));
  auto w = OpenWritable("/w", Buffered(FileKind::kOther));
  auto r = OpenRandom("/f", Buffered(FileKind::kOther));
  inject(FileOp::kSync, EIO);
  inject(FileOp::kTruncate, EIO);
  inject(FileOp::kRead, EIO);
  inject(FileOp::kDelete, ENOENT);
  inject(FileOp::kRename, EXDEV);
  inject(FileOp::kOpenWritable, EACCES);
  EXPECT_EQ(w->Sync().ToString(),
            "IO error: While fdatasync: /w: Input/output error");
  EXPECT_EQ(w->Truncate(7).ToString(),
            "IO error: While ftruncate file to size 7: /w: Input/output error");
  Slice result;
  char scratch[100];
  EXPECT_EQ(
      r->Read(4000, 100, &result, scratch).ToString(),
      "IO error: While pread offset 4000 len 100: /f: Input/output error");
  IOStatus deleted = faulty_.DeleteFile("/f");
  EXPECT_TRUE(deleted.IsNotFound());
  EXPECT_EQ(deleted.ToString(),
            "NotFound: While unlink: /f: No such file or directory");
  EXPECT_EQ(faulty_.RenameFile("/f", "/g").ToString(),
            "IO error: While rename to /g: /f: Invalid cross-device link");
  std::unique_ptr<WritableFile> denied;
  EXPECT_EQ(faulty_.NewWritableFile("/x", Buffered(FileKind::kOther), &denied)
                .ToString(),
            "IO error: While open a file for appending: /x: Permission denied");
  EXPECT_EQ(denied, nullptr);
  faulty_.ClearRules();
  ASSERT_OK(w->Close());
}

TEST_F(FaultInjectionFileSystemTest,
       EinvalOnDirectOpenIsNotSupportedLikePosix) {
  FaultRule rule{FileOp::kOpenRandomAccess, "t.sst", /*nth=*/1, Fault::kError};
  rule.error_number = EINVAL;
  faulty_.AddRule(rule);
  ASSERT_OK(fake_.WriteFileContent("/t.sst", Pattern(10)));
  std::unique_ptr<RandomAccessFile> file;
  IOStatus s = faulty_.NewRandomAccessFile(
      "/t.sst", Direct(FileKind::kTableUserRead), &file);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_EQ(s.ToString(),
            "Not implemented: While open a file for random read with O_DIRECT: "
            "/t.sst: Invalid argument (the file system refuses direct I/O)");
  EXPECT_EQ(file, nullptr);
}

TEST_F(FaultInjectionFileSystemTest, NthZeroFiresEveryTime) {
  const int rule =
      faulty_.AddRule({FileOp::kSync, "wal", /*nth=*/0, Fault::kError});
  auto file = OpenWritable("/000001.wal", Buffered(FileKind::kWal));
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(file->Sync().IsIOError());
  }
  EXPECT_EQ(faulty_.FireCount(rule), 5u);
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, CountFiresOnConsecutiveOccurrences) {
  FaultRule rule{FileOp::kSync, "wal", /*nth=*/2, Fault::kError};
  rule.count = 2;
  const int id = faulty_.AddRule(rule);
  FaultRule from_fifth{FileOp::kFsync, "wal", /*nth=*/5, Fault::kError};
  from_fifth.count = FaultRule::kUnlimited;
  faulty_.AddRule(from_fifth);
  auto file = OpenWritable("/000001.wal", Buffered(FileKind::kWal));
  std::vector<bool> sync_ok;
  std::vector<bool> fsync_ok;
  for (int i = 0; i < 7; ++i) {
    sync_ok.push_back(file->Sync().ok());
    fsync_ok.push_back(file->Fsync().ok());
  }
  EXPECT_EQ(sync_ok,
            (std::vector<bool>{true, false, false, true, true, true, true}));
  EXPECT_EQ(fsync_ok,
            (std::vector<bool>{true, true, true, true, false, false, false}));
  EXPECT_EQ(faulty_.FireCount(id), 2u);
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, CountingStartsWhenTheRuleIsAdded) {
  auto file = OpenWritable("/w", Buffered(FileKind::kOther));
  ASSERT_OK(file->Sync());
  ASSERT_OK(file->Sync());
  faulty_.AddRule({FileOp::kSync, "/w", /*nth=*/2, Fault::kError});
  EXPECT_OK(file->Sync());
  EXPECT_TRUE(file->Sync().IsIOError());
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, SubstringPatternMatchesAnywhereInThePath) {
  faulty_.AddRule({FileOp::kOpenWritable, "0007", /*nth=*/0, Fault::kError});
  std::unique_ptr<WritableFile> file;
  EXPECT_FALSE(
      faulty_.NewWritableFile("/000071.sst", Buffered(FileKind::kOther), &file)
          .ok());
  EXPECT_FALSE(
      faulty_.NewWritableFile("/100007.log", Buffered(FileKind::kOther), &file)
          .ok());
  EXPECT_OK(faulty_.NewWritableFile("/000170.sst", Buffered(FileKind::kOther),
                                    &file));
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, GlobPatternMatchesTheWholePath) {
  faulty_.AddRule({FileOp::kOpenWritable, "*.sst", /*nth=*/0, Fault::kError});
  faulty_.AddRule({FileOp::kOpenWritable, "/db/MANIFEST-00000?",
                   /*nth=*/0, Fault::kError});
  ASSERT_OK(fake_.CreateDir("/db"));
  std::unique_ptr<WritableFile> file;
  EXPECT_FALSE(
      faulty_
          .NewWritableFile("/db/000012.sst", Buffered(FileKind::kOther), &file)
          .ok());
  EXPECT_FALSE(faulty_
                   .NewWritableFile("/db/MANIFEST-000005",
                                    Buffered(FileKind::kOther), &file)
                   .ok());
  // A glob is anchored: these contain a match but are not one.
  ASSERT_OK(faulty_.NewWritableFile("/db/000012.sst.tmp",
                                    Buffered(FileKind::kOther), &file));
  ASSERT_OK(file->Close());
  ASSERT_OK(faulty_.NewWritableFile("/db/MANIFEST-0000051",
                                    Buffered(FileKind::kOther), &file));
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, NonMatchingPathsAndOpsAreUntouched) {
  const int rule =
      faulty_.AddRule({FileOp::kWrite, "t.sst", /*nth=*/0, Fault::kError});
  auto other = OpenWritable("/other.sst", Buffered(FileKind::kOther));
  auto t = OpenWritable("/t.sst", Buffered(FileKind::kOther));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(other->Append("x"));
    ASSERT_OK(t->Sync());  // A different op on the matching path.
  }
  EXPECT_EQ(faulty_.MatchCount(rule), 0u);
  EXPECT_EQ(Content("/other.sst"), "xxx");
  ASSERT_OK(other->Close());
  ASSERT_OK(t->Close());
}

TEST_F(FaultInjectionFileSystemTest, RenameRuleMatchesSourceOrTarget) {
  faulty_.AddRule({FileOp::kRename, "CURRENT", /*nth=*/0, Fault::kError});
  ASSERT_OK(fake_.WriteFileContent("/CURRENT.tmp", "MANIFEST-1\n"));
  ASSERT_OK(fake_.WriteFileContent("/a", "a"));
  IOStatus s = faulty_.RenameFile("/CURRENT.tmp", "/CURRENT");
  EXPECT_EQ(s.ToString(),
            "IO error: While rename to /CURRENT: /CURRENT.tmp: "
            "Input/output error");
  EXPECT_TRUE(fake_.FileExists("/CURRENT").IsNotFound());
  EXPECT_TRUE(faulty_.RenameFile("/a", "/CURRENT").IsIOError());
  EXPECT_OK(faulty_.RenameFile("/a", "/b"));
}

TEST_F(FaultInjectionFileSystemTest, SeveralDueRulesOnlyTheFirstFires) {
  const int first =
      faulty_.AddRule({FileOp::kSync, "w", /*nth=*/1, Fault::kError});
  FaultRule nospace{FileOp::kSync, "w", /*nth=*/1, Fault::kError};
  nospace.error_number = ENOSPC;
  const int second = faulty_.AddRule(nospace);
  auto file = OpenWritable("/w", Buffered(FileKind::kOther));
  IOStatus s = file->Sync();
  EXPECT_TRUE(s.IsIOError());
  EXPECT_FALSE(s.IsNoSpace());
  EXPECT_EQ(faulty_.FireCount(first), 1u);
  EXPECT_EQ(faulty_.FireCount(second), 0u);
  EXPECT_EQ(faulty_.MatchCount(second), 1u);
  // The second rule's turn (the 1st occurrence) has passed.
  EXPECT_OK(file->Sync());
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, ErrorAfterEffectWritesTheDataButFails) {
  FaultRule rule{FileOp::kWrite, "t.sst", /*nth=*/2, Fault::kErrorAfterEffect};
  rule.error_number = ENOSPC;
  faulty_.AddRule(rule);
  auto file = OpenWritable("/t.sst", Buffered(FileKind::kOther));
  ASSERT_OK(file->Append("abc"));
  IOStatus s = file->Append("def");
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("offset 3 len 3: /t.sst"));
  EXPECT_EQ(Content("/t.sst"), "abcdef");
  auto writes = RecordsOf(FileOp::kWrite);
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[1].result_length, 3u);
  EXPECT_FALSE(writes[1].ok());
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, ErrorAfterEffectSyncMakesDataDurable) {
  faulty_.AddRule(
      {FileOp::kSync, "t.sst", /*nth=*/1, Fault::kErrorAfterEffect});
  auto file = OpenWritable("/t.sst", Buffered(FileKind::kOther));
  ASSERT_OK(file->Append("abcdef"));
  EXPECT_TRUE(file->Sync().IsIOError());
  EXPECT_EQ(fake_.SyncedSize("/t.sst"), 6u);
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, ErrorBeforeEffectLeavesThePathAlone) {
  ASSERT_OK(fake_.WriteFileContent("/a", "a"));
  ASSERT_OK(fake_.WriteFileContent("/b", "b"));
  faulty_.AddRule({FileOp::kDelete, "/a", /*nth=*/1, Fault::kError});
  faulty_.AddRule({FileOp::kDelete, "/b", /*nth=*/1, Fault::kErrorAfterEffect});
  EXPECT_TRUE(faulty_.DeleteFile("/a").IsIOError());
  EXPECT_TRUE(faulty_.DeleteFile("/b").IsIOError());
  EXPECT_OK(fake_.FileExists("/a"));
  EXPECT_TRUE(fake_.FileExists("/b").IsNotFound());
}

TEST_F(FaultInjectionFileSystemTest,
       ErrorAfterEffectOnOpenCreatesTheFileButReturnsNone) {
  faulty_.AddRule(
      {FileOp::kOpenWritable, "t.sst", /*nth=*/1, Fault::kErrorAfterEffect});
  ASSERT_OK(fake_.WriteFileContent("/t.sst", "old content"));
  std::unique_ptr<WritableFile> file;
  IOStatus s =
      faulty_.NewWritableFile("/t.sst", Buffered(FileKind::kOther), &file);
  EXPECT_EQ(s.ToString(),
            "IO error: While open a file for appending: /t.sst: "
            "Input/output error");
  EXPECT_EQ(file, nullptr);
  EXPECT_EQ(Content("/t.sst"), "");  // Truncated by the open that happened.
  auto opens = RecordsOf(FileOp::kOpenWritable);
  ASSERT_EQ(opens.size(), 1u);
  EXPECT_FALSE(opens[0].ok());
}

TEST_F(FaultInjectionFileSystemTest, FailedQueriesReturnNoStaleResults) {
  ASSERT_OK(fake_.WriteFileContent("/f", "12345"));
  faulty_.AddRule({FileOp::kGetChildren, "/", /*nth=*/1, Fault::kError});
  faulty_.AddRule({FileOp::kGetFileSize, "/f", /*nth=*/1, Fault::kError});
  std::vector<std::string> names = {"stale"};
  IOStatus s = faulty_.GetChildren("/", &names);
  EXPECT_EQ(s.ToString(), "IO error: While opendir: /: Input/output error");
  EXPECT_TRUE(names.empty());
  uint64_t size = 77;
  s = faulty_.GetFileSize("/f", &size);
  EXPECT_EQ(s.ToString(), "IO error: While stat: /f: Input/output error");
  EXPECT_EQ(size, 0u);
  ASSERT_OK(faulty_.GetFileSize("/f", &size));
  EXPECT_EQ(size, 5u);
}

TEST_F(FaultInjectionFileSystemTest, ErrorAfterEffectOnLockReleasesTheLock) {
  faulty_.AddRule({FileOp::kLock, "LOCK", /*nth=*/1, Fault::kErrorAfterEffect});
  std::unique_ptr<FileLock> lock;
  EXPECT_TRUE(faulty_.LockFile("/LOCK", &lock).IsIOError());
  EXPECT_EQ(lock, nullptr);
  // Nobody holds it, so it can be taken again.
  ASSERT_OK(faulty_.LockFile("/LOCK", &lock));
  ASSERT_OK(faulty_.UnlockFile(std::move(lock)));
}

TEST_F(FaultInjectionFileSystemTest, FailedUnlockStillReleasesTheLock) {
  faulty_.AddRule({FileOp::kUnlock, "LOCK", /*nth=*/1, Fault::kError});
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(faulty_.LockFile("/LOCK", &lock));
  IOStatus s = faulty_.UnlockFile(std::move(lock));
  EXPECT_EQ(s.ToString(),
            "IO error: While unlock file: /LOCK: Input/output error");
  ASSERT_OK(faulty_.LockFile("/LOCK", &lock));
  ASSERT_OK(faulty_.UnlockFile(std::move(lock)));
}

// --- Short reads ------------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, ShortReadReturnsFewerBytesWithOk) {
  const std::string content = Pattern(10000);
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  const int rule =
      faulty_.AddRule({FileOp::kRead, "t.sst", /*nth=*/2, Fault::kShortRead});
  auto file = OpenRandom("/t.sst", Buffered(FileKind::kTableUserRead));
  std::string scratch(1000, '\0');
  Slice result;
  ASSERT_OK(file->Read(0, 1000, &result, scratch.data()));
  EXPECT_EQ(result.size(), 1000u);
  ASSERT_OK(file->Read(3000, 1000, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), content.substr(3000, 500));  // Half, mid-file.
  ASSERT_OK(file->Read(3000, 1000, &result, scratch.data()));
  EXPECT_EQ(result.size(), 1000u);
  EXPECT_EQ(faulty_.FireCount(rule), 1u);
  auto reads = RecordsOf(FileOp::kRead);
  ASSERT_EQ(reads.size(), 3u);
  EXPECT_EQ(reads[1].length, 1000u);
  EXPECT_EQ(reads[1].result_length, 500u);
  EXPECT_TRUE(reads[1].ok());
  EXPECT_EQ(reads[1].fault_rule_id, rule);
}

TEST_F(FaultInjectionFileSystemTest, DirectShortReadStopsAtAnAlignedLength) {
  const std::string content = Pattern(8192);
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  FaultRule half{FileOp::kRead, "t.sst", /*nth=*/1, Fault::kShortRead};
  faulty_.AddRule(half);  // 2560 / 2 = 1280 -> 1024.
  FaultRule exact{FileOp::kRead, "t.sst", /*nth=*/2, Fault::kShortRead};
  exact.short_read_bytes = 1280;
  exact.round_short_read_to_alignment = false;
  faulty_.AddRule(exact);
  FaultRule some{FileOp::kRead, "t.sst", /*nth=*/3, Fault::kShortRead};
  some.short_read_bytes = 1500;  // -> 1024.
  faulty_.AddRule(some);
  auto file = OpenRandom("/t.sst", Direct(FileKind::kTableUserRead));
  AlignedBuffer buf(4096);
  buf.Allocate(4096);
  Slice result;
  ASSERT_OK(file->Read(512, 2560, &result, buf.data()));
  EXPECT_EQ(result.ToString(), content.substr(512, 1024));
  ASSERT_OK(file->Read(512, 2560, &result, buf.data()));
  EXPECT_EQ(result.ToString(), content.substr(512, 1280));
  ASSERT_OK(file->Read(512, 2560, &result, buf.data()));
  EXPECT_EQ(result.size(), 1024u);
}

TEST_F(FaultInjectionFileSystemTest,
       SequentialShortReadContinuesWhereItStopped) {
  const std::string content = Pattern(4096);
  ASSERT_OK(fake_.WriteFileContent("/MANIFEST", content));
  FaultRule rule{FileOp::kRead, "MANIFEST", /*nth=*/1, Fault::kShortRead};
  rule.short_read_bytes = 100;
  faulty_.AddRule(rule);
  std::unique_ptr<SequentialFile> file;
  ASSERT_OK(faulty_.NewSequentialFile("/MANIFEST",
                                      Buffered(FileKind::kManifest), &file));
  std::string scratch(1000, '\0');
  Slice result;
  ASSERT_OK(file->Read(1000, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), content.substr(0, 100));
  ASSERT_OK(file->Read(1000, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), content.substr(100, 1000));
  auto reads = RecordsOf(FileOp::kRead);
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].result_length, 100u);
  EXPECT_EQ(reads[1].offset, 100u);
}

TEST_F(FaultInjectionFileSystemTest,
       DirectSequentialShortReadKeepsPositionAligned) {
  const std::string content = Pattern(4096);
  ASSERT_OK(fake_.WriteFileContent("/MANIFEST", content));
  FaultRule rule{FileOp::kRead, "MANIFEST", /*nth=*/1, Fault::kShortRead};
  rule.short_read_bytes = 700;
  rule.round_short_read_to_alignment = false;  // Ignored: always rounds.
  faulty_.AddRule(rule);
  std::unique_ptr<SequentialFile> file;
  ASSERT_OK(faulty_.NewSequentialFile("/MANIFEST", Direct(FileKind::kManifest),
                                      &file));
  AlignedBuffer buf(4096);
  buf.Allocate(2048);
  Slice result;
  ASSERT_OK(file->Read(2048, &result, buf.data()));
  EXPECT_EQ(result.ToString(), content.substr(0, 512));
  ASSERT_OK(file->Read(2048, &result, buf.data()));
  EXPECT_EQ(result.ToString(), content.substr(512, 2048));
}

TEST_F(FaultInjectionFileSystemTest,
       MisalignedDirectSequentialReadIsNotShortened) {
  // Shortening a misaligned direct read to an aligned length would hide the
  // caller's mistake; the wrapped file must see it and refuse it.
  ASSERT_OK(fake_.WriteFileContent("/MANIFEST", Pattern(4096)));
  faulty_.AddRule({FileOp::kRead, "MANIFEST", /*nth=*/1, Fault::kShortRead});
  std::unique_ptr<SequentialFile> file;
  ASSERT_OK(faulty_.NewSequentialFile("/MANIFEST", Direct(FileKind::kManifest),
                                      &file));
  AlignedBuffer buf(4096);
  buf.Allocate(4096);
  Slice result;
  IOStatus s = file->Read(1500, &result, buf.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

// --- Flipped bytes ----------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, FlippedByteChangesExactlyOneByte) {
  const std::string content = Pattern(4096);
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  FaultRule rule{FileOp::kRead, "t.sst", /*nth=*/1, Fault::kFlipByte};
  rule.flip_position = 10;
  rule.flip_mask = 0x01;
  faulty_.AddRule(rule);
  auto file = OpenRandom("/t.sst", Buffered(FileKind::kTableUserRead));
  std::string scratch(100, '\0');
  Slice result;
  ASSERT_OK(file->Read(1000, 100, &result, scratch.data()));
  ASSERT_EQ(result.size(), 100u);
  const std::string expected = content.substr(1000, 100);
  EXPECT_EQ(Differences(result.view(), expected), std::vector<size_t>{10});
  EXPECT_EQ(result[10], static_cast<char>(expected[10] ^ 0x01));
  // The file itself is intact.
  ASSERT_OK(file->Read(1000, 100, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), expected);
  EXPECT_EQ(Content("/t.sst"), content);
}

TEST_F(FaultInjectionFileSystemTest, FlipPastTheReturnedDataChangesNothing) {
  const std::string content = Pattern(200);
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  FaultRule rule{FileOp::kRead, "t.sst", /*nth=*/1, Fault::kFlipByte};
  rule.flip_position = 150;
  const int id = faulty_.AddRule(rule);
  auto file = OpenRandom("/t.sst", Buffered(FileKind::kTableUserRead));
  std::string scratch(100, '\0');
  Slice result;
  ASSERT_OK(file->Read(0, 100, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), content.substr(0, 100));
  EXPECT_EQ(faulty_.FireCount(id), 1u);  // It took its turn all the same.
}

TEST_F(FaultInjectionFileSystemTest, SeededFlipPicksOneReproduciblePosition) {
  const std::string content = Pattern(4096);
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  FaultRule rule{FileOp::kRead, "t.sst", /*nth=*/0, Fault::kFlipByte};
  rule.seed = 42;
  rule.count = 2;
  faulty_.AddRule(rule);
  FaultInjectionFileSystem same_seed(&fake_);
  same_seed.AddRule(rule);
  auto file = OpenRandom("/t.sst", Buffered(FileKind::kTableUserRead));
  std::unique_ptr<RandomAccessFile> twin;
  ASSERT_OK(same_seed.NewRandomAccessFile(
      "/t.sst", Buffered(FileKind::kTableUserRead), &twin));
  std::string scratch(4096, '\0');
  Slice result;
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK(file->Read(0, 4096, &result, scratch.data()));
    const std::vector<size_t> diffs = Differences(result.view(), content);
    ASSERT_EQ(diffs.size(), 1u);
    EXPECT_EQ(static_cast<uint8_t>(result[diffs[0]] ^ content[diffs[0]]),
              0xffu);
    ASSERT_OK(twin->Read(0, 4096, &result, scratch.data()));
    EXPECT_EQ(Differences(result.view(), content), diffs);
  }
}

TEST_F(FaultInjectionFileSystemTest, FlipOnMmapReadCopiesIntoScratch) {
  const std::string content = Pattern(4096);
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  FaultRule rule{FileOp::kRead, "t.sst", /*nth=*/1, Fault::kFlipByte};
  rule.flip_position = 0;
  faulty_.AddRule(rule);
  FileOptions options = Buffered(FileKind::kTableUserRead);
  options.use_mmap_reads = true;
  auto file = OpenRandom("/t.sst", options);
  ASSERT_EQ(file->mode(), IOMode::kMmap);
  std::string scratch(16, '\0');
  Slice result;
  ASSERT_OK(file->Read(100, 16, &result, scratch.data()));
  EXPECT_EQ(result.data(), scratch.data());
  EXPECT_EQ(Differences(result.view(), content.substr(100, 16)),
            std::vector<size_t>{0});
  // The mapping was not written to.
  ASSERT_OK(file->Read(100, 16, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), content.substr(100, 16));
}

TEST_F(FaultInjectionFileSystemTest,
       FlipOnWriteCorruptsStoredBytesNotCallerBuffer) {
  FaultRule rule{FileOp::kWrite, "t.sst", /*nth=*/1, Fault::kFlipByte};
  rule.flip_position = 3;
  faulty_.AddRule(rule);
  auto file = OpenWritable("/t.sst", Direct(FileKind::kTableFlush));
  AlignedBuffer buf = AlignedPattern(512);
  const std::string original(buf.data(), 512);
  ASSERT_OK(file->PositionedAppend(Slice(buf.data(), 512), 0));
  EXPECT_EQ(std::string(buf.data(), 512), original);
  ASSERT_OK(file->Close());
  EXPECT_EQ(Differences(Content("/t.sst"), original), std::vector<size_t>{3});
}

// --- MultiRead --------------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, MultiReadRecordsAndFaultsEachRequest) {
  const std::string content = Pattern(8192);
  ASSERT_OK(fake_.WriteFileContent("/t.sst", content));
  const int rule =
      faulty_.AddRule({FileOp::kRead, "t.sst", /*nth=*/2, Fault::kError});
  FaultRule short_third{FileOp::kRead, "t.sst", /*nth=*/3, Fault::kShortRead};
  faulty_.AddRule(short_third);
  auto file = OpenRandom("/t.sst", Direct(FileKind::kTableUserRead));
  AlignedBuffer buf(4096);
  buf.Allocate(3 * 4096);
  ReadRequest reqs[3];
  for (int i = 0; i < 3; ++i) {
    reqs[i].offset = static_cast<uint64_t>(i) * 2048;
    reqs[i].len = 2048;
    reqs[i].scratch = buf.data() + i * 4096;
  }
  ASSERT_OK(file->MultiRead(reqs, 3));
  ASSERT_OK(reqs[0].status);
  EXPECT_EQ(reqs[0].result.ToString(), content.substr(0, 2048));
  EXPECT_EQ(reqs[1].status.ToString(),
            "IO error: While pread offset 2048 len 2048: /t.sst: "
            "Input/output error");
  EXPECT_TRUE(reqs[1].result.empty());
  ASSERT_OK(reqs[2].status);
  EXPECT_EQ(reqs[2].result.ToString(), content.substr(4096, 1024));

  auto reads = RecordsOf(FileOp::kRead);
  ASSERT_EQ(reads.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(reads[i].offset, static_cast<uint64_t>(i) * 2048);
    EXPECT_EQ(reads[i].length, 2048u);
    EXPECT_EQ(reads[i].mode, IOMode::kDirect);
  }
  EXPECT_EQ(reads[0].result_length, 2048u);
  EXPECT_EQ(reads[1].fault_rule_id, rule);
  EXPECT_FALSE(reads[1].ok());
  EXPECT_EQ(reads[2].result_length, 1024u);
}

// Forwards to a base file system; the random-access files it opens refuse
// every MultiRead batch as a whole (as an io_uring submission failure
// would), which FakeFileSystem never does.
class BatchRefusingFile final : public RandomAccessFile {
 public:
  explicit BatchRefusingFile(std::unique_ptr<RandomAccessFile> base)
      : base_(std::move(base)) {}
  bool use_direct_io() const override { return base_->use_direct_io(); }
  IOMode mode() const override { return base_->mode(); }
  DirectIOAlignment alignment() const override { return base_->alignment(); }
  const std::string& path() const override { return base_->path(); }
  IOStatus Read(uint64_t offset, size_t n, Slice* result,
                char* scratch) const override {
    return base_->Read(offset, n, result, scratch);
  }
  IOStatus MultiRead(ReadRequest*, size_t) const override {
    return IOStatus::FromErrno("While io_uring_submit: " + path(), EAGAIN);
  }
  IOStatus Prefetch(uint64_t offset, size_t n) const override {
    return base_->Prefetch(offset, n);
  }
  IOStatus Hint(AccessPattern pattern) const override {
    return base_->Hint(pattern);
  }
  IOStatus InvalidateCache(uint64_t offset, uint64_t len) const override {
    return base_->InvalidateCache(offset, len);
  }
  IOStatus GetFileSize(uint64_t* size) const override {
    return base_->GetFileSize(size);
  }

 private:
  std::unique_ptr<RandomAccessFile> base_;
};

class BatchRefusingFileSystem final : public FileSystem {
 public:
  explicit BatchRefusingFileSystem(FileSystem* base) : base_(base) {}
  const char* Name() const override { return "BatchRefusingFileSystem"; }
  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override {
    return base_->NewWritableFile(path, options, result);
  }
  IOStatus NewRandomAccessFile(
      const std::string& path, const FileOptions& options,
      std::unique_ptr<RandomAccessFile>* result) override {
    std::unique_ptr<RandomAccessFile> file;
    STRATA_RETURN_IF_ERROR(base_->NewRandomAccessFile(path, options, &file));
    *result = std::make_unique<BatchRefusingFile>(std::move(file));
    return IOStatus::OK();
  }
  IOStatus NewSequentialFile(const std::string& path,
                             const FileOptions& options,
                             std::unique_ptr<SequentialFile>* result) override {
    return base_->NewSequentialFile(path, options, result);
  }
  IOStatus NewDirectory(const std::string& path,
                        std::unique_ptr<Directory>* result) override {
    return base_->NewDirectory(path, result);
  }
  IOStatus FileExists(const std::string& path) override {
    return base_->FileExists(path);
  }
  IOStatus GetChildren(const std::string& dir,
                       std::vector<std::string>* names) override {
    return base_->GetChildren(dir, names);
  }
  IOStatus DeleteFile(const std::string& path) override {
    return base_->DeleteFile(path);
  }
  IOStatus CreateDir(const std::string& path) override {
    return base_->CreateDir(path);
  }
  IOStatus CreateDirIfMissing(const std::string& path) override {
    return base_->CreateDirIfMissing(path);
  }
  IOStatus DeleteDir(const std::string& path) override {
    return base_->DeleteDir(path);
  }
  IOStatus GetFileSize(const std::string& path, uint64_t* size) override {
    return base_->GetFileSize(path, size);
  }
  IOStatus RenameFile(const std::string& source,
                      const std::string& target) override {
    return base_->RenameFile(source, target);
  }
  IOStatus LinkFile(const std::string& source,
                    const std::string& target) override {
    return base_->LinkFile(source, target);
  }
  IOStatus LockFile(const std::string& path,
                    std::unique_ptr<FileLock>* lock) override {
    return base_->LockFile(path, lock);
  }
  IOStatus UnlockFile(std::unique_ptr<FileLock> lock) override {
    return base_->UnlockFile(std::move(lock));
  }

 private:
  FileSystem* const base_;
};

TEST_F(FaultInjectionFileSystemTest,
       RefusedMultiReadBatchFailsEveryForwardedRequest) {
  ASSERT_OK(fake_.WriteFileContent("/t.sst", Pattern(8192)));
  BatchRefusingFileSystem refusing(&fake_);
  FaultInjectionFileSystem faulty(&refusing);
  faulty.AddRule({FileOp::kRead, "t.sst", /*nth=*/1, Fault::kError});
  std::unique_ptr<RandomAccessFile> file;
  ASSERT_OK(faulty.NewRandomAccessFile(
      "/t.sst", Buffered(FileKind::kTableUserRead), &file));
  std::string scratch(200, '\0');
  ReadRequest reqs[2];
  reqs[0].offset = 0;
  reqs[0].len = 100;
  reqs[0].scratch = scratch.data();
  reqs[1].offset = 100;
  reqs[1].len = 100;
  reqs[1].scratch = scratch.data() + 100;
  reqs[1].result = Slice("stale");
  IOStatus s = file->MultiRead(reqs, 2);
  EXPECT_EQ(s.ToString(),
            "IO error: While io_uring_submit: /t.sst: Resource temporarily "
            "unavailable");
  // The first request was stopped by the rule, the second by the batch.
  EXPECT_EQ(reqs[0].status.ToString(),
            "IO error: While pread offset 0 len 100: /t.sst: Input/output "
            "error");
  EXPECT_EQ(reqs[1].status.ToString(), s.ToString());
  EXPECT_TRUE(reqs[1].result.empty());
  auto reads = faulty.recorder().Records(OpIs(FileOp::kRead));
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].status.ToString(), reqs[0].status.ToString());
  EXPECT_NE(reads[0].fault_rule_id, 0);
  EXPECT_EQ(reads[1].status.ToString(), s.ToString());
  EXPECT_EQ(reads[1].fault_rule_id, 0);
}

// --- Rule management --------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, RemovedRuleStopsFiringAndKeepsItsCounts) {
  const int rule =
      faulty_.AddRule({FileOp::kSync, "w", /*nth=*/0, Fault::kError});
  auto file = OpenWritable("/w", Buffered(FileKind::kOther));
  EXPECT_FALSE(file->Sync().ok());
  EXPECT_TRUE(faulty_.RemoveRule(rule));
  EXPECT_FALSE(faulty_.RemoveRule(rule));
  EXPECT_FALSE(faulty_.RemoveRule(12345));
  EXPECT_OK(file->Sync());
  EXPECT_EQ(faulty_.FireCount(rule), 1u);
  EXPECT_EQ(faulty_.MatchCount(rule), 1u);
  EXPECT_EQ(faulty_.FireCount(12345), 0u);
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, ClearRulesRemovesEveryRule) {
  const int a = faulty_.AddRule({FileOp::kSync, "w", /*nth=*/0, Fault::kError});
  const int b =
      faulty_.AddRule({FileOp::kFsync, "w", /*nth=*/0, Fault::kError});
  EXPECT_NE(a, b);
  auto file = OpenWritable("/w", Buffered(FileKind::kOther));
  faulty_.ClearRules();
  EXPECT_OK(file->Sync());
  EXPECT_OK(file->Fsync());
  EXPECT_FALSE(faulty_.RemoveRule(a));
  const int c = faulty_.AddRule({FileOp::kSync, "w", /*nth=*/0, Fault::kError});
  EXPECT_GT(c, b);  // Ids are never reused.
  EXPECT_FALSE(file->Sync().ok());
  ASSERT_OK(file->Close());
}

TEST_F(FaultInjectionFileSystemTest, FilesMayOutliveTheWrapper) {
  ASSERT_OK(fake_.WriteFileContent("/t.sst", Pattern(100)));
  std::unique_ptr<RandomAccessFile> file;
  {
    FaultInjectionFileSystem short_lived(&fake_);
    ASSERT_OK(short_lived.NewRandomAccessFile(
        "/t.sst", Buffered(FileKind::kOther), &file));
  }
  char scratch[10];
  Slice result;
  ASSERT_OK(file->Read(0, 10, &result, scratch));
  EXPECT_EQ(result.size(), 10u);
}

// --- Concurrency ------------------------------------------------------------

TEST_F(FaultInjectionFileSystemTest, ConcurrentUseRecordsEverything) {
  constexpr int kThreads = 4;
  constexpr int kOpsPerThread = 300;
  const std::string content = Pattern(4096);
  ASSERT_OK(fake_.WriteFileContent("/shared.sst", content));
  auto shared = OpenRandom("/shared.sst", Buffered(FileKind::kTableUserRead));
  const int rule = faulty_.AddRule(
      {FileOp::kRead, "shared.sst", /*nth=*/250, Fault::kError});
  faulty_.recorder().Clear();

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<WritableFile> w;
      const std::string path = "/w" + std::to_string(t);
      if (!faulty_.NewWritableFile(path, Buffered(FileKind::kOther), &w).ok()) {
        return;
      }
      char scratch[64];
      for (int i = 0; i < kOpsPerThread; ++i) {
        w->Append("0123456789abcdef").PermitUncheckedError();
        Slice result;
        // One of these reads fails by design; the records say which.
        shared->Read(static_cast<uint64_t>(i) * 8, 64, &result, scratch)
            .PermitUncheckedError();
      }
      w->Close().PermitUncheckedError();
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }

  const std::vector<IORecord> records = faulty_.recorder().Records();
  ASSERT_EQ(records.size(),
            static_cast<size_t>(kThreads * (2 + 2 * kOpsPerThread)));
  std::set<uint64_t> seqs;
  for (const IORecord& r : records) {
    seqs.insert(r.seq);
  }
  EXPECT_EQ(seqs.size(), records.size());
  const IOTotals writes = faulty_.recorder().Totals(OpIs(FileOp::kWrite));
  EXPECT_EQ(writes.ops, static_cast<uint64_t>(kThreads * kOpsPerThread));
  EXPECT_EQ(writes.result_bytes,
            static_cast<uint64_t>(kThreads * kOpsPerThread * 16));
  const IOTotals reads = faulty_.recorder().Totals(OpIs(FileOp::kRead));
  EXPECT_EQ(reads.ops, static_cast<uint64_t>(kThreads * kOpsPerThread));
  EXPECT_EQ(reads.failed_ops, 1u);
  EXPECT_EQ(faulty_.FireCount(rule), 1u);
  EXPECT_EQ(faulty_.MatchCount(rule),
            static_cast<uint64_t>(kThreads * kOpsPerThread));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(Content("/w" + std::to_string(t)).size(),
              static_cast<size_t>(kOpsPerThread * 16));
  }
}

}  // namespace
}  // namespace strata
