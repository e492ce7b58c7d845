// FileSystem: the only door between strata and the operating system.
//
// A FileSystem opens files in one of three modes chosen by FileOptions:
// buffered (through the page cache), direct (O_DIRECT; the page cache is
// bypassed and the kernel's alignment rules apply) or mmap. The raw file
// objects defined here do NOT hide alignment: in direct mode every offset,
// length and buffer address must be a multiple of the file's alignment, and a
// misaligned call fails with InvalidArgument naming the file, offset, length
// and the alignment required, before anything reaches the kernel. Hiding
// alignment is the job of env/WritableFileWriter, RandomAccessFileReader and
// FilePrefetchBuffer, above this interface.
//
// Implementations: env/posix_file_system.h (the real one),
// env/fake_file_system.h (in memory, kernel-faithful direct I/O, page-cache and
// power-loss models) and env/fault_injection_file_system.h (wraps any
// FileSystem, injects faults, records every operation).
//
// Thread-safety: FileSystem methods may be called concurrently. A
// RandomAccessFile's const methods may be called concurrently; WritableFile,
// SequentialFile and Directory objects are not thread-safe.
// Paths are plain strings; a FileSystem never interprets file names (it does
// not know what a WAL or an SST is: FileOptions::kind only labels the file for
// tracing and statistics).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

// What a file is for. Used for tracing, statistics and the option-matrix
// evidence; db/ maps each kind to an I/O mode in one place
// (FileOptionsFor). Not persisted.
enum class FileKind : uint8_t {
  kTableFlush,             // SST written by a memtable flush.
  kTableCompactionOutput,  // SST written by compaction.
  kTableCompactionInput,   // SST read as a compaction input.
  kTableVerify,            // Check read of a freshly written SST.
  kTableUserRead,          // SST read by Get, MultiGet and iterators.
  kTableExternal,          // SstFileWriter/SstFileReader files, ingestion.
  kWal,                    // Write-ahead log.
  kManifest,               // MANIFEST.
  kCurrent,                // CURRENT (and its temporary file).
  kInfoLog,                // The human-readable LOG.
  kLock,                   // LOCK.
  kTemp,                   // Temporary files, the direct-I/O probe included.
  kOther,                  // Anything else (tools, tests, user files).
};
inline constexpr int kNumFileKinds = static_cast<int>(FileKind::kOther) + 1;

// "table_flush", "wal", ...: stable names for reports.
const char* FileKindName(FileKind kind);

// How a file's bytes move. kUncached is macOS's F_NOCACHE: the page cache is
// not filled, but no alignment applies.
enum class IOMode : uint8_t { kBuffered, kDirect, kMmap, kUncached };
const char* IOModeName(IOMode mode);  // "buffered", "direct", "mmap", ...

// The buffer granularity reported by files that impose no alignment rule
// (buffered and mmap files), so that upper layers still size their buffers in
// whole pages, as RocksDB does.
inline constexpr size_t kDefaultPageSize = 4096;

struct FileOptions {
  // Open random-access and sequential files with O_DIRECT.
  bool use_direct_reads = false;
  // Open writable files with O_DIRECT.
  bool use_direct_writes = false;
  // Serve random-access reads from a read-only mapping of the file.
  // Asking for both mmap and direct for the same file is InvalidArgument.
  bool use_mmap_reads = false;
  // Write through a shared mapping, grown in chunks and trimmed at Close().
  bool use_mmap_writes = false;
  // Not used by the raw files: WritableFileWriter range-syncs buffered files
  // every bytes_per_sync bytes (0 = never). Carried here so a single struct
  // says how a file is written.
  uint64_t bytes_per_sync = 0;
  // Labels the file; no behavior depends on it below db/.
  FileKind kind = FileKind::kOther;
};

