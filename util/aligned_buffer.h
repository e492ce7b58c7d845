// AlignedBuffer: a byte buffer whose start address and capacity are
// multiples of a power-of-two alignment, as direct I/O needs.
//
// It holds `size()` live bytes at the front of `capacity()` bytes. Growth is
// explicit (Allocate with copy), so callers decide when bytes move; the
// carry-over of a partial last page after a padded direct write is
// PadToAlignment + write + RefitTail.
//
// Huge pages (set_use_huge_pages): a buffer of at least kHugePageMinBytes
// gets its own anonymous mapping, 2 MiB-aligned and advised MADV_HUGEPAGE,
// so that where transparent huge pages are enabled ("always" or "madvise")
// its bytes are physically contiguous. A direct write from such a buffer is
// one segment for the device: virtio-blk accepts at most 254 segments per
// request, so a 1 MiB write from 256 scattered 4 KiB pages is split in two,
// which measured up to 2x slower on the development VM. The mapping is
// rounded up to 2 MiB, so a 1 MiB buffer may occupy 2 MiB of memory. Where
// huge pages are unavailable the mapping simply uses small pages.
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
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& other) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept;
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  // REQUIRES: power of two; takes effect at the next Allocate().
  void set_alignment(size_t alignment);
  size_t alignment() const { return alignment_; }
  // Smallest capacity that set_use_huge_pages(true) places in a huge-page
  // mapping; smaller buffers would waste most of a 2 MiB page.
  static constexpr size_t kHugePageMinBytes = size_t{1} << 20;
  // Takes effect at the next Allocate(); see the file comment.
  void set_use_huge_pages(bool use) { use_huge_pages_ = use; }
  // Whether the current memory is a huge-page mapping (whether the kernel
  // actually backed it with huge pages is its own decision).
  bool huge_page_mapped() const { return mapped_bytes_ > 0; }
  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t free_space() const { return capacity_ - size_; }
  char* data() { return base_; }
  const char* data() const { return base_; }
  // Where the next byte goes: data() + size().
  char* destination() { return base_ + size_; }

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

  // Hands the memory over; the buffer becomes empty with no capacity. A
  // huge-page mapping is first copied into ordinary memory (AlignedMemory
  // is freed with std::free).
  AlignedMemory Release();

  // Power-of-two helpers.
  static size_t RoundUp(size_t x, size_t alignment) {
    return (x + alignment - 1) & ~(alignment - 1);
  }
  static size_t RoundDown(size_t x, size_t alignment) {
    return x & ~(alignment - 1);
  }

 private:
  // Frees the current memory (either kind); leaves base_ null.
  void FreeMemory();

  size_t alignment_;
  bool use_huge_pages_ = false;
  AlignedMemory data_;       // Ordinary memory, or null.
  size_t mapped_bytes_ = 0;  // > 0: base_ is a mapping of this many bytes.
  char* base_ = nullptr;     // data_.get(), the mapping, or null.
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace strata
