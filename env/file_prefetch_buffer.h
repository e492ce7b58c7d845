// FilePrefetchBuffer: the readahead the page cache no longer gives once reads
// are direct. One buffer per reader of a file (an iterator, a compaction
// input, a table open).
//
// Modes (../shared/spec/direct-io.md S62-S65, 2.4):
// - kExplicit: every miss reads the request plus `readahead_bytes`
//   (ReadOptions::readahead_size); no doubling.
// - kCompaction: every miss reads max(request, readahead_bytes)
//   (compaction_readahead_size; the caller maps RocksDB's 0 to 2 MiB);
//   ranges are aligned, so device reads are readahead_bytes rounded to the
//   alignment, shorter only at the end of the file.
// - kAuto (iterators): the first `auto_readahead_after_reads` sequential
//   reads go out alone; from the next one each miss reads the request plus R,
//   R starting at initial_auto_readahead_bytes and doubling per miss up to
//   max_auto_readahead_bytes. A read that does not start where the previous
//   one ended resets the count and R. "Sequential" means offset == previous
//   offset + previous length.
// Under direct I/O every read is aligned in offset, length and address.
// When a miss starts inside the buffer, the aligned part of the buffer that
// is still wanted is kept and only the rest is read: no byte is read twice
// by one refill.
//
// Background readahead (options.executor; kAuto and kCompaction modes, not
// for mmap files): once a refill has read ahead, the next chunk of the file
// (the next readahead size, starting where the buffer ends) is read on the
// executor while the caller consumes the buffer. The miss that runs past the
// buffer waits for that chunk (or, if no executor thread has started it yet,
// reads it itself: a busy executor never makes a scan slower than
// synchronous readahead) and, if the request continues there (it may start
// in the old buffer's tail: those bytes are stitched together with the
// chunk's head), the chunk becomes the buffer and the one after it is
// started. A chunk the caller does not continue into (a seek elsewhere, a
// request larger than the chunk, a failed read) is dropped, counted as
// discarded if it was read, and the miss is served synchronously. At most
// one chunk is in flight; the destructor waits for a read under way, and a
// chunk no thread has started is never read. The executor may run a task
// after the buffer is gone (the task then does nothing).
//
// Lifetime: a Slice returned by Read() or held from a tail prefetch points
// into the buffer and stays valid only until the next call that may refill
// (Read, PrefetchTail). Copy what must live longer.
// Ownership: borrows the reader, which must outlive this object.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "env/random_access_file_reader.h"
#include "strata/executor.h"
#include "strata/status.h"
#include "util/aligned_buffer.h"

namespace strata {

enum class ReadaheadMode : uint8_t { kExplicit, kCompaction, kAuto };

struct FilePrefetchBufferOptions {
  ReadaheadMode mode = ReadaheadMode::kAuto;
  // kExplicit: bytes read beyond each missed request. kCompaction: the
  // minimum size of each read. 0 disables readahead in both.
  size_t readahead_bytes = 0;
  // kAuto (RocksDB's BlockBasedTableOptions defaults).
  size_t initial_auto_readahead_bytes = 8 << 10;
  size_t max_auto_readahead_bytes = 256 << 10;
  int auto_readahead_after_reads = 2;
  // Reads the next chunk in the background (see above). Borrowed; must
  // outlive the buffer. Null: every read is made by the caller.
  Executor* executor = nullptr;
};

struct FilePrefetchBufferCounters {
  uint64_t read_calls = 0;        // Refills issued to the reader.
  uint64_t bytes_read = 0;        // Bytes the refills brought in.
  uint64_t prefetched_bytes = 0;  // Of those, bytes beyond the request.
  uint64_t served_bytes = 0;      // Bytes returned from earlier refills.
  uint64_t discarded_bytes = 0;   // Prefetched bytes dropped unused.
};

class FilePrefetchBuffer {
 public:
  FilePrefetchBuffer(const RandomAccessFileReader* reader,
                     const FilePrefetchBufferOptions& options);
  ~FilePrefetchBuffer();
  FilePrefetchBuffer(const FilePrefetchBuffer&) = delete;
  FilePrefetchBuffer& operator=(const FilePrefetchBuffer&) = delete;

  // Returns [offset, offset + n), shorter only at end of file. *result points
  // into the buffer (or, for mmap files, into the mapping) until the next
  // call that may refill.
  IOStatus Read(uint64_t offset, size_t n, Slice* result);

