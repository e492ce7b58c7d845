// AlignedBuffer: a byte buffer whose start address and capacity are
// multiples of a power-of-two alignment, as direct I/O needs.
//
// It holds `size()` live bytes at the front of `capacity()` bytes. Growth is
// explicit (Allocate with copy), so callers decide when bytes move; the
// carry-over of a partial last page after a padded direct write is
// PadToAlignment + write + RefitTail.
//
// Ownership: owns its memory; Release() hands it over. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>

namespace strata {

struct AlignedFree {
  void operator()(char* p) const { std::free(p); }
};
// Memory handed out by AlignedBuffer::Release(); freed with std::free.
using AlignedMemory = std::unique_ptr<char[], AlignedFree>;

class AlignedBuffer {
 public:
  // REQUIRES: alignment is a power of two.
  explicit AlignedBuffer(size_t alignment = 4096);
  AlignedBuffer(AlignedBuffer&&) noexcept = default;
  AlignedBuffer& operator=(AlignedBuffer&&) noexcept = default;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  // REQUIRES: power of two; takes effect at the next Allocate().
  void set_alignment(size_t alignment);
  size_t alignment() const { return alignment_; }
  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t free_space() const { return capacity_ - size_; }
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  // Where the next byte goes: data() + size().
  char* destination() { return data_.get() + size_; }

  // Replaces the memory with `requested_bytes` rounded up to the alignment.
  // With `copy`, the `copy_len` bytes at `copy_offset` of the old buffer move
  // to the front of the new one and become its contents (a request smaller
  // than copy_len is ignored: live bytes are never dropped). Without it, the
  // new buffer is empty.
  // REQUIRES: copy_offset + copy_len <= size().
  void Allocate(size_t requested_bytes, bool copy = false,
                size_t copy_offset = 0, size_t copy_len = 0);
  // Allocate keeping every live byte.
  void Grow(size_t requested_bytes) {
    Allocate(requested_bytes, /*copy=*/true, 0, size_);
  }

  // Copies min(n, free_space()) bytes and returns how many.
  size_t Append(const char* src, size_t n);
  // Copies min(n, size() - offset) bytes starting at `offset`; returns how
  // many. REQUIRES: offset <= size().
  size_t Read(char* dst, size_t offset, size_t n) const;

  // Appends `byte` up to the next multiple of the alignment (nothing if
  // size() already is one). REQUIRES: the capacity allows it (it always does:
  // capacity is a multiple of the alignment).
  void PadToAlignment(char byte = 0);
  // Appends n copies of `byte`. REQUIRES: n <= free_space().
  void PadWith(size_t n, char byte);

  // Moves [offset, offset + len) to the front; size() becomes len.
  // REQUIRES: offset + len <= size().
  void RefitTail(size_t offset, size_t len);

  // Sets the number of live bytes, after writing into data() directly
  // (a read into destination()). REQUIRES: n <= capacity().
  void set_size(size_t n);
  void Clear() { size_ = 0; }

  // Hands the memory over; the buffer becomes empty with no capacity.
  AlignedMemory Release();

  // Power-of-two helpers.
  static size_t RoundUp(size_t x, size_t alignment) {
    return (x + alignment - 1) & ~(alignment - 1);
  }
  static size_t RoundDown(size_t x, size_t alignment) {
    return x & ~(alignment - 1);
  }

 private:
  size_t alignment_;
  AlignedMemory data_;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace strata
