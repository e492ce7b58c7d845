#include "util/aligned_buffer.h"

#include <sys/mman.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

namespace strata {

namespace {

[[maybe_unused]] bool IsPowerOfTwo(size_t x) {
  return x != 0 && (x & (x - 1)) == 0;
}

// The transparent huge page size on x86-64 and (4 KiB base pages) arm64.
constexpr size_t kHugePageBytes = size_t{2} << 20;

// Maps `bytes` (a multiple of kHugePageBytes) at a kHugePageBytes-aligned
// address and advises huge pages; null if the mapping fails. Over-maps by
// one huge page and unmaps the unaligned ends.
char* MapHugePages(size_t bytes) {
  const size_t reserve = bytes + kHugePageBytes;
  void* raw = mmap(nullptr, reserve, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    return nullptr;
  }
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned =
      (start + kHugePageBytes - 1) & ~(uintptr_t{kHugePageBytes} - 1);
  if (aligned > start) {
    munmap(raw, aligned - start);
  }
  const size_t tail = start + reserve - (aligned + bytes);
  if (tail > 0) {
    munmap(reinterpret_cast<void*>(aligned + bytes), tail);
  }
  char* p = reinterpret_cast<char*>(aligned);
  // Only advice: without transparent huge pages the memory still works.
  madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

}  // namespace

AlignedBuffer::AlignedBuffer(size_t alignment) : alignment_(alignment) {
  assert(IsPowerOfTwo(alignment));
}

AlignedBuffer::~AlignedBuffer() { FreeMemory(); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : alignment_(other.alignment_),
      use_huge_pages_(other.use_huge_pages_),
      data_(std::move(other.data_)),
      mapped_bytes_(std::exchange(other.mapped_bytes_, 0)),
      base_(std::exchange(other.base_, nullptr)),
      capacity_(std::exchange(other.capacity_, 0)),
      size_(std::exchange(other.size_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    FreeMemory();
    alignment_ = other.alignment_;
    use_huge_pages_ = other.use_huge_pages_;
    data_ = std::move(other.data_);
    mapped_bytes_ = std::exchange(other.mapped_bytes_, 0);
    base_ = std::exchange(other.base_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void AlignedBuffer::FreeMemory() {
  if (mapped_bytes_ > 0) {
    munmap(base_, mapped_bytes_);
    mapped_bytes_ = 0;
  }
  data_.reset();
  base_ = nullptr;
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
  size_t fresh_mapped_bytes = 0;
  char* fresh_base = nullptr;
  if (use_huge_pages_ && new_capacity >= kHugePageMinBytes &&
      alignment_ <= kHugePageBytes) {
    const size_t bytes = RoundUp(new_capacity, kHugePageBytes);
    fresh_base = MapHugePages(bytes);
    if (fresh_base != nullptr) {
      fresh_mapped_bytes = bytes;
    }
  }
  if (fresh_base == nullptr && new_capacity > 0) {
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
    fresh_base = fresh.get();
  }
  if (copy && copy_len > 0) {
    std::memcpy(fresh_base, base_ + copy_offset, copy_len);
  }
  FreeMemory();
  data_ = std::move(fresh);
  mapped_bytes_ = fresh_mapped_bytes;
  base_ = fresh_base;
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
    std::memcpy(dst, base_ + offset, count);
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
    std::memmove(base_, base_ + offset, len);
  }
  size_ = len;
}

void AlignedBuffer::set_size(size_t n) {
  assert(n <= capacity_);
  size_ = n;
}

AlignedMemory AlignedBuffer::Release() {
  if (mapped_bytes_ > 0) {
    // AlignedMemory frees with std::free: hand over an ordinary copy.
    const bool use_huge_pages = use_huge_pages_;
    use_huge_pages_ = false;
    Allocate(capacity_, /*copy=*/true, 0, size_);
    use_huge_pages_ = use_huge_pages;
  }
  capacity_ = 0;
  size_ = 0;
  base_ = nullptr;
  return std::move(data_);
}

}  // namespace strata
