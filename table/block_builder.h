// BlockBuilder: writes one block in the generic block format shared by data,
// index, metaindex, properties and range-deletion blocks -- prefix-compressed
// entries, a restart array and the footer word, optionally with a data-block
// hash index (../shared/spec/sst-format.md sections 7 and 9.3). Output is
// byte-identical to RocksDB 7.8.3's BlockBuilder for the same input.
//
// The block is uncompressed and has no trailer: compressing it and appending
// the 5-byte trailer is the table builder's job.
//
// Protocol: (Add* Finish Reset)*. Keys must be added in the block's order
// (the builder does not compare them).
// Thread-safety: not thread-safe.
// Slices: Finish()'s result stays valid until Reset() or destruction; Add()
// copies what it needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "strata/slice.h"
#include "table/data_block_hash_index.h"

namespace strata {

class BlockBuilder {
 public:
  // restart_interval: entries per restart point (>= 1; RocksDB uses
  //   block_restart_interval = 16 for data blocks, 1 for the metaindex and
  //   the range-deletion block, index_block_restart_interval = 1 for the
  //   index, and 2^31 - 1 for the properties block).
  // use_delta_encoding: share key prefixes with the previous key (always on
  //   in RocksDB's files except for data blocks with use_delta_encoding =
  //   false).
  // use_value_delta_encoding: the index-block entry format of format_version
  //   >= 4: no value_length field, and entries that share key bytes store
  //   the caller's `delta_value` instead of `value` (spec section 9.3).
  // index_type / hash_util_ratio: kBinaryAndHash appends a hash index when
  //   the finished block is at most 64 KiB (keys must then be internal keys;
  //   the user-key part is hashed).
  // REQUIRES: restart_interval >= 1.
  explicit BlockBuilder(
      int restart_interval, bool use_delta_encoding = true,
      bool use_value_delta_encoding = false,
      DataBlockIndexType index_type = DataBlockIndexType::kBinarySearch,
      double hash_util_ratio = kDefaultHashIndexUtilRatio);
  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // Starts a new, empty block with the same settings. As in RocksDB, once a
  // block had to drop its hash index (more than 254 restart intervals), the
  // blocks after it are built without one too.
  void Reset();

  // Appends an entry. `delta_value` is what to store instead of `value` when
  // value delta encoding is on and the key shares bytes with the previous
  // one; it is ignored otherwise.
  // REQUIRES: Finish() not called since the last Reset(); key sorts after
  // the previous key in the block's order; with value delta encoding,
  // delta_value != nullptr for every entry but the first of the block; with
  // a hash index, key.size() >= 8.
  void Add(Slice key, Slice value, const Slice* delta_value = nullptr);

  // Appends the restart array, the hash index if any, and the footer word,
  // and returns the whole block. An empty block is 8 bytes (one restart at
  // offset 0 and a count of 1). REQUIRES: not finished.
  Slice Finish();

  // The size Finish() would return now (the hash index counted as its
  // estimate while it is still possible).
  size_t CurrentSizeEstimate() const;
  // RocksDB's estimate of CurrentSizeEstimate() after Add(key, value): the
  // whole key is counted (not just the unshared part), plus 4 for a new
  // restart, 4 for the shared-length varint, the key length varint, and the
  // value length varint and value (half the value, and no length, for a
  // delta-encoded index entry inside a restart interval). The flush-block
  // policy (spec section 8) depends on exactly this number.
  size_t EstimateSizeAfterKV(Slice key, Slice value) const;

  bool empty() const { return buffer_.empty(); }
  // Entries added since the last Reset().
  size_t num_entries() const { return num_entries_; }
  // After Finish(): whether the block got a hash index.
  bool has_hash_index() const { return finished_with_hash_index_; }

 private:
  const int restart_interval_;
  const bool use_delta_encoding_;
  const bool use_value_delta_encoding_;
  DataBlockHashIndexBuilder hash_index_builder_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  size_t estimate_ = 0;  // Bytes of buffer_ plus restarts and footer word.
  int counter_ = 0;      // Entries since the last restart point.
  size_t num_entries_ = 0;
  bool finished_ = false;
  bool finished_with_hash_index_ = false;
  std::string last_key_;
};

}  // namespace strata
