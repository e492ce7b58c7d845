#include "env/writable_file_writer.h"

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "env/io_errors.h"
#include "util/crc32c.h"

namespace strata {

namespace {

// The first buffer is at most this large; it doubles as appends need room.
constexpr size_t kInitialBufferBytes = 64 << 10;
// Buffered range syncs leave the most recent bytes alone: the kernel is
// likely still collecting them, and syncing them would stall the writer.
constexpr uint64_t kRangeSyncKeepUnsyncedBytes = 1 << 20;
// Range syncs end on page boundaries.
constexpr size_t kRangeSyncAlignment = 4096;

}  // namespace

struct WritableFileWriter::BackgroundWrites {
  struct Pending {
    AlignedBuffer buffer;  // Whole pages, no padding.
    uint64_t offset;
  };

  BackgroundWrites(WritableFile* f, bool d) : file(f), direct(d) {}

  // Writes the queue front first until it is empty, then performs a
  // deferred InvalidateCache and marks the drain finished. Runs on the
  // executor; at most one call runs at a time.
  void Drain() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      if (!queue.empty()) {
        Pending next = std::move(queue.front());
        queue.pop_front();
        IOStatus s;
        if (!stopped) {
          lock.unlock();
          const Slice data(next.buffer.data(), next.buffer.size());
          s = direct ? file->PositionedAppend(data, next.offset)
                     : file->Append(data);
          lock.lock();
        }
        // After a failure the rest is dropped: writing past the failed
        // range would leave a hole, and the writer is poisoned anyway.
        if (!s.ok()) {
          stopped = true;
          status = std::move(s);
        }
        next.buffer.Clear();
        free.push_back(std::move(next.buffer));
        cv.notify_all();
      } else if (invalidate_cache) {
        invalidate_cache = false;
        if (!stopped) {
          // Best effort, like the synchronous call it stands in for. More
          // buffers may be queued meanwhile: the loop writes them too.
          lock.unlock();
          file->InvalidateCache(0, 0).PermitUncheckedError();
          lock.lock();
        }
      } else {
        break;
      }
    }
    draining = false;
    cv.notify_all();
  }

  // Borrowed from the writer, which waits for the drain to finish before it
  // uses or closes the file itself.
  WritableFile* const file;
  const bool direct;  // PositionedAppend at each buffer's offset, or Append.
  std::mutex mutex;
  std::condition_variable cv;       // A buffer became free or the drain ended.
  std::deque<Pending> queue;        // Guarded by mutex; file order.
  std::vector<AlignedBuffer> free;  // Guarded by mutex; written buffers.
  bool draining = false;  // Guarded by mutex; a drain task is submitted.
  IOStatus status;        // Guarded by mutex; the failure, until reported.
  bool stopped = false;   // Guarded by mutex; a write failed: write no more.
  // Guarded by mutex; InvalidateCache() was called during the drain: do it
  // once the queue is written.
  bool invalidate_cache = false;
};

Status WritableFileWriter::Create(std::unique_ptr<WritableFile> file,
                                  const WritableFileWriterOptions& options,
                                  std::unique_ptr<WritableFileWriter>* result) {
  if (file->use_direct_io() && options.max_buffer_bytes == 0) {
    // RocksDB's exact text (S7), so that scripts matching it keep working.
    return Status::InvalidArgument(kZeroBufferMessage);
  }
  result->reset(new WritableFileWriter(std::move(file), options));
  return Status::OK();
}

WritableFileWriter::WritableFileWriter(std::unique_ptr<WritableFile> file,
                                       const WritableFileWriterOptions& options)
    : file_(std::move(file)),
      path_(file_->path()),
      direct_(file_->use_direct_io()),
      alignment_(file_->alignment().offset),
      bytes_per_sync_(options.bytes_per_sync),
      compute_checksum_(options.compute_file_checksum),
      buffer_(file_->alignment().both()),
      executor_(direct_ || (options.bytes_per_sync == 0 &&
                            options.max_buffer_bytes > 0)
                    ? options.executor
                    : nullptr) {
  if (executor_ != nullptr) {
    background_ = std::make_shared<BackgroundWrites>(file_.get(), direct_);
  }
  // A maximum that is not a multiple of the alignment rounds up (S38), so a
  // full buffer is always whole pages.
  max_buffer_bytes_ = options.max_buffer_bytes == 0
                          ? 0
                          : RoundUp(options.max_buffer_bytes, alignment_);
  if (direct_) {
    // Physically contiguous buffers reach the device as one segment
    // (util/aligned_buffer.h); only buffers of 1 MiB and more are mapped so.
    buffer_.set_use_huge_pages(true);
  }
  const size_t initial = std::min(kInitialBufferBytes, max_buffer_bytes_);
  if (initial > 0) {
    buffer_.Allocate(RoundUp(initial, alignment_));
  }
}