// Alignment rules of a file opened for direct I/O. Offsets and lengths must
// be multiples of `offset`, buffer addresses multiples of `memory`.
// Both are powers of two.
struct DirectIOAlignment {
  size_t offset = kDefaultPageSize;
  size_t memory = kDefaultPageSize;
  // The larger of the two: what a buffer used for both must satisfy.
  size_t both() const { return offset > memory ? offset : memory; }
};

// Properties shared by every open file.
class FileBase {
 public:
  virtual ~FileBase() = default;
  // True only for files opened with O_DIRECT (never for mmap or macOS's
  // F_NOCACHE).
  virtual bool use_direct_io() const = 0;
  virtual IOMode mode() const = 0;
  // Direct files: the alignment the kernel requires. Other files report
  // kDefaultPageSize for both, as a buffer-size hint only.
  virtual DirectIOAlignment alignment() const = 0;
  virtual const std::string& path() const = 0;
};

// A file opened for writing. Created (or truncated) by
// FileSystem::NewWritableFile. Not thread-safe.
// Direct mode: Append and PositionedAppend need an aligned length and buffer
// (and, for Append, an aligned current size); anything else is
// InvalidArgument with the file, offset, length and required alignment.
// Errors name the file and the offset.
class WritableFile : public FileBase {
 public:
  // Writes `data` at the current end of the file (positional writes: the
  // file is never opened with O_APPEND). Loops over EINTR and short writes.
  virtual IOStatus Append(Slice data) = 0;
  // Writes `data` at `offset`; the file's size becomes offset + data.size()
  // (the padded size, under direct I/O).
  virtual IOStatus PositionedAppend(Slice data, uint64_t offset) = 0;
  // Sets the file's size to `size` (ftruncate).
  virtual IOStatus Truncate(uint64_t size) = 0;
  // Hands user-space buffers to the OS. The raw files keep none: a no-op.
  virtual IOStatus Flush() = 0;
  // Makes the data durable (fdatasync; also persists a size change).
  virtual IOStatus Sync() = 0;
  // Makes data and all metadata durable (fsync).
  virtual IOStatus Fsync() = 0;
  // Starts write-back of [offset, offset + nbytes) (sync_file_range); OK and
  // nothing done where unsupported or for direct files.
  virtual IOStatus RangeSync(uint64_t offset, uint64_t nbytes) = 0;
  // Reserves space without changing the size (fallocate KEEP_SIZE); OK and
  // nothing done where unsupported.
  virtual IOStatus Allocate(uint64_t offset, uint64_t len) = 0;
  // Drops clean cached pages of the range (posix_fadvise DONTNEED); a no-op
  // on direct files. len 0 means "to the end".
  virtual IOStatus InvalidateCache(uint64_t offset, uint64_t len) = 0;
  // Closes the file; later calls fail. Closing twice is OK.
  virtual IOStatus Close() = 0;
  // Bytes in the file as this object knows them (after the last Append,
  // PositionedAppend or Truncate).
  virtual uint64_t GetFileSize() const = 0;
};

// One request of RandomAccessFile::MultiRead.
struct ReadRequest {
  uint64_t offset = 0;
  size_t len = 0;
  char* scratch = nullptr;  // At least len bytes; aligned under direct I/O.
  Slice result;             // Out: the bytes read (short only at EOF).
  IOStatus status;          // Out.
};

// How a file will be read; a hint to the kernel (posix_fadvise).
enum class AccessPattern : uint8_t { kNormal, kRandom, kSequential };

