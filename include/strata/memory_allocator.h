// MemoryAllocator: where the blocks a table reader keeps in a block cache
// get their bytes, and BlockMemoryPool, strata's allocator for them.
//
// Why a pool: filling a cache is a stream of ~4 KiB allocations that live
// until eviction. From glibc malloc, on any thread but the main one, each
// of them that extends the thread's arena costs an mprotect call and a page
// fault of its own; a cold scan into a 1 GiB cache measured a fifth of its
// time in the kernel that way. The pool takes memory from malloc in chunks
// of up to 1 MiB (so it reuses what the process freed, a flushed memtable's
// arena say, and chunks stay below glibc's mmap threshold once that has
// adapted), has the kernel fault in a chunk's missing pages with one call
// (MADV_POPULATE_WRITE), places blocks one after another, and reuses a freed
// block's slot for the next block of the same size class. Blocks that were
// read together also sit together, which makes later scans over them
// faster too.
//
// Memory: a slot is the request rounded up to 64 bytes. Slots are reused,
// and chunks freed only when the pool is destroyed (when the cache and the
// last block are gone). Free slots beyond `max_resident_free_bytes` give
// their whole pages back to the kernel (MADV_DONTNEED), so a cache that
// shrinks or empties also shrinks in resident memory; the address range
// stays.
//
// Thread-safety: Allocate and Deallocate may be called concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace strata {

class MemoryAllocator {
 public:
  virtual ~MemoryAllocator() = default;
  virtual const char* Name() const = 0;
  // At least `size` bytes, 16-byte aligned. Throws std::bad_alloc when the
  // system has no memory, as operator new does.
  virtual void* Allocate(size_t size) = 0;
  // REQUIRES: `p` came from Allocate(size) on this allocator, same size.
  virtual void Deallocate(void* p, size_t size) = 0;
  // Bytes an allocation of `size` actually occupies.
  virtual size_t UsableSize(size_t size) const { return size; }
};

struct BlockMemoryPoolOptions {
  // Memory comes in chunks that start at 256 KiB and double up to this
  // (rounded to pages).
  size_t max_chunk_bytes = size_t{1} << 20;
  // Larger requests go to malloc (a block that big is rare and would waste
  // a chunk's tail).
  size_t max_pooled_bytes = size_t{64} << 10;
  // Free slots may keep this many bytes resident; beyond it a freed slot's
  // whole pages are returned to the kernel.
  size_t max_resident_free_bytes = size_t{32} << 20;
};

class BlockMemoryPool : public MemoryAllocator {
 public:
  struct Stats {
    uint64_t chunk_bytes = 0;     // Chunks taken so far.
    uint64_t allocated_bytes = 0;  // Slots in use (large requests excluded).
    uint64_t free_bytes = 0;       // Slots in the free lists.
    uint64_t released_bytes = 0;   // Of free_bytes, pages given back.
    uint64_t large_allocations = 0;  // Requests served by malloc.
  };
  virtual Stats GetStats() const = 0;
};

// InvalidArgument-free: out-of-range options are clamped (chunks at least
// 64 KiB, max_pooled_bytes at most a quarter of a chunk).
std::shared_ptr<BlockMemoryPool> NewBlockMemoryPool(
    const BlockMemoryPoolOptions& options = BlockMemoryPoolOptions());

}  // namespace strata
