// WritableFileWriter: appends bytes to one file and hides buffering and, in
// direct-I/O mode, every alignment rule: callers append any number of bytes
// at any time and never see an EINVAL.
//
// Protocol: Append* ((Flush | Sync) Append*)* Close. Close() is required
// (debug builds assert it was called).
//
// Direct mode (the file's use_direct_io()): bytes collect in an aligned
// buffer. A full buffer is written as whole aligned pages, never padded.
// Flush/Sync/Close zero-pad the partial last page, write it, and carry its
// logical bytes over to the front of the buffer, so the next write rewrites
// that page at the same aligned offset. A clean tail (nothing appended since
// it was written) is never written again. Between a mid-file Flush and
// Close the file on disk is longer than size() and its end is zeros.
// Close = padded write (if dirty), Truncate(size()), Fsync, close, in that
// order (../shared/spec/direct-io.md S42-S47 and "Our decisions").
//
// Background writes (with options.executor; for buffered files only without
// bytes_per_sync and with a non-zero buffer): a buffer that is
// full at the maximum size is handed to the executor at once and the caller
// goes on filling another, so copying and device time overlap. Up to
// kBackgroundBuffers buffers exist: one filling, the others queued or being
// written; the caller waits only when none is free. One drain task at a time
// writes the queue front first, so the file sees its writes in file order
// and never two calls at once (WritableFile is not thread-safe), and a
// task is submitted only when no drain is running (no hand-off per write
// while the device is busy). Flush, Sync and Close wait for the queue to
// empty before their own file calls, so the file sees the same calls in the
// same order as without the executor. The first failed background write
// stops the drain (later queued buffers are never written), poisons the
// writer and is returned once, by the next call. A buffered file's
// InvalidateCache() during a drain is done by the drain after its last
// queued write.
//
// Buffered mode: appends that do not fit the buffer flush it; an append larger
// than the buffer goes straight to the file. With bytes_per_sync > 0 the
// written range is range-synced in steps of at least bytes_per_sync bytes,
// keeping the last 1 MiB unsynced, at 4 KiB-aligned points (S40).
//
// Durability: Flush() hands data to the OS (to the device under direct I/O);
// only Sync() (fdatasync) or Close() in direct mode (fsync) make it survive
// power loss. Buffered Close() does not sync: call Sync() first.
//
// Errors: the first error poisons the writer. Every later Append, Flush and
// Sync returns "Writer has previous error. <first error's message>" and Close
// returns "File is closed but data not flushed as writer has previous error.
// <first error's message>" (RocksDB's texts, S48/S49, with the first error,
// which names the file and offset, appended), keeping the first error's code.
//
// Ownership: owns the WritableFile. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "strata/executor.h"
#include "strata/file_system.h"
#include "strata/status.h"
#include "util/aligned_buffer.h"

namespace strata {

struct WritableFileWriterOptions {
  // The buffer starts at min(64 KiB, this) and doubles up to this, both
  // rounded up to the file's alignment. 0 is rejected for direct files
  // (S7); for buffered files it means "write every append through".
  // Default 1 MiB (RocksDB's writable_file_max_buffer_size).
  size_t max_buffer_bytes = 1 << 20;
  // Buffered files only: range-sync every this many bytes (0 = never).
  uint64_t bytes_per_sync = 0;
  // Compute the crc32c of exactly the appended (logical) bytes, reported by
  // file_checksum() after a successful Close().
  bool compute_file_checksum = false;
  // Write full buffers on this executor while the next one fills (up to
  // kBackgroundBuffers buffers). Buffered files use it only with
  // bytes_per_sync == 0 and max_buffer_bytes > 0 (range syncs stay
  // synchronous). Borrowed; must outlive the writer. Null: every write is
  // synchronous.
  Executor* executor = nullptr;
};

// What the writer did, kept separately so nothing is counted twice:
// device_bytes == logical bytes written + padding_bytes +
// rewritten_tail_bytes, and after Close() the logical part equals
// logical_bytes.
struct WritableFileWriterCounters {
  uint64_t logical_bytes = 0;         // Bytes appended by the caller.
  uint64_t device_bytes = 0;          // Bytes handed to write calls.
  uint64_t padding_bytes = 0;         // Zeros written past the logical end.
  uint64_t rewritten_tail_bytes = 0;  // Logical bytes written a second time.
  uint64_t write_calls = 0;           // Append/PositionedAppend calls.
  uint64_t syncs = 0;                 // fdatasync calls.
  uint64_t fsyncs = 0;                // fsync calls.
  uint64_t range_syncs = 0;           // sync_file_range calls.
};

class WritableFileWriter {
 public:
  // Background mode: buffers per writer, the one being filled included.
  // Three let the drain task find the next buffer queued when it finishes
  // one, while the caller fills the third.
  static constexpr size_t kBackgroundBuffers = 3;

