// IORecorder: a thread-safe log of file-system operations, so that tests can
// prove what happened: which files were opened in which mode, how long each
// read and write was and where, how the buffer was aligned, and which calls
// failed and how.
//
// FaultInjectionFileSystem (env/fault_injection_file_system.h) fills one with
// every call made through it; anything else may Add() records too.
//
// Thread-safety: every method may be called concurrently; records appended by
// concurrent callers appear in the order their Add() calls took the lock.
// Ownership: owns copies of its records; accessors return copies, so nothing
// returned refers into the recorder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

// One kind of file-system operation. Not persisted; the order is only for
// switch statements.
enum class FileOp : uint8_t {
  kOpenWritable,        // FileSystem::NewWritableFile.
  kOpenRandomAccess,    // FileSystem::NewRandomAccessFile.
  kOpenSequential,      // FileSystem::NewSequentialFile.
  kOpenDirectory,       // FileSystem::NewDirectory.
  kRead,                // Random-access and sequential reads; one per
                        // MultiRead request.
  kSkip,                // SequentialFile::Skip.
  kPrefetch,            // RandomAccessFile::Prefetch.
  kHint,                // RandomAccessFile::Hint.
  kWrite,               // WritableFile::Append and PositionedAppend.
  kTruncate,            // WritableFile::Truncate.
  kFlush,               // WritableFile::Flush.
  kSync,                // WritableFile::Sync (fdatasync).
  kFsync,               // WritableFile::Fsync.
  kRangeSync,           // WritableFile::RangeSync.
  kAllocate,            // WritableFile::Allocate.
  kInvalidateCache,     // WritableFile and RandomAccessFile::InvalidateCache.
  kClose,               // WritableFile::Close and Directory::Close.
  kDirFsync,            // Directory::Fsync.
  kDelete,              // FileSystem::DeleteFile.
  kRename,              // FileSystem::RenameFile.
  kLink,                // FileSystem::LinkFile.
  kCreateDir,           // FileSystem::CreateDir.
  kCreateDirIfMissing,  // FileSystem::CreateDirIfMissing.
  kDeleteDir,           // FileSystem::DeleteDir.
  kGetChildren,         // FileSystem::GetChildren.
  kFileExists,          // FileSystem::FileExists.
  kGetFileSize,         // FileSystem and RandomAccessFile::GetFileSize.
  kLock,                // FileSystem::LockFile.
  kUnlock,              // FileSystem::UnlockFile.
};
inline constexpr int kNumFileOps = static_cast<int>(FileOp::kUnlock) + 1;

// "open_writable", "read", "write", ...: stable names for reports.
const char* FileOpName(FileOp op);

// Buffer alignments larger than this are recorded as this value.
inline constexpr size_t kMaxRecordedAlignment = size_t{1} << 20;

// The largest power of two dividing the address of `buffer`, at most
// kMaxRecordedAlignment; 0 for a null pointer.
size_t BufferAlignment(const void* buffer);

// One operation. Fields that do not apply to an operation keep their
// defaults.
struct IORecord {
  uint64_t seq = 0;  // Set by IORecorder::Add: 1, 2, 3, ... in append order.
  FileOp op = FileOp::kRead;
  std::string path;    // The file or directory; the source for kRename and
                       // kLink; the lock's path for kUnlock.
  std::string target;  // kRename and kLink only.
  // From the FileOptions the file was opened with; kOther for operations on
  // paths (kDelete, kRename, ...) and directories.
  FileKind kind = FileKind::kOther;
  // The open file's mode() at the time of the operation. For an open that
  // failed, the mode the FileOptions asked for. kBuffered for operations on
  // paths and directories.
  IOMode mode = IOMode::kBuffered;
  // kWrite: true for Append, false for PositionedAppend.
  bool append = false;
  // kRead, kWrite, kSkip, kPrefetch, kRangeSync, kAllocate,
  // kInvalidateCache: where the operation starts (for Append, the file's
  // size before the write; for sequential files, the bytes read and skipped
  // through this wrapper so far). kTruncate: the new size.
  uint64_t offset = 0;
  // Bytes requested (kRead, kWrite, kSkip, kPrefetch, kRangeSync, kAllocate,
  // kInvalidateCache).
  uint64_t length = 0;
  // kRead: bytes actually returned (0 on error). kWrite: bytes the wrapped
  // file accepted: length, or 0 when the write failed before or there (an
  // injected kErrorAfterEffect keeps length). kGetFileSize: the size found.
  // kGetChildren: the number of entries.
  uint64_t result_length = 0;
  // kRead and kWrite: BufferAlignment() of the caller's buffer.
  size_t buffer_alignment = 0;
  // What the operation returned to its caller.
  IOStatus status;
  // The id of the fault rule that fired on this operation, 0 if none.
  int fault_rule_id = 0;
  // The thread that made the call (set by IORecorder::Add).
  std::thread::id thread;

  bool ok() const { return status.ok(); }
  // One line: "#12 write(append) /d/1.sst table_flush direct offset=0
  // len=4096 result=4096 buf_align=4096 OK", with " [rule 3]" when a fault
  // rule fired.
  std::string ToString() const;
};

// Sums over a set of records.
struct IOTotals {
  uint64_t ops = 0;              // Records counted.
  uint64_t failed_ops = 0;       // Of those, records whose status is not OK.
  uint64_t requested_bytes = 0;  // Sum of length.
  uint64_t result_bytes = 0;     // Sum of result_length.
};

class IORecorder {
 public:
  using Predicate = std::function<bool(const IORecord&)>;

  IORecorder() = default;
  IORecorder(const IORecorder&) = delete;
  IORecorder& operator=(const IORecorder&) = delete;

  // Sets record.seq and appends the record, unless recording is off.
  void Add(IORecord record);

  // Copies of every record, in append order.
  std::vector<IORecord> Records() const;
  // Copies of the records for which `pred` is true, in append order.
  // `pred` runs with the recorder locked: it must not call the recorder.
  std::vector<IORecord> Records(const Predicate& pred) const;
  size_t Count(const Predicate& pred) const;
  size_t size() const;

  // Totals of the records of `op` on files of `kind` in `mode`.
  IOTotals Totals(FileOp op, FileKind kind, IOMode mode) const;
  // Totals of the records for which `pred` is true.
  IOTotals Totals(const Predicate& pred) const;

  // Drops every record. Sequence numbers keep counting up, so records taken
  // before and after a Clear() never share one.
  void Clear();

  // Recording is on at construction. While it is off, Add() drops records
  // (a long test can skip its setup this way).
  void set_enabled(bool enabled);
  bool enabled() const;

  // Every record for which `pred` is true (all when it is empty), one per
  // line (IORecord::ToString), for failure messages.
  std::string Dump(const Predicate& pred = nullptr) const;

 private:
  mutable std::mutex mutex_;
  std::vector<IORecord> records_;  // Guarded by mutex_.
  uint64_t next_seq_ = 1;          // Guarded by mutex_.
  bool enabled_ = true;            // Guarded by mutex_.
};

}  // namespace strata
