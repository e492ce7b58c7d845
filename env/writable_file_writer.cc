#include "env/writable_file_writer.h"

#include <algorithm>
#include <cassert>

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
      executor_(direct_ ? options.executor : nullptr),
      spare_(file_->alignment().both()),
      background_(std::make_shared<BackgroundWrite>()) {
  // A maximum that is not a multiple of the alignment rounds up (S38), so a
  // full buffer is always whole pages.
  max_buffer_bytes_ = options.max_buffer_bytes == 0
                          ? 0
                          : RoundUp(options.max_buffer_bytes, alignment_);
  const size_t initial = std::min(kInitialBufferBytes, max_buffer_bytes_);
  if (initial > 0) {
    buffer_.Allocate(RoundUp(initial, alignment_));
  }
}

WritableFileWriter::~WritableFileWriter() {
  assert(closed_ && "WritableFileWriter destroyed without Close()");
  // Never free spare_ under a running write.
  WaitForBackgroundWrite().PermitUncheckedError();  // Only matters unclosed.
}

IOStatus WritableFileWriter::WaitForBackgroundWrite() {
  IOStatus s;
  {
    std::unique_lock<std::mutex> lock(background_->mutex);
    background_->done_cv.wait(lock, [&] { return !background_->in_flight; });
    s = background_->status;
    background_->status = IOStatus::OK();
  }
  if (!s.ok()) {
    return Poison(std::move(s));
  }
  return IOStatus::OK();
}

IOStatus WritableFileWriter::SubmitFullBuffer() {
  assert(executor_ != nullptr && buffer_.size() == buffer_.capacity());
  STRATA_RETURN_IF_ERROR(WaitForBackgroundWrite());
  // spare_ is free: it becomes the buffer to fill, and the full one goes out.
  std::swap(buffer_, spare_);
  if (buffer_.capacity() < spare_.capacity()) {
    buffer_.Allocate(spare_.capacity());
  }
  buffer_.Clear();
  const uint64_t offset = next_write_offset_;
  const size_t size = spare_.size();
  ++counters_.write_calls;
  counters_.device_bytes += size;
  counters_.rewritten_tail_bytes += clean_prefix_bytes_;
  clean_prefix_bytes_ = 0;
  next_write_offset_ += size;
  unsynced_ = true;
  dirty_ = false;
  {
    std::lock_guard<std::mutex> lock(background_->mutex);
    background_->in_flight = true;
  }
  // The task holds the shared state, so it can always report back; the
  // writer waits for it before touching spare_ or the file again.
  executor_->Submit([state = background_, file = file_.get(),
                     data = spare_.data(), size, offset] {
    IOStatus s = file->PositionedAppend(Slice(data, size), offset);
    std::lock_guard<std::mutex> lock(state->mutex);
    state->status = std::move(s);
    state->in_flight = false;
    state->done_cv.notify_all();
  });
  return IOStatus::OK();
}

void WritableFileWriter::GrowBufferFor(size_t needed) {
  size_t desired = buffer_.capacity();
  while (desired < max_buffer_bytes_ && desired - buffer_.size() < needed) {
    desired = std::min(desired == 0 ? alignment_ : desired * 2,
                       max_buffer_bytes_);
  }
  if (desired == buffer_.capacity()) {
    return;
  }
  // Direct mode always takes the largest buffer it can: whole-buffer
  // writes are the efficient ones. Buffered mode grows only if that makes
  // the append fit; otherwise it flushes and may write through.
  if (direct_ || desired - buffer_.size() >= needed) {
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
  if (direct_) {
    while (left > 0) {
      if (buffer_.free_space() < left) {
        GrowBufferFor(left);
      }
      if (buffer_.free_space() == 0) {
        // Full at the maximum size, with more to come: write it out. A full
        // buffer is whole aligned pages, so no padding (S41).
        IOStatus s = executor_ != nullptr ? SubmitFullBuffer() : WriteDirect();
        if (!s.ok()) {
          return s;
        }
      }
      const size_t n = buffer_.Append(src, left);
      src += n;
      left -= n;
      dirty_ = true;
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
  if (direct_) {
    STRATA_RETURN_IF_ERROR(WaitForBackgroundWrite());
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
  if (direct_) {
    // A background write's error is the first error.
    WaitForBackgroundWrite().PermitUncheckedError();  // Recorded by Poison.
  }
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
