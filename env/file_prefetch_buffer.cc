#include "env/file_prefetch_buffer.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstring>
#include <future>
#include <utility>

#include "env/io_errors.h"

namespace strata {

struct FilePrefetchBuffer::NextChunk {
  // Who reads the chunk: the first to claim it. The task claims it when it
  // starts; the buffer claims it when it needs the bytes before any thread
  // has started (and reads them itself, so a busy executor never makes a
  // scan slower than synchronous readahead), or when it drops the chunk.
  enum Owner : int { kUnclaimed, kTask, kBuffer };

  explicit NextChunk(size_t alignment) : buffer(alignment) {}
  // Claims the chunk for `who`; returns the owner, `who` if it won.
  Owner Claim(Owner who) {
    int expected = kUnclaimed;
    if (owner.compare_exchange_strong(expected, who,
                                      std::memory_order_acq_rel)) {
      return who;
    }
    return static_cast<Owner>(expected);
  }
  void Read(const RandomAccessFileReader* reader) {
    Slice got;
    status = reader->Read(offset, requested, &got, buffer.data());
    if (status.ok()) {
      if (!got.empty() && got.data() != buffer.data()) {
        std::memmove(buffer.data(), got.data(), got.size());
      }
      buffer.set_size(got.size());
    }
    read = true;
  }
  // Adds the chunk to `c` as read ahead and never served, if it was read.
  void CountAsDiscarded(FilePrefetchBufferCounters* c) const {
    if (!read || !status.ok()) return;  // Nothing arrived.
    ++c->read_calls;
    c->bytes_read += buffer.size();
    c->prefetched_bytes += buffer.size();
    c->discarded_bytes += buffer.size();
  }
  AlignedBuffer buffer;   // Written by the owner until the read is over.
  uint64_t offset = 0;    // File offset of buffer.data()[0]; aligned.
  size_t requested = 0;   // Bytes asked for (aligned).
  IOStatus status;        // Set by the owner's read.
  std::atomic<int> owner{kUnclaimed};
  bool read = false;       // Set by the owner's read.
  // Claimed by the buffer and never to be read (FinalCounters).
  bool abandoned = false;
  std::promise<void> task_done;  // Set once the task has read (kTask).
  std::future<void> task_done_future = task_done.get_future();
};

FilePrefetchBuffer::FilePrefetchBuffer(const RandomAccessFileReader* reader,
                                       const FilePrefetchBufferOptions& options)
    : reader_(reader),
      options_(options),
      alignment_(reader->alignment().offset),
      // Page-aligned memory even on a 512-byte device: a chunk then spans
      // the fewest pages, and the buffers are reused, so this costs nothing.
      buffer_(std::max(reader->alignment().both(), kDefaultPageSize)),
      // An initial size above the maximum is clamped to it (S62).
      auto_readahead_(std::min(options.initial_auto_readahead_bytes,
                               options.max_auto_readahead_bytes)) {}

FilePrefetchBuffer::~FilePrefetchBuffer() {
  DropNextChunk();
  AccountDiscard(buffer_offset_ + buffer_.size());
}

size_t FilePrefetchBuffer::NextChunkBytes() const {
  if (options_.executor == nullptr || reader_->mode() == IOMode::kMmap ||
      at_eof_ || buffer_.empty()) {
    return 0;
  }
  switch (options_.mode) {
    case ReadaheadMode::kAuto:
      return auto_readahead_;
    case ReadaheadMode::kCompaction:
      return options_.readahead_bytes;
    case ReadaheadMode::kExplicit:
      break;
  }
  return 0;
}

void FilePrefetchBuffer::StartNextChunk(size_t bytes) {
  assert(next_ == nullptr && bytes > 0);
  auto chunk = std::make_shared<NextChunk>(buffer_.alignment());
  // Not at the end of the file, so the buffer ends on an aligned offset.
  chunk->offset = buffer_offset_ + buffer_.size();
  chunk->requested = RoundUp(bytes, alignment_);
  chunk->buffer = TakeBuffer(chunk->requested);
  // The task shares the chunk: it may run after the buffer has claimed the
  // chunk, dropped it and gone, and then does nothing.
  const RandomAccessFileReader* reader = reader_;
  options_.executor->Submit([chunk, reader] {
    if (chunk->Claim(NextChunk::kTask) != NextChunk::kTask) return;
    chunk->Read(reader);
    chunk->task_done.set_value();
  });
  next_ = std::move(chunk);
}

bool FilePrefetchBuffer::AwaitTask() const {
  if (next_->Claim(NextChunk::kBuffer) == NextChunk::kTask) {
    next_->task_done_future.wait();
    return true;
  }
  return false;
}

void FilePrefetchBuffer::DropNextChunk() {
  if (next_ == nullptr) return;
  AwaitTask();  // One no thread has started is never read now.
  next_->CountAsDiscarded(&counters_);
  KeepSpare(std::move(next_->buffer));
  next_.reset();
}

AlignedBuffer FilePrefetchBuffer::TakeBuffer(size_t bytes) {
  AlignedBuffer b(buffer_.alignment());
  if (spare_.capacity() >= bytes) {
    b = std::move(spare_);
    b.Clear();
  } else {
    b.Allocate(bytes);
    ++buffer_allocations_;
  }
  return b;
}

void FilePrefetchBuffer::KeepSpare(AlignedBuffer&& b) {
  if (b.capacity() > spare_.capacity()) {
    spare_ = std::move(b);
  }
}

bool FilePrefetchBuffer::TakeNextChunk(uint64_t offset, size_t n,
                                       Slice* result) {
  const uint64_t start = next_->offset;  // The old buffer's end.
  if (offset < buffer_offset_ || offset > start) {
    DropNextChunk();  // Cannot continue there: not read if not started.
    return false;
  }
  if (!AwaitTask()) {
    if (next_->abandoned) {
      DropNextChunk();
      return false;
    }
    next_->Read(reader_);  // No thread had started it: read it here.
  }
  const size_t got = next_->buffer.size();
  const bool chunk_eof = got < next_->requested;
  const bool continues =
      next_->status.ok() && got > 0 &&
      (offset + n <= start + got || chunk_eof);
  if (!continues) {
    DropNextChunk();
    return false;
  }
  std::shared_ptr<NextChunk> chunk = std::move(next_);
  ++counters_.read_calls;
  counters_.bytes_read += got;
  counters_.prefetched_bytes += got;
  const uint64_t end = std::min<uint64_t>(offset + n, start + got);
  const size_t len = end - offset;
  // Whatever of the old buffer is neither served nor wanted now is lost.
  AccountDiscard(offset);
  if (offset < start) {
    // The request straddles the two: stitch it together.
    const size_t head = start - offset;
    stitch_.assign(buffer_.data() + (offset - buffer_offset_), head);
    stitch_.append(chunk->buffer.data(), len - head);
    *result = Slice(stitch_);
  }
  KeepSpare(std::move(buffer_));
  buffer_ = std::move(chunk->buffer);
  buffer_offset_ = start;
  at_eof_ = chunk_eof;
  readahead_start_ = start;
  served_end_ = end;
  if (offset >= start) {
    *result = Slice(buffer_.data() + (offset - start), len);
  }
  counters_.served_bytes += len;
  return true;
}

bool FilePrefetchBuffer::Contains(uint64_t offset, size_t n) const {
  if (buffer_.empty() || offset < buffer_offset_) {
    return false;
  }
  const uint64_t end = buffer_offset_ + buffer_.size();
  // A buffer that ends at the end of the file answers everything after its
  // start: the rest does not exist.
  return offset + n <= end || (at_eof_ && offset <= end);
}

uint64_t FilePrefetchBuffer::UnservedBelow(uint64_t keep_from) const {
  const uint64_t end = buffer_offset_ + buffer_.size();
  const uint64_t unserved_from = std::max(readahead_start_, served_end_);
  const uint64_t lost_end = std::min(end, std::max(keep_from, unserved_from));
  return lost_end > unserved_from ? lost_end - unserved_from : 0;
}

void FilePrefetchBuffer::AccountDiscard(uint64_t keep_from) {
  // Readahead bytes not yet served, below keep_from, are about to go.
  counters_.discarded_bytes += UnservedBelow(keep_from);
}

FilePrefetchBufferCounters FilePrefetchBuffer::FinalCounters() const {
  FilePrefetchBufferCounters c = counters_;
  c.discarded_bytes += UnservedBelow(buffer_offset_ + buffer_.size());
  if (next_ != nullptr) {
    if (!AwaitTask() && !next_->read) {
      next_->abandoned = true;  // Never to be read: destruction drops it.
    }
    next_->CountAsDiscarded(&c);
  }
  return c;
}

bool FilePrefetchBuffer::AutoReadaheadDue(uint64_t offset, size_t n) {
  const bool sequential = have_prev_ && offset == prev_offset_ + prev_len_;
  if (sequential) {
    ++sequential_reads_;
  } else {
    sequential_reads_ = 1;
    auto_readahead_ = std::min(options_.initial_auto_readahead_bytes,
                               options_.max_auto_readahead_bytes);
  }
  prev_offset_ = offset;
  prev_len_ = n;
  have_prev_ = true;
  return auto_readahead_ > 0 &&
         sequential_reads_ > options_.auto_readahead_after_reads;
}

IOStatus FilePrefetchBuffer::Refill(uint64_t offset, size_t n,
                                    size_t readahead_bytes,
                                    size_t min_read_bytes) {
  const uint64_t start = RoundDown(offset, alignment_);
  const uint64_t want_end =
      offset + std::max<uint64_t>(n + readahead_bytes, min_read_bytes);
  uint64_t end = RoundUp(want_end, alignment_);

  // Keep the aligned part of the buffer from `start` on if the request
  // begins inside it; only what follows it is read.
  const uint64_t buffer_end = buffer_offset_ + buffer_.size();
  size_t keep_len = 0;
  if (!buffer_.empty() && offset >= buffer_offset_ && offset < buffer_end &&
      !at_eof_) {
    keep_len = buffer_end - start;  // Whole pages: the buffer ends aligned.
  }
  const uint64_t read_from = start + keep_len;
  if (min_read_bytes > 0) {
    // Compaction reads are min_read_bytes long each, kept chunk or not.
    end = std::max(end, read_from + RoundUp(min_read_bytes, alignment_));
  }
  AccountDiscard(keep_len > 0 ? start : buffer_end);

  const size_t new_len = end - start;
  if (buffer_.capacity() < new_len) {
    AlignedBuffer fresh = TakeBuffer(new_len);
    if (keep_len > 0) {
      std::memcpy(fresh.data(), buffer_.data() + (start - buffer_offset_),
                  keep_len);
    }
    buffer_ = std::move(fresh);
  } else if (keep_len > 0) {
    buffer_.RefitTail(start - buffer_offset_, keep_len);
  }
  buffer_.set_size(keep_len);
  buffer_offset_ = start;

  char* dest = buffer_.data() + keep_len;
  const size_t to_read = end - read_from;
  Slice got;
  IOStatus s = reader_->Read(read_from, to_read, &got, dest);
  if (!s.ok()) {
    buffer_.Clear();
    at_eof_ = false;
    return s;
  }
  if (!got.empty() && got.data() != dest) {
    std::memmove(dest, got.data(), got.size());  // mmap readers.
  }
  buffer_.set_size(keep_len + got.size());
  at_eof_ = got.size() < to_read;
  ++counters_.read_calls;
  counters_.bytes_read += got.size();
  const uint64_t got_end = read_from + got.size();
  const uint64_t ahead_from = std::max<uint64_t>(read_from, offset + n);
  if (got_end > ahead_from) {
    counters_.prefetched_bytes += got_end - ahead_from;
  }
  readahead_start_ = offset + n;
  served_end_ = offset + n;
  return IOStatus::OK();
}

IOStatus FilePrefetchBuffer::Read(uint64_t offset, size_t n, Slice* result) {
  if (n == 0) {
    *result = Slice();
    return IOStatus::OK();
  }
  const bool auto_due = options_.mode == ReadaheadMode::kAuto &&
                        AutoReadaheadDue(offset, n);
  if (Contains(offset, n)) {
    const uint64_t end = buffer_offset_ + buffer_.size();
    const size_t len = std::min<uint64_t>(n, end - offset);
    counters_.served_bytes += len;
    served_end_ = std::max(served_end_, offset + len);
    *result = Slice(buffer_.data() + (offset - buffer_offset_), len);
    return IOStatus::OK();
  }
  if (next_ != nullptr && TakeNextChunk(offset, n, result)) {
    if (options_.mode == ReadaheadMode::kAuto) {
      auto_readahead_ =
          std::min(auto_readahead_ * 2, options_.max_auto_readahead_bytes);
    }
    if (const size_t bytes = NextChunkBytes(); bytes > 0) {
      StartNextChunk(bytes);
    }
    return IOStatus::OK();
  }
  IOStatus s;
  switch (options_.mode) {
    case ReadaheadMode::kExplicit:
      s = Refill(offset, n, options_.readahead_bytes, 0);
      break;
    case ReadaheadMode::kCompaction:
      s = Refill(offset, n, 0, options_.readahead_bytes);
      break;
    case ReadaheadMode::kAuto:
      if (auto_due) {
        s = Refill(offset, n, auto_readahead_, 0);
        auto_readahead_ =
            std::min(auto_readahead_ * 2, options_.max_auto_readahead_bytes);
      } else {
        s = Refill(offset, n, 0, 0);
      }
      break;
  }
  if (!s.ok()) {
    *result = Slice();
    return s;
  }
  const uint64_t end = buffer_offset_ + buffer_.size();
  const size_t len = end > offset ? std::min<uint64_t>(n, end - offset) : 0;
  *result = Slice(buffer_.data() + (offset - buffer_offset_), len);
  // Readahead is under way: fetch the next chunk while this one is used.
  const bool read_ahead = options_.mode == ReadaheadMode::kCompaction
                              ? options_.readahead_bytes > 0
                              : auto_due;
  if (read_ahead) {
    if (const size_t bytes = NextChunkBytes(); bytes > 0) {
      StartNextChunk(bytes);
    }
  }
  return IOStatus::OK();
}

IOStatus FilePrefetchBuffer::PrefetchTail(uint64_t file_size,
                                          size_t tail_bytes) {
  DropNextChunk();
  const uint64_t start =
      file_size > tail_bytes ? RoundDown(file_size - tail_bytes, alignment_)
                             : 0;
  AccountDiscard(buffer_offset_ + buffer_.size());
  const size_t len = RoundUp(file_size - start, alignment_);
  if (buffer_.capacity() < len) {
    buffer_.Allocate(len);
    ++buffer_allocations_;
  }
  buffer_.Clear();
  buffer_offset_ = start;
  Slice got;
  IOStatus s = reader_->Read(start, len, &got, buffer_.data());
  if (!s.ok()) {
    at_eof_ = false;
    return s;
  }
  if (!got.empty() && got.data() != buffer_.data()) {
    std::memmove(buffer_.data(), got.data(), got.size());
  }
  buffer_.set_size(got.size());
  at_eof_ = true;
  ++counters_.read_calls;
  counters_.bytes_read += got.size();
  counters_.prefetched_bytes += got.size();
  readahead_start_ = start;
  served_end_ = start;
  return IOStatus::OK();
}

}  // namespace strata
