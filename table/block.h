// Block: one uncompressed block in the generic block format (data, index,
// metaindex, properties or range-deletion block), with its restart array
// located and checked (../shared/spec/sst-format.md section 7). Iterate it
// with BlockIter (table/block_iter.h).
//
// A Block works on uncompressed contents without the 5-byte trailer: the
// table reader verifies the checksum and decompresses first.
//
// Errors: Block and BlockIter know nothing of files; their Corruption
// messages say where inside the block things went wrong. The caller adds
// the file and the block's position with AddBlockLocation().
// Thread-safety: immutable after Create; const methods may be called
// concurrently, and any number of iterators may read one Block.
// Ownership: a Block owns or borrows its bytes as its BlockContents says.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/slice.h"
#include "strata/status.h"
#include "table/block_handle.h"
#include "table/data_block_hash_index.h"
#include "util/aligned_buffer.h"
#include "util/allocated_memory.h"
#include "util/coding.h"

namespace strata {

// The bytes of one uncompressed block and whatever keeps them alive.
// Movable, not copyable; data() stays valid across moves except for a
// Borrow()ed buffer, which is never owned.
class BlockContents {
 public:
  BlockContents() = default;
  BlockContents(BlockContents&&) noexcept = default;
  BlockContents& operator=(BlockContents&&) noexcept = default;
  BlockContents(const BlockContents&) = delete;
  BlockContents& operator=(const BlockContents&) = delete;

  // `data` must outlive every Block and iterator built on it (an mmap'ed
  // file, a pinned buffer, a test's string).
  static BlockContents Borrow(Slice data);
  // Takes the string (e.g. the output of a decompressor).
  static BlockContents Own(std::string data);
  // Takes memory from an aligned read; the block is the `size` bytes at
  // `offset` inside it. REQUIRES: they lie inside the allocation.
  static BlockContents Own(AlignedMemory memory, size_t offset, size_t size);
  // Takes memory from a MemoryAllocator (a block bound for a cache); the
  // block is its first `size` bytes. REQUIRES: size <= memory.size().
  static BlockContents Own(AllocatedMemory memory, size_t size);

  Slice data() const { return kind_ == Kind::kString ? Slice(string_) : data_; }
  bool owns_data() const { return kind_ != Kind::kBorrowed; }
  // The heap memory the contents keep alive (the whole allocation, which
  // may be larger than data()); 0 for borrowed bytes.
  size_t MemoryUsage() const;

 private:
  enum class Kind : uint8_t { kBorrowed, kString, kAligned, kAllocated };
  Kind kind_ = Kind::kBorrowed;
  Slice data_;  // Every kind but kString.
  std::string string_;
  AlignedMemory aligned_;
  AllocatedMemory allocated_;
};

class Block {
 public:
  // Locates the footer word, the restart array and, when flagged, the hash
  // index, and checks them: at least 8 bytes; at least one restart; the
  // restart array (and hash index) inside the block; restart offsets
  // starting at 0, strictly increasing and below the start of the restart
  // array (an empty block is exactly one restart at 0). On failure returns
  // Corruption describing the inconsistency (no file location; see
  // AddBlockLocation) and leaves *result unchanged.
  static Status Create(BlockContents contents, std::unique_ptr<Block>* result);
  // The same, constructing the Block in *result (a Block used only for the
  // moment, e.g. on a Get's stack, needs no allocation of its own). On
  // failure *result is left empty.
  static Status CreateInPlace(BlockContents contents,
                              std::optional<Block>* result);

  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  Slice data() const { return contents_.data(); }
  size_t size() const { return contents_.data().size(); }
  // The memory this block occupies: the object, its contents' allocation
  // and its search aids. What a block cache charges for it (as RocksDB's
  // Block::ApproximateMemoryUsage), so that the capacity bounds memory, not
  // just block bytes.
  size_t ApproximateMemoryUsage() const;
  uint32_t num_restarts() const { return num_restarts_; }
  // Where the entries end and the restart array begins.
  uint32_t restarts_offset() const { return restarts_offset_; }
  // Offset of restart point i. REQUIRES: i < num_restarts().
  uint32_t RestartPoint(uint32_t i) const {
    assert(i < num_restarts_);
    return DecodeFixed32(restarts_ + i * sizeof(uint32_t));
  }
  // True if the block carries no entries.
  bool empty() const { return restarts_offset_ == 0; }
  bool has_hash_index() const { return has_hash_index_; }
  // REQUIRES: has_hash_index().
  const DataBlockHashIndex& hash_index() const { return hash_index_; }

