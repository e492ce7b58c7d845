// RandomAccessFileReader: reads any byte range of a file, whatever its I/O
// mode; callers never see an alignment rule.
//
// Direct mode: a request is widened to the enclosing aligned range, read into
// an aligned buffer, and the requested bytes are handed back, either copied
// into the caller's scratch or by handing over the aligned buffer itself (no
// copy). A request whose offset, length and scratch are already aligned is
// read straight into the scratch. MultiRead aligns the requests and merges
// those that overlap or touch into one read each.
//
// Reads are complete: a short transfer in the middle of a file is continued,
// never reported as a truncated block. Only the end of the file makes a
// result shorter than asked (with OK); a read at or past the end is empty.
// Errors name the file, offset and length (they come from the FileSystem,
// whose texts do so).
//
// Ownership: owns the RandomAccessFile. Thread-safety: const methods may be
// called concurrently (the counters are atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "strata/file_system.h"
#include "strata/status.h"
#include "util/aligned_buffer.h"

namespace strata {

struct RandomAccessFileReaderCounters {
  uint64_t read_calls = 0;       // Read calls issued to the file.
  uint64_t requested_bytes = 0;  // Bytes callers asked for.
  uint64_t device_bytes = 0;     // Bytes the file returned (aligned ranges).
  uint64_t bounce_reads = 0;     // Direct reads that needed an aligned copy.
};

class RandomAccessFileReader {
 public:
  explicit RandomAccessFileReader(std::unique_ptr<RandomAccessFile> file);
  RandomAccessFileReader(const RandomAccessFileReader&) = delete;
  RandomAccessFileReader& operator=(const RandomAccessFileReader&) = delete;

  // Reads up to n bytes at `offset`. *result points into `scratch` (at least
  // n bytes, any address) or, for mmap files, into the mapping (valid while
  // the reader lives). Short only at end of file.
  IOStatus Read(uint64_t offset, size_t n, Slice* result, char* scratch) const;

  // Same, but the bytes land in memory the reader allocates and hands over in
  // *buffer (for direct files the aligned read buffer itself: no copy).
  // *result points into *buffer (or, for mmap files, into the mapping, and
  // *buffer is left empty).
  IOStatus Read(uint64_t offset, size_t n, Slice* result,
                AlignedMemory* buffer) const;

  // Same, but the bytes land in `reused`, which the caller keeps from one
  // read to the next: it is reallocated only when too small (or, for direct
  // files, aligned less than the file needs), so a loop of reads allocates
  // nothing. Direct files read the aligned hull into it (no copy). *result
  // points into `reused` (or into the mapping) until its next use.
  IOStatus ReadInto(uint64_t offset, size_t n, Slice* result,
                    AlignedBuffer* reused) const;

  // Reads every request (in any order; duplicates, overlaps and ranges past
  // the end allowed). Each request gets its own result and status; the
  // results point into *buffer, which the reader allocates for the batch
  // (or, for mmap files, into the mapping). `scratch` fields are ignored.
  // Direct mode: requests are aligned, and those that overlap or touch are
  // merged into one read.
  IOStatus MultiRead(ReadRequest* requests, size_t num_requests,
                     AlignedMemory* buffer) const;

  bool use_direct_io() const { return file_->use_direct_io(); }
  IOMode mode() const { return file_->mode(); }
  DirectIOAlignment alignment() const { return file_->alignment(); }
  const std::string& path() const { return file_->path(); }
  RandomAccessFile* file() const { return file_.get(); }
  RandomAccessFileReaderCounters counters() const;

 private:
  // Reads [offset, offset + n) into dst, continuing after short transfers
  // until n bytes or the end of the file. *bytes_read tells how many.
  IOStatus ReadFully(uint64_t offset, size_t n, char* dst,
                     size_t* bytes_read) const;
  // Direct mode: reads the aligned range enclosing [offset, offset + n) into
  // *aligned (reallocated only when too small or aligned less than the read
  // needs: the file's alignment, a page where that costs no memory, and at
  // least `min_memory_alignment`) and points *result at the requested part.
  IOStatus ReadAligned(uint64_t offset, size_t n, AlignedBuffer* aligned,
                       Slice* result, size_t min_memory_alignment = 0) const;

  std::unique_ptr<RandomAccessFile> file_;
  // Relaxed: statistics only, read after the fact.
  mutable std::atomic<uint64_t> read_calls_{0};
  mutable std::atomic<uint64_t> requested_bytes_{0};
  mutable std::atomic<uint64_t> device_bytes_{0};
  mutable std::atomic<uint64_t> bounce_reads_{0};
};

}  // namespace strata
