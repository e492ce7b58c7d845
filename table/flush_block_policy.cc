#include "table/flush_block_policy.h"

#include <cassert>

#include "table/block_handle.h"

namespace strata {

FlushBlockPolicy::FlushBlockPolicy(const FlushBlockPolicyOptions& options,
                                   const BlockBuilder& data_block_builder)
    : block_size_(options.block_size),
      deviation_limit_(
          (options.block_size * (100 - options.block_size_deviation) + 99) /
          100),
      block_align_(options.block_align),
      builder_(data_block_builder) {
  assert(options.block_size_deviation >= 0 &&
         options.block_size_deviation <= 100);
}

bool FlushBlockPolicy::ShouldCut(Slice key, Slice value) const {
  if (builder_.empty()) {
    return false;
  }
  const size_t current = builder_.CurrentSizeEstimate();
  if (current >= block_size_) {
    return true;
  }
  // A zero limit (deviation 100) turns the early cut off.
  if (deviation_limit_ == 0) {
    return false;
  }
  const size_t after = builder_.EstimateSizeAfterKV(key, value);
  if (block_align_) {
    return after + kBlockTrailerSize > block_size_;
  }
  return after > block_size_ && current > deviation_limit_;
}

}  // namespace strata