WritableFileWriter::~WritableFileWriter() {
  assert(closed_ && "WritableFileWriter destroyed without Close()");
  // Never leave the drain task with a file that is about to be destroyed.
  WaitForBackgroundWrites().PermitUncheckedError();  // Only matters unclosed.
}

IOStatus WritableFileWriter::WaitForBackgroundWrites() {
  if (background_ == nullptr) {
    return IOStatus::OK();
  }
  IOStatus s;
  {
    std::unique_lock<std::mutex> lock(background_->mutex);
    background_->cv.wait(lock, [&] { return !background_->draining; });
    s = std::exchange(background_->status, IOStatus::OK());
  }
  if (!s.ok()) {
    return Poison(std::move(s));
  }
  return IOStatus::OK();
}

IOStatus WritableFileWriter::SubmitFullBuffer() {
  assert(background_ != nullptr && buffer_.size() == buffer_.capacity());
  const uint64_t offset = next_write_offset_;
  const size_t size = buffer_.size();
  const size_t capacity = buffer_.capacity();
  const size_t alignment = buffer_.alignment();
  ++counters_.write_calls;
  counters_.device_bytes += size;
  counters_.rewritten_tail_bytes += clean_prefix_bytes_;
  clean_prefix_bytes_ = 0;
  next_write_offset_ += size;
  flushed_bytes_ += direct_ ? 0 : size;
  unsynced_ = true;
  dirty_ = false;
  bool start_drain = false;
  {
    std::lock_guard<std::mutex> lock(background_->mutex);
    background_->queue.push_back({std::move(buffer_), offset});
    start_drain = !background_->draining;
    background_->draining = true;
  }
  if (start_drain) {
    // The task holds the shared state, so it can always report back.
    executor_->Submit([state = background_] { state->Drain(); });
  }
  // Continue with a free buffer, a new one while fewer than
  // kBackgroundBuffers exist, or wait for the drain to free one.
  IOStatus failed;
  AlignedBuffer next(alignment);
  {
    std::unique_lock<std::mutex> lock(background_->mutex);
    if (background_->free.empty() && background_buffers_ < kBackgroundBuffers) {
      ++background_buffers_;
    } else {
      background_->cv.wait(lock, [&] {
        return !background_->free.empty() || !background_->status.ok();
      });
    }
    if (!background_->status.ok()) {
      // Reported here, once; the drain drops what is still queued.
      failed = std::exchange(background_->status, IOStatus::OK());
    } else if (!background_->free.empty()) {
      next = std::move(background_->free.back());
      background_->free.pop_back();
    }
  }
  if (!failed.ok()) {
    // buffer_ stays empty: nothing more is appended to a poisoned writer.
    buffer_ = AlignedBuffer(alignment);
    return Poison(std::move(failed));
  }
  if (next.capacity() < capacity) {
    next.set_use_huge_pages(direct_);
    next.Allocate(capacity);
  }
  buffer_ = std::move(next);
  return IOStatus::OK();
}

void WritableFileWriter::GrowBufferFor(size_t needed) {
  size_t desired = buffer_.capacity();
  while (desired < max_buffer_bytes_ && desired - buffer_.size() < needed) {
    desired =
        std::min(desired == 0 ? alignment_ : desired * 2, max_buffer_bytes_);
  }
  if (desired == buffer_.capacity()) {
    return;
  }
  // Direct and background modes always take the largest buffer they can:
  // whole-buffer writes are the efficient ones. Synchronous buffered mode
  // grows only if that makes the append fit; otherwise it flushes and may
  // write through.
  if (direct_ || background_ != nullptr ||
      desired - buffer_.size() >= needed) {
    buffer_.Grow(desired);
  }
}