  // Optional search aid for BlockIter::Seek on blocks searched often (the
  // table reader's index block): one RestartKeyPrefix per restart point, in
  // restart order, made by BuildRestartKeyPrefixes (table/block_iter.h).
  // Empty unless set. `skip_trailer`: the prefixes are of the keys without
  // their 8-byte internal-key trailer. `one_entry_per_restart`: every entry
  // is a restart point (an index written with index_block_restart_interval
  // 1), so a prefix that differs from the target's places the target
  // between two adjacent entries without reading either key. Set before the
  // block is shared (not thread-safe); REQUIRES: prefixes.size() ==
  // num_restarts(), and one_entry_per_restart only when true.
  void SetRestartKeyPrefixes(std::vector<uint64_t> prefixes, bool skip_trailer,
                             bool one_entry_per_restart = false) {
    restart_key_prefixes_ = std::move(prefixes);
    prefixes_skip_trailer_ = skip_trailer;
    one_entry_per_restart_ = one_entry_per_restart;
    prefix_summary_.clear();
    for (size_t i = 0; i < restart_key_prefixes_.size();
         i += kPrefixSummaryStride) {
      prefix_summary_.push_back(restart_key_prefixes_[i]);
    }
  }
  const std::vector<uint64_t>& restart_key_prefixes() const {
    return restart_key_prefixes_;
  }
  bool prefixes_skip_trailer() const { return prefixes_skip_trailer_; }
  bool one_entry_per_restart() const { return one_entry_per_restart_; }
  // Index of the first prefix >= `prefix` (restart_key_prefixes().size() if
  // none). Searches every kPrefixSummaryStride-th prefix first (a small
  // array that stays in cache), then one stride of the full array, so a
  // large index costs a couple of cache misses instead of one per halving.
  size_t LowerBoundPrefix(uint64_t prefix) const;
  // 16 prefixes are two cache lines, fetched together.
  static constexpr size_t kPrefixSummaryStride = 16;

 private:
  // Lets std::optional construct a Block for CreateInPlace while nothing
  // outside Block can call the constructor.
  struct ConstructionKey {
    explicit ConstructionKey() = default;
  };

 public:
  // Use Create or CreateInPlace.
  Block(ConstructionKey, BlockContents contents)
      : contents_(std::move(contents)) {}

 private:
  Status Parse();

  BlockContents contents_;
  uint32_t num_restarts_ = 0;
  uint32_t restarts_offset_ = 0;
  const char* restarts_ = nullptr;  // The restart array, inside contents_.
  bool has_hash_index_ = false;
  DataBlockHashIndex hash_index_;
  std::vector<uint64_t> restart_key_prefixes_;
  std::vector<uint64_t> prefix_summary_;  // Every stride-th prefix.
  bool prefixes_skip_trailer_ = false;
  bool one_entry_per_restart_ = false;
};

// The first 8 bytes of `key`, big-endian, zero-padded when shorter: an
// order-preserving summary (RestartKeyPrefix(a) < RestartKeyPrefix(b)
// implies a < b bytewise; equal prefixes decide nothing).
inline uint64_t RestartKeyPrefix(Slice key) {
  if (key.size() >= 8) {
    return __builtin_bswap64(DecodeFixed64(key.data()));
  }
  uint64_t prefix = 0;
  for (size_t i = 0; i < key.size(); ++i) {
    prefix |= uint64_t{static_cast<uint8_t>(key[i])} << (56 - 8 * i);
  }
  return prefix;
}

// Turns a Corruption from Block or BlockIter into the file-level form
// "Corruption: <file_path> @ <offset>+<size>: <detail>", naming the block by
// its handle. Other statuses are returned unchanged.
Status AddBlockLocation(const Status& s, std::string_view file_path,
                        const BlockHandle& handle);

}  // namespace strata
