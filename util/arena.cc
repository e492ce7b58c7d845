#include "util/arena.h"

#include <cassert>

namespace strata {

Arena::Arena(size_t block_bytes) : block_bytes_(block_bytes) {
  assert(block_bytes >= 64);
}

Arena::~Arena() = default;

char* Arena::AllocateFallback(size_t bytes) {
  assert(bytes > 0);
  if (bytes > block_bytes_ / 4) {
    // A block of its own; the current block keeps its free space for the
    // small requests that follow.
    return NewBlock(bytes);
  }
  // The rest of the current block (under a quarter of a block, since the
  // request itself is) is abandoned.
  char* block = NewBlock(block_bytes_);
  next_ = block + bytes;
  remaining_bytes_ = block_bytes_ - bytes;
  return block;
}

char* Arena::NewBlock(size_t bytes) {
  blocks_.push_back(std::make_unique_for_overwrite<char[]>(bytes));
  // Relaxed: only this (the one allocating) thread writes the counter.
  memory_usage_.store(
      memory_usage_.load(std::memory_order_relaxed) + bytes + sizeof(char*),
      std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace strata