  // One read of the last tail_bytes of a file of file_size bytes (aligned
  // down), so a table open finds footer, index and filter in memory.
  IOStatus PrefetchTail(uint64_t file_size, size_t tail_bytes);

  // The readahead the next auto-mode miss would add (for tests and stats).
  size_t current_auto_readahead_bytes() const { return auto_readahead_; }
  // The file range the buffer holds.
  uint64_t buffer_offset() const { return buffer_offset_; }
  size_t buffer_size() const { return buffer_.size(); }
  // Counts up to now; discarded_bytes also counts what the buffer holds
  // unused at destruction.
  const FilePrefetchBufferCounters& counters() const { return counters_; }
  // counters() with, in discarded_bytes, also the readahead the buffer holds
  // unserved now: the counts as they will stand once it is destroyed. Meant
  // for the end of a scan: a background chunk no thread has started is
  // given up (never read; a later Read past the buffer reads synchronously).
  FilePrefetchBufferCounters FinalCounters() const;
  // How many buffers it has allocated (background chunks reuse them).
  size_t buffer_allocations() const { return buffer_allocations_; }

 private:
  bool Contains(uint64_t offset, size_t n) const;
  // Makes the buffer hold [offset, offset + n) plus readahead_bytes beyond
  // it, reading at least min_read_bytes (compaction mode).
  IOStatus Refill(uint64_t offset, size_t n, size_t readahead_bytes,
                  size_t min_read_bytes);
  // Counts buffered readahead that will never be served.
  void AccountDiscard(uint64_t keep_from);
  // The readahead bytes below keep_from not served yet.
  uint64_t UnservedBelow(uint64_t keep_from) const;
  // Auto mode: updates the sequential-read tracking for this read and says
  // whether readahead is due.
  bool AutoReadaheadDue(uint64_t offset, size_t n);
  // Background readahead: starts reading `bytes` from the buffer's end.
  void StartNextChunk(size_t bytes);
  // Waits for the chunk in flight (or reads it here if no thread has started
  // it) and, if [offset, offset + n) continues into it, makes it the buffer
  // and sets *result; else drops it.
  bool TakeNextChunk(uint64_t offset, size_t n, Slice* result);
  // Waits for the chunk in flight, if any, and drops it (one no thread has
  // started is never read).
  void DropNextChunk();
  // Claims the chunk in flight for the buffer unless its task has started;
  // then waits for the task's read and returns true.
  bool AwaitTask() const;
  // The readahead size of the next background chunk, 0 for none.
  size_t NextChunkBytes() const;
  // An empty buffer of at least `bytes`: the spare if it is large enough,
  // else a new allocation.
  AlignedBuffer TakeBuffer(size_t bytes);
  // Keeps `b` as the spare if it is larger than the one kept.
  void KeepSpare(AlignedBuffer&& b);

  const RandomAccessFileReader* const reader_;
  const FilePrefetchBufferOptions options_;
  const size_t alignment_;
  AlignedBuffer buffer_;
  uint64_t buffer_offset_ = 0;  // File offset of buffer_.data()[0].
  // Bytes from here to the end of the buffer were read ahead and not yet
  // served (served_end_ tracks the furthest byte served from the buffer).
  uint64_t readahead_start_ = 0;
  uint64_t served_end_ = 0;
  // The last refill reached the end of the file.
  bool at_eof_ = false;

  // The background chunk in flight (null if none), and the memory a request
  // that straddles the buffer's end and that chunk is stitched into.
  struct NextChunk;
  std::shared_ptr<NextChunk> next_;  // Shared with its task.
  std::string stitch_;
  // The buffer a taken chunk replaced (or a dropped chunk's), reused for the
  // next chunk. Steady background readahead thus swaps two buffers instead of
  // allocating one per chunk: a new 256 KiB allocation comes back from the
  // C library as pages the kernel has to fault in and zero during the read,
  // which made readahead cost more than the copy it does.
  AlignedBuffer spare_;
  size_t buffer_allocations_ = 0;

  // Auto mode state.
  size_t auto_readahead_;
  int sequential_reads_ = 0;
  uint64_t prev_offset_ = 0;
  size_t prev_len_ = 0;
  bool have_prev_ = false;

  FilePrefetchBufferCounters counters_;
};

}  // namespace strata
