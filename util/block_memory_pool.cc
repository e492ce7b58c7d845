// BlockMemoryPool (include/strata/memory_allocator.h): size-classed slots
// carved from page-aligned chunks, with one free list per class.
//
// A free slot holds its list link and a "pages released" mark in its first
// kHeaderBytes; only whole pages after them are ever released, so the mark
// survives MADV_DONTNEED. Under AddressSanitizer a free slot (past its
// header), the unused end of a slot and the unused rest of a chunk are
// poisoned, so a use after eviction or an overrun is still reported.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "strata/memory_allocator.h"

#if defined(__SANITIZE_ADDRESS__)
#define STRATA_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STRATA_POOL_ASAN 1
#endif
#endif

#ifdef STRATA_POOL_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace strata {
namespace {

void Poison([[maybe_unused]] const void* p, [[maybe_unused]] size_t n) {
#ifdef STRATA_POOL_ASAN
  ASAN_POISON_MEMORY_REGION(p, n);
#endif
}

void Unpoison([[maybe_unused]] const void* p, [[maybe_unused]] size_t n) {
#ifdef STRATA_POOL_ASAN
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
}

constexpr size_t kGranule = 64;
constexpr size_t kFirstChunkBytes = size_t{256} << 10;
constexpr size_t kMinChunkBytes = size_t{64} << 10;
// MADV_POPULATE_WRITE (Linux 5.14), which older headers lack.
#ifdef MADV_POPULATE_WRITE
constexpr int kMadvPopulateWrite = MADV_POPULATE_WRITE;
#else
constexpr int kMadvPopulateWrite = 23;
#endif

struct FreeSlot {
  FreeSlot* next;
  bool released;  // Its whole pages were given back to the kernel.
};
constexpr size_t kHeaderBytes = 16;
static_assert(sizeof(FreeSlot) <= kHeaderBytes);

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

class Pool final : public BlockMemoryPool {
 public:
  explicit Pool(const BlockMemoryPoolOptions& options) {
    const size_t page = PageSize();
    max_chunk_bytes_ = RoundUp(
        std::max(options.max_chunk_bytes, kMinChunkBytes), page);
    next_chunk_bytes_ = std::min(RoundUp(kFirstChunkBytes, page),
                                 max_chunk_bytes_);
    max_pooled_bytes_ = RoundUp(
        std::clamp<size_t>(options.max_pooled_bytes, kGranule,
                           max_chunk_bytes_ / 4),
        kGranule);
    max_resident_free_bytes_ = options.max_resident_free_bytes;
    free_lists_.assign(max_pooled_bytes_ / kGranule + 1, nullptr);
  }

  ~Pool() override {
    for (const auto& [base, bytes] : chunks_) {
      // Freed memory must not stay poisoned: malloc hands it out again.
      Unpoison(base, bytes);
      std::free(base);
    }
  }

  const char* Name() const override { return "BlockMemoryPool"; }

  size_t UsableSize(size_t size) const override {
    return size > max_pooled_bytes_ ? size : SlotBytes(size);
  }

  void* Allocate(size_t size) override {
    if (size > max_pooled_bytes_) {
      void* p = std::malloc(size);
      if (p == nullptr) throw std::bad_alloc();
      std::lock_guard<std::mutex> lock(mu_);
      stats_.large_allocations++;
      return p;
    }
    const size_t slot_bytes = SlotBytes(size);
    char* slot = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      FreeSlot*& head = free_lists_[slot_bytes / kGranule];
      if (head != nullptr) {
        FreeSlot* free_slot = head;
        Unpoison(free_slot, kHeaderBytes);
        head = free_slot->next;
        stats_.free_bytes -= slot_bytes;
        if (free_slot->released) stats_.released_bytes -= slot_bytes;
        slot = reinterpret_cast<char*>(free_slot);
      } else {
        slot = Carve(slot_bytes);
      }
      stats_.allocated_bytes += slot_bytes;
    }
    Unpoison(slot, size);
    return slot;
  }

