// AllocatedMemory: bytes from a MemoryAllocator, given back when the owner
// goes. It keeps its allocator alive, so a block may outlive the cache whose
// allocator made it.
//
// Ownership: unique (movable, not copyable). Not thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

#include "strata/memory_allocator.h"

namespace strata {

class AllocatedMemory {
 public:
  AllocatedMemory() = default;
  // Allocates `size` bytes from *allocator. REQUIRES: allocator not null.
  AllocatedMemory(std::shared_ptr<MemoryAllocator> allocator, size_t size)
      : allocator_(std::move(allocator)),
        data_(static_cast<char*>(allocator_->Allocate(size))),
        size_(size) {}
  ~AllocatedMemory() { Reset(); }
  AllocatedMemory(AllocatedMemory&& other) noexcept
      : allocator_(std::move(other.allocator_)),
        data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  AllocatedMemory& operator=(AllocatedMemory&& other) noexcept {
    if (this != &other) {
      Reset();
      allocator_ = std::move(other.allocator_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  AllocatedMemory(const AllocatedMemory&) = delete;
  AllocatedMemory& operator=(const AllocatedMemory&) = delete;

  char* data() const { return data_; }
  size_t size() const { return size_; }
  // The memory the allocation occupies (MemoryAllocator::UsableSize).
  size_t usable_size() const {
    return data_ == nullptr ? 0 : allocator_->UsableSize(size_);
  }

  void Reset() {
    if (data_ != nullptr) {
      allocator_->Deallocate(data_, size_);
      data_ = nullptr;
      size_ = 0;
    }
    allocator_.reset();
  }

 private:
  std::shared_ptr<MemoryAllocator> allocator_;
  char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace strata
