// FlushBlockPolicy: decides when the table builder cuts the open data block
// (RocksDB's default "flush block by size" policy with block_size and
// block_size_deviation; ../shared/spec/sst-format.md section 8). Any cut
// points give a readable file; these give RocksDB 7.8.3's exact ones.
//
// Protocol: before adding each entry to the data block, ask ShouldCut(key,
// value); if true, finish and write the block (and Reset the builder) first.
// Thread-safety: not thread-safe (it reads the builder).
// Lifetime: borrows the BlockBuilder, which must outlive the policy.
#pragma once

#include <cstddef>

#include "strata/slice.h"
#include "table/block_builder.h"

namespace strata {

struct FlushBlockPolicyOptions {
  // Target uncompressed data block size in bytes (RocksDB's block_size,
  // default 4096).
  size_t block_size = 4096;
  // Percentage (0..100, default 10): a block already past
  // (100 - deviation)% of block_size is cut when the next entry would take
  // it over block_size. 100 disables that early cut, as in RocksDB.
  int block_size_deviation = 10;
  // RocksDB's block_align: the early cut also counts the 5-byte trailer and
  // ignores the deviation.
  bool block_align = false;
};

class FlushBlockPolicy {
 public:
  // REQUIRES: 0 <= options.block_size_deviation <= 100 (RocksDB resets other
  // values to 0 when it validates its options).
  FlushBlockPolicy(const FlushBlockPolicyOptions& options,
                   const BlockBuilder& data_block_builder);

  // True if the open block should be finished before (key, value) is added:
  // never for an empty block; else when its size estimate has reached
  // block_size, or when adding the entry would exceed block_size and the
  // block is already past the deviation limit.
  bool ShouldCut(Slice key, Slice value) const;

  // ceil(block_size * (100 - deviation) / 100).
  size_t deviation_limit() const { return deviation_limit_; }

 private:
  const size_t block_size_;
  const size_t deviation_limit_;
  const bool block_align_;
  const BlockBuilder& builder_;
};

}  // namespace strata
