#include "table/block.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <utility>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "util/coding.h"

namespace strata {

namespace {

// Footer word plus at least one restart: the smallest well-formed block.
constexpr size_t kMinBlockSize = 2 * sizeof(uint32_t);

Status BlockCorruption(size_t block_size, const std::string& detail) {
  return Status::Corruption("bad block of " + std::to_string(block_size) +
                            " bytes: " + detail);
}

}  // namespace

BlockContents BlockContents::Borrow(Slice data) {
  BlockContents c;
  c.kind_ = Kind::kBorrowed;
  c.data_ = data;
  return c;
}

BlockContents BlockContents::Own(std::string data) {
  BlockContents c;
  c.kind_ = Kind::kString;
  c.string_ = std::move(data);
  return c;
}

BlockContents BlockContents::Own(AlignedMemory memory, size_t offset,
                                 size_t size) {
  BlockContents c;
  c.kind_ = Kind::kAligned;
  c.data_ = Slice(memory.get() + offset, size);
  c.aligned_ = std::move(memory);
  return c;
}

BlockContents BlockContents::Own(AllocatedMemory memory, size_t size) {
  assert(size <= memory.size());
  BlockContents c;
  c.kind_ = Kind::kAllocated;
  c.data_ = Slice(memory.data(), size);
  c.allocated_ = std::move(memory);
  return c;
}

size_t BlockContents::MemoryUsage() const {
  switch (kind_) {
    case Kind::kBorrowed:
      return 0;
    case Kind::kString: {
      // A short string lives inside this object: nothing on the heap.
      const auto begin = reinterpret_cast<uintptr_t>(this);
      const auto at = reinterpret_cast<uintptr_t>(string_.data());
      const bool inline_string = at >= begin && at < begin + sizeof(*this);
      return inline_string ? 0 : string_.capacity() + 1;
    }
    case Kind::kAligned:
#if defined(__GLIBC__)
      // The whole read buffer, of which the block may be a part.
      return malloc_usable_size(aligned_.get());
#else
      return data_.size();
#endif
    case Kind::kAllocated:
      return allocated_.usable_size();
  }
  return data_.size();
}

size_t Block::ApproximateMemoryUsage() const {
  return sizeof(*this) + contents_.MemoryUsage() +
         (restart_key_prefixes_.capacity() + prefix_summary_.capacity()) *
             sizeof(uint64_t);
}

Status Block::Create(BlockContents contents, std::unique_ptr<Block>* result) {
  auto block = std::make_unique<Block>(ConstructionKey(), std::move(contents));
  STRATA_RETURN_IF_ERROR(block->Parse());
  *result = std::move(block);
  return Status::OK();
}

Status Block::CreateInPlace(BlockContents contents,
                            std::optional<Block>* result) {
  result->emplace(ConstructionKey(), std::move(contents));
  Status s = (*result)->Parse();
  if (!s.ok()) {
    result->reset();
  }
  return s;
}

Status Block::Parse() {
  const Slice block = data();
  const size_t size = block.size();
  if (size < kMinBlockSize) {
    return BlockCorruption(size, "too small (a block has at least " +
                                     std::to_string(kMinBlockSize) +
                                     " bytes: a restart and the footer word)");
  }
  if (size > uint64_t{UINT32_MAX}) {
    return BlockCorruption(size, "larger than 4 GiB");
  }
  const uint32_t word = DecodeFixed32(block.data() + size - sizeof(uint32_t));
  DataBlockIndexType type;
  uint32_t num_restarts;
  UnpackBlockFooter(word, size, &type, &num_restarts);

  // End of the restart array: the footer word, or the hash index before it.
  uint32_t array_end = static_cast<uint32_t>(size - sizeof(uint32_t));
  if (type == DataBlockIndexType::kBinaryAndHash) {
    uint32_t buckets_offset = 0;
    Status s =
        hash_index_.Initialize(Slice(block.data(), array_end), &buckets_offset);
    if (!s.ok()) {
      return BlockCorruption(size, std::string(s.message()));
    }
    array_end = buckets_offset;
    has_hash_index_ = true;
  }
  if (num_restarts == 0) {
    return BlockCorruption(size, "footer word " + std::to_string(word) +
                                     " gives no restart points");
  }
  if (num_restarts > array_end / sizeof(uint32_t)) {
    return BlockCorruption(
        size, std::to_string(num_restarts) + " restart points (footer word " +
                  std::to_string(word) + ") do not fit in front of offset " +
                  std::to_string(array_end));
  }
  num_restarts_ = num_restarts;
  restarts_offset_ = array_end - num_restarts * sizeof(uint32_t);
  restarts_ = block.data() + restarts_offset_;

  uint32_t previous = 0;
  for (uint32_t i = 0; i < num_restarts_; ++i) {
    const uint32_t offset = RestartPoint(i);
    if (i == 0 && offset != 0) {
      return BlockCorruption(size, "restart point 0 is at offset " +
                                       std::to_string(offset) + ", not 0");
    }
    if (i > 0 && offset <= previous) {
      return BlockCorruption(
          size, "restart point " + std::to_string(i) + " at offset " +
                    std::to_string(offset) + " does not follow restart point " +
                    std::to_string(i - 1) + " at " + std::to_string(previous));
    }
    // An empty block has its single restart "at" the restart array.
    const bool empty_block = restarts_offset_ == 0 && num_restarts_ == 1;
    if (offset >= restarts_offset_ && !empty_block) {
      return BlockCorruption(size, "restart point " + std::to_string(i) +
                                       " at offset " + std::to_string(offset) +
                                       " is not before the restart array at " +
                                       std::to_string(restarts_offset_));
    }
    previous = offset;
  }
  return Status::OK();
}

Status AddBlockLocation(const Status& s, std::string_view file_path,
                        const BlockHandle& handle) {
  if (!s.IsCorruption()) {
    return s;
  }
  return Status::Corruption(file_path, handle.offset(), handle.size(),
                            s.message());
}

size_t Block::LowerBoundPrefix(uint64_t prefix) const {
  const std::vector<uint64_t>& all = restart_key_prefixes_;
  // j: the first summary entry >= prefix, so the answer lies in
  // ((j - 1) * stride, j * stride].
  const size_t j = static_cast<size_t>(
      std::lower_bound(prefix_summary_.begin(), prefix_summary_.end(), prefix) -
      prefix_summary_.begin());
  const size_t from = j == 0 ? 0 : (j - 1) * kPrefixSummaryStride + 1;
  const size_t to = std::min(all.size(), j * kPrefixSummaryStride + 1);
  // The stride is cold in a large index: ask for all of it at once rather
  // than one miss per halving.
  for (size_t i = from; i < to; i += 64 / sizeof(uint64_t)) {
    __builtin_prefetch(all.data() + i);
  }
  if (to > from) {
    __builtin_prefetch(all.data() + to - 1);
    // The answer's restart offset is read next: fetch those of the stride
    // (16 x 4 bytes) with it instead of one more miss after the search.
    if (to <= num_restarts_) {
      __builtin_prefetch(restarts_ + from * sizeof(uint32_t));
      __builtin_prefetch(restarts_ + (to - 1) * sizeof(uint32_t));
    }
  }
  return static_cast<size_t>(
      std::lower_bound(all.begin() + static_cast<std::ptrdiff_t>(from),
                       all.begin() + static_cast<std::ptrdiff_t>(to), prefix) -
      all.begin());
}

}  // namespace strata