  void Deallocate(void* p, size_t size) override {
    if (size > max_pooled_bytes_) {
      std::free(p);
      return;
    }
    const size_t slot_bytes = SlotBytes(size);
    char* slot = static_cast<char*>(p);
    Unpoison(slot, slot_bytes);
    bool release = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      release = stats_.free_bytes - stats_.released_bytes + slot_bytes >
                max_resident_free_bytes_;
    }
    // Outside the lock: the slot is not in a free list yet, so nobody else
    // can be writing to it while its pages go.
    if (release) ReleasePages(slot, slot_bytes);
    auto* free_slot = reinterpret_cast<FreeSlot*>(slot);
    free_slot->released = release;
    Poison(slot + kHeaderBytes, slot_bytes - kHeaderBytes);
    std::lock_guard<std::mutex> lock(mu_);
    FreeSlot*& head = free_lists_[slot_bytes / kGranule];
    free_slot->next = head;
    head = free_slot;
    Poison(free_slot, kHeaderBytes);
    stats_.allocated_bytes -= slot_bytes;
    stats_.free_bytes += slot_bytes;
    if (release) stats_.released_bytes += slot_bytes;
  }

  Stats GetStats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

 private:
  static size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }
  static size_t SlotBytes(size_t size) {
    return RoundUp(std::max<size_t>(size, 1), kGranule);
  }

  // A fresh slot from the current chunk, taking the next chunk when it is
  // full (the old chunk's tail, less than one slot, stays unused). Taking
  // a chunk (malloc, then faulting in up to 1 MiB) happens under the lock,
  // about once per 250 blocks; other threads' calls wait for it.
  // REQUIRES: mu_ held.
  char* Carve(size_t slot_bytes) {
    if (chunk_left_ < slot_bytes) {
      const size_t bytes = next_chunk_bytes_;
      // Plain malloc, not an aligned allocation: its few extra bytes would
      // take a 1 MiB chunk over glibc's adapted mmap threshold, to fresh
      // pages instead of freed ones.
      // kGranule more, so that `bytes` of slots fit after rounding up.
      const size_t malloc_bytes = bytes + kGranule;
      void* base = std::malloc(malloc_bytes);
      if (base == nullptr) throw std::bad_alloc();
      chunks_.emplace_back(base, malloc_bytes);
      // One call faults in whichever pages are not present yet (memory
      // malloc reuses is left alone). Advice only: older kernels refuse it
      // and the pages then fault in one by one.
      const uintptr_t page = PageSize();
      const uintptr_t first = RoundUp(reinterpret_cast<uintptr_t>(base), page);
      const uintptr_t end =
          (reinterpret_cast<uintptr_t>(base) + malloc_bytes) / page * page;
      if (first < end) {
        madvise(reinterpret_cast<void*>(first), end - first,
                kMadvPopulateWrite);
      }
      Poison(base, malloc_bytes);
      // Slots start at a multiple of kGranule.
      chunk_next_ = reinterpret_cast<char*>(
          RoundUp(reinterpret_cast<uintptr_t>(base), kGranule));
      chunk_left_ = bytes;
      stats_.chunk_bytes += bytes;
      next_chunk_bytes_ = std::min(next_chunk_bytes_ * 2, max_chunk_bytes_);
    }
    char* slot = chunk_next_;
    chunk_next_ += slot_bytes;
    chunk_left_ -= slot_bytes;
    return slot;
  }

  // Gives back the whole pages of a slot that lie past its header.
  static void ReleasePages(char* slot, size_t slot_bytes) {
    const size_t page = PageSize();
    const uintptr_t begin =
        RoundUp(reinterpret_cast<uintptr_t>(slot) + kHeaderBytes, page);
    const uintptr_t end =
        (reinterpret_cast<uintptr_t>(slot) + slot_bytes) / page * page;
    if (begin < end) {
      // Advice only: if the kernel refuses, the pages simply stay.
      madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
    }
  }

  size_t max_chunk_bytes_ = 0;
  size_t next_chunk_bytes_ = 0;
  size_t max_pooled_bytes_ = 0;
  size_t max_resident_free_bytes_ = 0;

  mutable std::mutex mu_;
  std::vector<FreeSlot*> free_lists_;  // Indexed by slot size / kGranule.
  std::vector<std::pair<void*, size_t>> chunks_;
  char* chunk_next_ = nullptr;
  size_t chunk_left_ = 0;
  Stats stats_;
};

}  // namespace

std::shared_ptr<BlockMemoryPool> NewBlockMemoryPool(
    const BlockMemoryPoolOptions& options) {
  return std::make_shared<Pool>(options);
}

}  // namespace strata
