#include "env/random_access_file_reader.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <numeric>
#include <vector>

#include "env/io_errors.h"

namespace strata {

RandomAccessFileReader::RandomAccessFileReader(
    std::unique_ptr<RandomAccessFile> file)
    : file_(std::move(file)) {}

RandomAccessFileReaderCounters RandomAccessFileReader::counters() const {
  RandomAccessFileReaderCounters c;
  c.read_calls = read_calls_.load(std::memory_order_relaxed);
  c.requested_bytes = requested_bytes_.load(std::memory_order_relaxed);
  c.device_bytes = device_bytes_.load(std::memory_order_relaxed);
  c.bounce_reads = bounce_reads_.load(std::memory_order_relaxed);
  return c;
}

IOStatus RandomAccessFileReader::ReadFully(uint64_t offset, size_t n, char* dst,
                                           size_t* bytes_read) const {
  const bool direct = use_direct_io();
  const DirectIOAlignment align = alignment();
  size_t done = 0;
  if (n > 0) {
    // A file that reports success without filling the buffer must not pass
    // off stale bytes as data: change the first byte so a checksum catches it.
    dst[0] = static_cast<char>(~dst[0]);
  }
  while (done < n) {
    char* dest = dst + done;
    if (direct && !IsAligned(dest, align.memory)) {
      // Only after an aligned short read when the memory alignment is
      // coarser than the offset alignment: finish through an aligned buffer.
      AlignedBuffer tmp(align.both());
      tmp.Allocate(n - done);
      size_t more = 0;
      IOStatus s = ReadFully(offset + done, n - done, tmp.data(), &more);
      std::memcpy(dest, tmp.data(), more);
      *bytes_read = done + more;
      return s;
    }
    Slice chunk;
    read_calls_.fetch_add(1, std::memory_order_relaxed);
    IOStatus s = file_->Read(offset + done, n - done, &chunk, dest);
    if (!s.ok()) {
      *bytes_read = done;
      return s;
    }
    if (!chunk.empty() && chunk.data() != dest) {
      std::memmove(dest, chunk.data(), chunk.size());
    }
    device_bytes_.fetch_add(chunk.size(), std::memory_order_relaxed);
    done += chunk.size();
    if (chunk.empty()) {
      break;  // End of file.
    }
    if (direct && !IsAligned(chunk.size(), align.offset)) {
      break;  // The kernel returns an unaligned count only at end of file.
    }
    // Otherwise a short transfer mid-file: continue where it stopped.
  }
  *bytes_read = done;
  return IOStatus::OK();
}

IOStatus RandomAccessFileReader::ReadAligned(
    uint64_t offset, size_t n, AlignedBuffer* aligned, Slice* result,
    size_t min_memory_alignment) const {
  const DirectIOAlignment align = alignment();
  const uint64_t start = RoundDown(offset, align.offset);
  const uint64_t end = RoundUp(offset + n, align.offset);
  // A device alignment below a page (512 bytes, typically) lets a read of a
  // page or less land across two pages of memory: the kernel then pins two
  // pages and hands the device two segments, which cost a direct 4 KiB Get
  // 5 us (8%) against a bare pread on this VM. Page-align the memory when
  // that rounds no capacity up, or at most to one page (a compressed block's
  // buffer is freed once it is decompressed); ReadInto's reused buffer is
  // always page-aligned.
  size_t memory_alignment = std::max(align.both(), min_memory_alignment);
  if (IsAligned(end - start, kDefaultPageSize) ||
      end - start < kDefaultPageSize) {
    memory_alignment = std::max(memory_alignment, kDefaultPageSize);
  }
  if (aligned->alignment() < memory_alignment ||
      aligned->capacity() < end - start) {
    aligned->set_alignment(std::max(aligned->alignment(), memory_alignment));
    aligned->Allocate(end - start);
  }
  size_t got = 0;
  IOStatus s = ReadFully(start, end - start, aligned->data(), &got);
  if (!s.ok()) {
    *result = Slice();
    return s;
  }
  aligned->set_size(got);
  const uint64_t advance = offset - start;
  const size_t len = got > advance ? std::min<uint64_t>(got - advance, n) : 0;
  *result = Slice(aligned->data() + advance, len);
  return IOStatus::OK();
}

IOStatus RandomAccessFileReader::Read(uint64_t offset, size_t n, Slice* result,
                                      char* scratch) const {
  requested_bytes_.fetch_add(n, std::memory_order_relaxed);
  if (mode() == IOMode::kMmap) {
    read_calls_.fetch_add(1, std::memory_order_relaxed);
    IOStatus s = file_->Read(offset, n, result, scratch);
    device_bytes_.fetch_add(result->size(), std::memory_order_relaxed);
    return s;
  }
  if (n == 0) {
    *result = Slice(scratch, 0);
    return IOStatus::OK();
  }
  const DirectIOAlignment align = alignment();
  if (!use_direct_io() ||
      (IsAligned(offset, align.offset) && IsAligned(n, align.offset) &&
       IsAligned(scratch, align.memory))) {
    size_t got = 0;
    IOStatus s = ReadFully(offset, n, scratch, &got);
    *result = s.ok() ? Slice(scratch, got) : Slice();
    return s;
  }
  bounce_reads_.fetch_add(1, std::memory_order_relaxed);
  AlignedBuffer aligned(align.both());
  Slice in_buffer;
  IOStatus s = ReadAligned(offset, n, &aligned, &in_buffer);
  if (!s.ok()) {
    *result = Slice();
    return s;
  }
  std::memcpy(scratch, in_buffer.data(), in_buffer.size());
  *result = Slice(scratch, in_buffer.size());
  return IOStatus::OK();
}

IOStatus RandomAccessFileReader::Read(uint64_t offset, size_t n, Slice* result,
                                      AlignedMemory* buffer) const {
  if (!use_direct_io()) {
    // Buffered and mmap reads need no page alignment: a malloc-aligned
    // block wastes no memory (a 4 KiB-aligned 4101-byte block holds two
    // pages, which a large block cache then faults in for nothing).
    AlignedBuffer aligned(alignof(std::max_align_t));
    aligned.Allocate(std::max<size_t>(n, 1));
    IOStatus s = Read(offset, n, result, aligned.data());
    if (s.ok() && result->data() == aligned.data()) {
      *buffer = aligned.Release();
    } else {
      buffer->reset();  // mmap: the result points into the mapping.
    }
    return s;
  }
  AlignedBuffer aligned(alignment().both());
  requested_bytes_.fetch_add(n, std::memory_order_relaxed);
  IOStatus s = ReadAligned(offset, n, &aligned, result);
  *buffer = aligned.Release();
  return s;
}

IOStatus RandomAccessFileReader::ReadInto(uint64_t offset, size_t n,
                                          Slice* result,
                                          AlignedBuffer* reused) const {
  if (!use_direct_io()) {
    if (reused->capacity() < n) reused->Allocate(n);
    return Read(offset, n, result, reused->data());
  }
  requested_bytes_.fetch_add(n, std::memory_order_relaxed);
  // Page alignment costs a reused buffer nothing per read.
  return ReadAligned(offset, n, reused, result, kDefaultPageSize);
}

IOStatus RandomAccessFileReader::MultiRead(ReadRequest* requests,
                                           size_t num_requests,
                                           AlignedMemory* buffer) const {
  buffer->reset();
  if (num_requests == 0) {
    return IOStatus::OK();
  }
  // Serve requests in offset order; results are mapped back by index.
  std::vector<size_t> order(num_requests);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return requests[a].offset < requests[b].offset;
  });
  for (size_t i = 0; i < num_requests; ++i) {
    requested_bytes_.fetch_add(requests[i].len, std::memory_order_relaxed);
  }

  // The ranges actually read: the requests themselves, or in direct mode
  // their aligned hulls merged where they overlap or touch.
  struct Range {
    uint64_t start = 0;
    uint64_t end = 0;
    size_t buffer_offset = 0;
    size_t got = 0;
    IOStatus status;
  };
  std::vector<Range> ranges;
  std::vector<size_t> range_of(num_requests);
  const bool direct = use_direct_io();
  const DirectIOAlignment align = alignment();
  for (size_t idx : order) {
    const ReadRequest& r = requests[idx];
    uint64_t start = r.offset;
    uint64_t end = r.offset + r.len;
    if (direct) {
      start = RoundDown(start, align.offset);
      end = RoundUp(end, align.offset);
      if (!ranges.empty() && start <= ranges.back().end) {
        ranges.back().end = std::max(ranges.back().end, end);
        range_of[idx] = ranges.size() - 1;
        continue;
      }
    }
    Range range;
    range.start = start;
    range.end = end;
    ranges.push_back(std::move(range));
    range_of[idx] = ranges.size() - 1;
  }
  // In buffered mode each range is padded to the alignment inside the batch
  // buffer, so every range starts at an aligned address too.
  size_t total = 0;
  for (Range& range : ranges) {
    range.buffer_offset = total;
    total += RoundUp(range.end - range.start, align.both());
  }
  AlignedBuffer batch(align.both());
  batch.Allocate(std::max<size_t>(total, 1));

  if (mode() == IOMode::kMmap) {
    for (size_t i = 0; i < num_requests; ++i) {
      ReadRequest& r = requests[i];
      read_calls_.fetch_add(1, std::memory_order_relaxed);
      r.status = file_->Read(r.offset, r.len, &r.result,
                             batch.data() + ranges[range_of[i]].buffer_offset);
    }
    *buffer = batch.Release();
    return IOStatus::OK();
  }

  std::vector<ReadRequest> reads(ranges.size());
  for (size_t i = 0; i < ranges.size(); ++i) {
    reads[i].offset = ranges[i].start;
    reads[i].len = ranges[i].end - ranges[i].start;
    reads[i].scratch = batch.data() + ranges[i].buffer_offset;
  }
  read_calls_.fetch_add(reads.size(), std::memory_order_relaxed);
  IOStatus s = file_->MultiRead(reads.data(), reads.size());
  if (!s.ok()) {
    return s;
  }
  for (size_t i = 0; i < ranges.size(); ++i) {
    Range& range = ranges[i];
    ReadRequest& read = reads[i];
    range.status = read.status;
    if (!read.status.ok()) {
      continue;
    }
    if (!read.result.empty() && read.result.data() != read.scratch) {
      std::memmove(read.scratch, read.result.data(), read.result.size());
    }
    range.got = read.result.size();
    device_bytes_.fetch_add(range.got, std::memory_order_relaxed);
    // A short transfer that is not the end of the file: read the rest.
    const bool maybe_more = range.got > 0 && range.got < read.len &&
                            (!direct || IsAligned(range.got, align.offset));
    if (maybe_more) {
      size_t more = 0;
      range.status = ReadFully(range.start + range.got, read.len - range.got,
                               read.scratch + range.got, &more);
      range.got += more;
    }
  }
  for (size_t i = 0; i < num_requests; ++i) {
    ReadRequest& r = requests[i];
    const Range& range = ranges[range_of[i]];
    r.status = range.status;
    if (!range.status.ok()) {
      r.result = Slice();
      continue;
    }
    const uint64_t advance = r.offset - range.start;
    const size_t len = range.got > advance
                           ? std::min<uint64_t>(range.got - advance, r.len)
                           : 0;
    r.result = Slice(batch.data() + range.buffer_offset + advance, len);
  }
  *buffer = batch.Release();
  return IOStatus::OK();
}

}  // namespace strata