IOStatus WritableFileWriter::Append(Slice data) {
  if (closed_) {
    return Status::IOError(path_ + ": Append after Close");
  }
  if (!first_error_.ok()) {
    return PreviousError();
  }
  if (data.empty()) {
    return IOStatus::OK();
  }
  if (compute_checksum_) {
    running_crc_ = crc32c::Extend(running_crc_, data.data(), data.size());
  }
  const char* src = data.data();
  size_t left = data.size();
  // Direct files, and buffered ones with background writes, fill the
  // buffer to its maximum size and write it whole.
  if (direct_ || background_ != nullptr) {
    while (left > 0) {
      if (buffer_.free_space() < left) {
        GrowBufferFor(left);
      }
      if (buffer_.free_space() == 0) {
        // Full at the maximum size, with more to come: write it out. A full
        // buffer is whole aligned pages, so no padding (S41).
        IOStatus s =
            background_ != nullptr ? SubmitFullBuffer() : WriteDirect();
        if (!s.ok()) {
          return s;
        }
      }
      const size_t n = buffer_.Append(src, left);
      src += n;
      left -= n;
      dirty_ = true;
      if (background_ != nullptr && buffer_.free_space() == 0 &&
          buffer_.capacity() >= max_buffer_bytes_) {
        // Full at the maximum size: send it now, so the device has the next
        // write queued rather than waiting for the next Append.
        STRATA_RETURN_IF_ERROR(SubmitFullBuffer());
      }
    }
  } else {
    if (buffer_.free_space() < left) {
      GrowBufferFor(left);
    }
    if (buffer_.free_space() < left && !buffer_.empty()) {
      IOStatus s = WriteBuffered(buffer_.data(), buffer_.size());
      buffer_.Clear();
      if (s.ok()) {
        s = MaybeRangeSync();
      }
      if (!s.ok()) {
        return s;
      }
    }
    if (left <= buffer_.free_space()) {
      buffer_.Append(src, left);
    } else {
      // Larger than the whole buffer: no point copying it first.
      IOStatus s = WriteBuffered(src, left);
      if (s.ok()) {
        s = MaybeRangeSync();
      }
      if (!s.ok()) {
        return s;
      }
    }
  }
  counters_.logical_bytes += data.size();
  return IOStatus::OK();
}

IOStatus WritableFileWriter::WriteDirect() {
  assert(direct_ && !buffer_.empty());
  const size_t logical = buffer_.size();
  const size_t whole = RoundDown(logical, alignment_);
  const size_t tail = logical - whole;
  buffer_.PadToAlignment(0);
  const size_t padded = buffer_.size();
  ++counters_.write_calls;
  IOStatus s = file_->PositionedAppend(Slice(buffer_.data(), padded),
                                       next_write_offset_);
  if (!s.ok()) {
    buffer_.set_size(logical);  // Take the padding back out.
    return Poison(std::move(s));
  }
  counters_.device_bytes += padded;
  counters_.padding_bytes += padded - logical;
  counters_.rewritten_tail_bytes += clean_prefix_bytes_;
  unsynced_ = true;
  dirty_ = false;
  // Carry the partial page over: the next write starts at the same aligned
  // offset and rewrites it with more data.
  buffer_.RefitTail(whole, tail);
  next_write_offset_ += whole;
  clean_prefix_bytes_ = tail;
  return IOStatus::OK();
}

IOStatus WritableFileWriter::WriteBuffered(const char* data, size_t n) {
  ++counters_.write_calls;
  IOStatus s = file_->Append(Slice(data, n));
  if (!s.ok()) {
    return Poison(std::move(s));
  }
  counters_.device_bytes += n;
  flushed_bytes_ += n;
  unsynced_ = true;
  return IOStatus::OK();
}