  // The message RocksDB uses for a zero buffer with direct writes (S7).
  static constexpr const char* kZeroBufferMessage =
      "Direct write requires writable_file_max_buffer_size > 0";

  // Wraps `file`. Fails with InvalidArgument (kZeroBufferMessage, plus the
  // path) for a direct file with max_buffer_bytes == 0.
  static Status Create(std::unique_ptr<WritableFile> file,
                       const WritableFileWriterOptions& options,
                       std::unique_ptr<WritableFileWriter>* result);

  ~WritableFileWriter();
  WritableFileWriter(const WritableFileWriter&) = delete;
  WritableFileWriter& operator=(const WritableFileWriter&) = delete;

  // Appends any number of bytes.
  IOStatus Append(Slice data);
  // Writes out everything appended so far (direct: with a padded tail).
  IOStatus Flush();
  // Flush(), then fdatasync (also in direct mode: "Our decisions", S46).
  // Nothing is synced if nothing was written since the last sync.
  IOStatus Sync();
  // Flush(), then fsync: like Sync() but also makes all metadata durable
  // (the WAL's use_fsync). Nothing is synced if nothing was written since
  // the last Sync() or Fsync().
  IOStatus Fsync();
  // Flush; direct mode: Truncate(size()), then Fsync; then closes the file.
  // Closing twice returns the first Close()'s status.
  IOStatus Close();

  // Asks the OS to drop the file's clean cached pages (posix_fadvise
  // DONTNEED over the whole file); a no-op for direct files. Bytes still in
  // this writer's buffer or not yet written back stay cached.
  IOStatus InvalidateCache();

  // Bytes appended so far: the file's size after Close().
  uint64_t size() const { return counters_.logical_bytes; }
  const WritableFileWriterCounters& counters() const { return counters_; }
  // crc32c of the logical bytes; valid after a successful Close() when
  // options.compute_file_checksum.
  uint32_t file_checksum() const { return file_checksum_; }
  bool use_direct_io() const { return direct_; }
  const std::string& path() const { return path_; }
  // The current buffer capacity (grows by doubling up to the maximum).
  size_t buffer_capacity() const { return buffer_.capacity(); }

 private:
  WritableFileWriter(std::unique_ptr<WritableFile> file,
                     const WritableFileWriterOptions& options);

  // Direct mode: grows the buffer (doubling, up to the maximum) so that
  // `needed` more bytes fit, or as far as it can.
  void GrowBufferFor(size_t needed);
  // Direct mode: writes the buffer at next_write_offset_, zero-padded to the
  // alignment; carries the partial last page over.
  IOStatus WriteDirect();
  // Buffered mode: writes `n` bytes at the end of the file.
  IOStatus WriteBuffered(const char* data, size_t n);
  // Buffered mode: range-syncs if bytes_per_sync allows.
  IOStatus MaybeRangeSync();
  // With an executor: queues the full buffer for the drain task
  // and continues with a free one (waiting for one if all are queued).
  IOStatus SubmitFullBuffer();
  // Waits until every queued buffer is written; the first background error
  // poisons the writer.
  IOStatus WaitForBackgroundWrites();
  // Records the first error and returns it.
  IOStatus Poison(IOStatus s);
  IOStatus PreviousError() const;

  std::unique_ptr<WritableFile> file_;
  const std::string path_;
  const bool direct_;
  const size_t alignment_;  // Offset and length granularity (direct only).
  size_t max_buffer_bytes_;
  const uint64_t bytes_per_sync_;
  const bool compute_checksum_;
  AlignedBuffer buffer_;
  Executor* const executor_;
  // Queued buffers, free buffers and the drain task's state, shared with
  // that task (which may finish after a failed call returned). Defined in
  // the .cc; null without an executor.
  struct BackgroundWrites;
  std::shared_ptr<BackgroundWrites> background_;
  size_t background_buffers_ = 1;  // Buffers allocated, buffer_ included.

  // Direct mode: the buffer holds file bytes [next_write_offset_,
  // next_write_offset_ + buffer_.size()); always a multiple of alignment_.
  uint64_t next_write_offset_ = 0;
  // Direct mode: how many bytes at the front of the buffer are already on
  // the device (the carried-over tail of the last padded write).
  size_t clean_prefix_bytes_ = 0;
  // Bytes appended since the last write of the buffer.
  bool dirty_ = false;
  // Something reached the file since the last Sync().
  bool unsynced_ = false;

  // Buffered mode: bytes handed to the file, and the range-synced prefix.
  uint64_t flushed_bytes_ = 0;
  uint64_t last_range_sync_offset_ = 0;

  WritableFileWriterCounters counters_;
  uint32_t running_crc_ = 0;
  uint32_t file_checksum_ = 0;
  IOStatus first_error_;
  bool closed_ = false;
  IOStatus close_status_;
};

}  // namespace strata
