// Arena: a bump allocator for many small objects that all die together, the
// memory of a memtable.
//
// Memory comes from blocks of block_bytes() (64 KiB by default). A request
// larger than a quarter of a block gets a block of its own, so that at most a
// quarter of a block is ever wasted at a block's end. Nothing is freed before
// the Arena is destroyed; the destructor frees every block.
//
// Thread-safety: Allocate() and AllocateAligned() are not thread-safe (one
// writer at a time). MemoryUsage() may be called from any thread at any time.
// Ownership: returned pointers stay valid until the Arena is destroyed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace strata {

class Arena {
 public:
  static constexpr size_t kDefaultBlockBytes = size_t{64} << 10;
  // What AllocateAligned() aligns to: enough for pointers, std::atomic
  // pointers and 8-byte integers (not for over-aligned types such as
  // long double; nothing in the memtable needs that, and a smaller alignment
  // wastes fewer bytes per node).
  static constexpr size_t kAlignment = alignof(void*);

  // REQUIRES: block_bytes >= 64. No memory is taken until the first request.
  explicit Arena(size_t block_bytes = kDefaultBlockBytes);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `bytes` bytes with no alignment promise. REQUIRES: bytes > 0.
  char* Allocate(size_t bytes) {
    if (bytes <= remaining_bytes_) {
      char* result = next_;
      next_ += bytes;
      remaining_bytes_ -= bytes;
      return result;
    }
    return AllocateFallback(bytes);
  }

  // `bytes` bytes at an address that is a multiple of kAlignment.
  // REQUIRES: bytes > 0.
  char* AllocateAligned(size_t bytes) {
    const size_t misalignment =
        reinterpret_cast<uintptr_t>(next_) & (kAlignment - 1);
    const size_t padding = misalignment == 0 ? 0 : kAlignment - misalignment;
    if (bytes + padding <= remaining_bytes_) {
      char* result = next_ + padding;
      next_ += bytes + padding;
      remaining_bytes_ -= bytes + padding;
      return result;
    }
    // Fresh blocks come from operator new[], which aligns them at least to
    // alignof(std::max_align_t) >= kAlignment.
    return AllocateFallback(bytes);
  }

  // Bytes of every block taken so far, plus the bookkeeping for them: grows
  // in steps of a block, not with each request. Safe to call concurrently
  // with allocation.
  size_t MemoryUsage() const {
    // Relaxed: a statistic; readers need no ordering with the blocks.
    return memory_usage_.load(std::memory_order_relaxed);
  }

  size_t block_bytes() const { return block_bytes_; }

 private:
  // The request does not fit in the current block: a dedicated block for a
  // large one, else a new current block.
  char* AllocateFallback(size_t bytes);
  char* NewBlock(size_t bytes);

  const size_t block_bytes_;
  char* next_ = nullptr;  // Next free byte of the current block.
  size_t remaining_bytes_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::atomic<size_t> memory_usage_{0};
};

}  // namespace strata