// A file opened for reading at any offset. Const methods may be called
// concurrently.
class RandomAccessFile : public FileBase {
 public:
  // Reads up to n bytes at `offset`. *result points into `scratch` (or, for
  // mmap files, into the mapping; valid while the file is open). Fewer than
  // n bytes only at end of file; a read at or past the end returns an empty
  // result and OK. Loops over EINTR and short transfers.
  // Direct mode: offset, n and scratch must be aligned.
  virtual IOStatus Read(uint64_t offset, size_t n, Slice* result,
                        char* scratch) const = 0;
  // Reads every request; each request gets its own status. The call's own
  // status is not OK only if the requests could not be issued at all.
  // The default issues one Read per request.
  virtual IOStatus MultiRead(ReadRequest* requests, size_t num_requests) const;
  // Asks the OS to read [offset, offset + n) ahead (readahead(2)). OK and
  // nothing done for direct and mmap files.
  virtual IOStatus Prefetch(uint64_t offset, size_t n) const = 0;
  // posix_fadvise; a no-op for direct files.
  virtual IOStatus Hint(AccessPattern pattern) const = 0;
  // Drops clean cached pages of the range; a no-op for direct files.
  // len 0 means "to the end".
  virtual IOStatus InvalidateCache(uint64_t offset, uint64_t len) const = 0;
  // The file's current size (fstat).
  virtual IOStatus GetFileSize(uint64_t* size) const = 0;
};

// A file read from start to end (WAL, MANIFEST). Not thread-safe.
class SequentialFile : public FileBase {
 public:
  // Reads up to n bytes from the current position into scratch; *result
  // points into scratch. An empty result with OK means end of file.
  // Direct mode: n, scratch and the current position must be aligned.
  virtual IOStatus Read(size_t n, Slice* result, char* scratch) = 0;
  // Moves the position forward by n bytes (not past the end).
  virtual IOStatus Skip(uint64_t n) = 0;
};

// An open directory, so that new, renamed and deleted entries can be made
// durable (fsync on the directory). Not thread-safe.
class Directory {
 public:
  virtual ~Directory() = default;
  virtual IOStatus Fsync() = 0;
  virtual IOStatus Close() = 0;
};

// A held advisory lock on a file (FileSystem::LockFile).
class FileLock {
 public:
  virtual ~FileLock() = default;
  virtual const std::string& path() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual const char* Name() const = 0;

  // Creates `path`, truncating an existing file.
  virtual IOStatus NewWritableFile(const std::string& path,
                                   const FileOptions& options,
                                   std::unique_ptr<WritableFile>* result) = 0;
  virtual IOStatus NewRandomAccessFile(
      const std::string& path, const FileOptions& options,
      std::unique_ptr<RandomAccessFile>* result) = 0;
  virtual IOStatus NewSequentialFile(const std::string& path,
                                     const FileOptions& options,
                                     std::unique_ptr<SequentialFile>* result) = 0;
  // Opens an existing directory.
  virtual IOStatus NewDirectory(const std::string& path,
                                std::unique_ptr<Directory>* result) = 0;

  // OK if `path` exists, NotFound if it does not, IOError if that cannot be
  // told.
  virtual IOStatus FileExists(const std::string& path) = 0;
  // The names (not paths) of the entries of `dir`, without "." and "..", in
  // no particular order.
  virtual IOStatus GetChildren(const std::string& dir,
                               std::vector<std::string>* names) = 0;
  virtual IOStatus DeleteFile(const std::string& path) = 0;
  // Fails if `path` exists.
  virtual IOStatus CreateDir(const std::string& path) = 0;
  // OK if `path` exists as a directory afterwards.
  virtual IOStatus CreateDirIfMissing(const std::string& path) = 0;
  virtual IOStatus DeleteDir(const std::string& path) = 0;
  virtual IOStatus GetFileSize(const std::string& path, uint64_t* size) = 0;
  // Atomically replaces `target` if it exists.
  virtual IOStatus RenameFile(const std::string& source,
                              const std::string& target) = 0;
  // Hard link; NotSupported where the file system has none.
  virtual IOStatus LinkFile(const std::string& source,
                            const std::string& target) = 0;

  // Creates `path` if needed and takes an exclusive lock on it. Fails with
  // IOError naming the path if another holder (this process included) has
  // it.
  virtual IOStatus LockFile(const std::string& path,
                            std::unique_ptr<FileLock>* lock) = 0;
  virtual IOStatus UnlockFile(std::unique_ptr<FileLock> lock) = 0;
};

}  // namespace strata