IOStatus WritableFileWriter::MaybeRangeSync() {
  if (bytes_per_sync_ == 0 || flushed_bytes_ <= kRangeSyncKeepUnsyncedBytes) {
    return IOStatus::OK();
  }
  const uint64_t sync_to = RoundDown(
      flushed_bytes_ - kRangeSyncKeepUnsyncedBytes, kRangeSyncAlignment);
  if (sync_to < last_range_sync_offset_ + bytes_per_sync_) {
    return IOStatus::OK();
  }
  ++counters_.range_syncs;
  IOStatus s = file_->RangeSync(last_range_sync_offset_,
                                sync_to - last_range_sync_offset_);
  if (!s.ok()) {
    return Poison(std::move(s));
  }
  last_range_sync_offset_ = sync_to;
  return IOStatus::OK();
}

IOStatus WritableFileWriter::Flush() {
  if (closed_) {
    return Status::IOError(path_ + ": Flush after Close");
  }
  if (!first_error_.ok()) {
    return PreviousError();
  }
  STRATA_RETURN_IF_ERROR(WaitForBackgroundWrites());
  if (direct_) {
    // A clean tail (already written, nothing appended since) is never
    // written again.
    if (dirty_ && !buffer_.empty()) {
      STRATA_RETURN_IF_ERROR(WriteDirect());
    }
  } else if (!buffer_.empty()) {
    IOStatus s = WriteBuffered(buffer_.data(), buffer_.size());
    buffer_.Clear();
    STRATA_RETURN_IF_ERROR(s);
  }
  IOStatus s = file_->Flush();
  if (!s.ok()) {
    return Poison(std::move(s));
  }
  return direct_ ? IOStatus::OK() : MaybeRangeSync();
}

IOStatus WritableFileWriter::Sync() {
  STRATA_RETURN_IF_ERROR(Flush());
  if (!unsynced_) {
    return IOStatus::OK();
  }
  ++counters_.syncs;
  IOStatus s = file_->Sync();
  if (!s.ok()) {
    return Poison(std::move(s));
  }
  unsynced_ = false;
  return IOStatus::OK();
}

IOStatus WritableFileWriter::Fsync() {
  STRATA_RETURN_IF_ERROR(Flush());
  if (!unsynced_) {
    return IOStatus::OK();
  }
  ++counters_.fsyncs;
  IOStatus s = file_->Fsync();
  if (!s.ok()) {
    return Poison(std::move(s));
  }
  unsynced_ = false;
  return IOStatus::OK();
}

IOStatus WritableFileWriter::Close() {
  if (closed_) {
    return close_status_;
  }
  // A background write's error is the first error.
  WaitForBackgroundWrites().PermitUncheckedError();  // Recorded by Poison.
  if (!first_error_.ok()) {
    closed_ = true;
    // The data is lost either way; the close error adds nothing.
    file_->Close().PermitUncheckedError();
    close_status_ = first_error_.WithMessagePrefix(
        "File is closed but data not flushed as writer has previous error. ");
    return close_status_;
  }
  IOStatus s = Flush();
  if (s.ok() && direct_) {
    // The last write was padded to a page: cut the file back to its logical
    // size, then make data and size durable (S47).
    s = file_->Truncate(counters_.logical_bytes);
    if (s.ok()) {
      ++counters_.fsyncs;
      s = file_->Fsync();
    }
  }
  IOStatus close_s = file_->Close();
  if (s.ok()) {
    s = std::move(close_s);
  }
  closed_ = true;
  if (s.ok()) {
    file_checksum_ = running_crc_;
  } else if (first_error_.ok()) {
    first_error_ = s;
  }
  close_status_ = s;
  return s;
}

IOStatus WritableFileWriter::InvalidateCache() {
  if (closed_) {
    return Status::IOError(path_ + ": InvalidateCache after Close");
  }
  if (direct_) {
    return IOStatus::OK();
  }
  if (background_ != nullptr) {
    std::lock_guard<std::mutex> lock(background_->mutex);
    if (background_->draining) {
      // The drain owns the file now: it drops the pages once the queued
      // buffers are written (which is also when dropping them helps).
      background_->invalidate_cache = true;
      return IOStatus::OK();
    }
    // No drain running, and only this thread starts one: the file is ours.
  }
  return file_->InvalidateCache(0, 0);
}

IOStatus WritableFileWriter::Poison(IOStatus s) {
  if (first_error_.ok()) {
    first_error_ = s;
  }
  return s;
}

IOStatus WritableFileWriter::PreviousError() const {
  return first_error_.WithMessagePrefix("Writer has previous error. ");
}

}  // namespace strata
