#include "util/aligned_buffer.h"

#include <cassert>
#include <cstring>
#include <new>

namespace strata {

namespace {

[[maybe_unused]] bool IsPowerOfTwo(size_t x) {
  return x != 0 && (x & (x - 1)) == 0;
}

}  // namespace

AlignedBuffer::AlignedBuffer(size_t alignment) : alignment_(alignment) {
  assert(IsPowerOfTwo(alignment));
}

void AlignedBuffer::set_alignment(size_t alignment) {
  assert(IsPowerOfTwo(alignment));
  alignment_ = alignment;
}

void AlignedBuffer::Allocate(size_t requested_bytes, bool copy,
                             size_t copy_offset, size_t copy_len) {
  assert(!copy || copy_offset + copy_len <= size_);
  if (copy && requested_bytes < copy_len) {
    return;  // Never drop live bytes.
  }
  const size_t new_capacity = RoundUp(requested_bytes, alignment_);
  AlignedMemory fresh;
  if (new_capacity > 0) {
    // aligned_alloc wants an alignment of at least sizeof(void*) and a size
    // that is a multiple of it; both hold.
    const size_t align = alignment_ < alignof(std::max_align_t)
                             ? alignof(std::max_align_t)
                             : alignment_;
    fresh.reset(static_cast<char*>(
        std::aligned_alloc(align, RoundUp(new_capacity, align))));
    if (!fresh) {
      throw std::bad_alloc();
    }
  }
  if (copy && copy_len > 0) {
    std::memcpy(fresh.get(), data_.get() + copy_offset, copy_len);
  }
  data_ = std::move(fresh);
  capacity_ = new_capacity;
  size_ = copy ? copy_len : 0;
}

size_t AlignedBuffer::Append(const char* src, size_t n) {
  const size_t count = n < free_space() ? n : free_space();
  if (count > 0) {
    std::memcpy(destination(), src, count);
    size_ += count;
  }
  return count;
}

size_t AlignedBuffer::Read(char* dst, size_t offset, size_t n) const {
  assert(offset <= size_);
  const size_t available = size_ - offset;
  const size_t count = n < available ? n : available;
  if (count > 0) {
    std::memcpy(dst, data_.get() + offset, count);
  }
  return count;
}

void AlignedBuffer::PadToAlignment(char byte) {
  const size_t padded = RoundUp(size_, alignment_);
  assert(padded <= capacity_);
  PadWith(padded - size_, byte);
}

void AlignedBuffer::PadWith(size_t n, char byte) {
  assert(n <= free_space());
  if (n > 0) {
    std::memset(destination(), byte, n);
    size_ += n;
  }
}

void AlignedBuffer::RefitTail(size_t offset, size_t len) {
  assert(offset + len <= size_);
  if (len > 0 && offset > 0) {
    std::memmove(data_.get(), data_.get() + offset, len);
  }
  size_ = len;
}

void AlignedBuffer::set_size(size_t n) {
  assert(n <= capacity_);
  size_ = n;
}

AlignedMemory AlignedBuffer::Release() {
  capacity_ = 0;
  size_ = 0;
  return std::move(data_);
}

}  // namespace strata
