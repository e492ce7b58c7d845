// The data-block hash index (kDataBlockBinaryAndHash): an optional map from
// user-key hash to restart interval appended to a data block, and the packed
// block footer word that flags it (../shared/spec/sst-format.md section 7.3).
//
//   block = entries | restart array | buckets (num_buckets bytes) |
//           fixed16 num_buckets | fixed32 (num_restarts | 1 << 31)
//
// Each bucket holds the index of the restart interval of the keys hashing to
// it, kNoEntry, or kCollision when keys of different intervals hash there.
//
// Thread-safety: the builder is not thread-safe; DataBlockHashIndex is
// immutable after Initialize (const methods may be called concurrently).
// Ownership: DataBlockHashIndex borrows the block bytes it was initialized
// with; they must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

// Option value for data blocks; persisted only as the flag bit below.
enum class DataBlockIndexType : uint8_t {
  kBinarySearch = 0,   // Restart array only (the default).
  kBinaryAndHash = 1,  // Restart array plus a hash index.
};

// Persisted bucket markers; never change.
inline constexpr uint8_t kHashIndexNoEntry = 255;
inline constexpr uint8_t kHashIndexCollision = 254;
// Restart intervals past this index cannot be recorded: the hash index is
// then dropped for that block.
inline constexpr uint32_t kMaxRestartSupportedByHashIndex = 253;
// The hash index uses 16-bit positions, so only blocks of at most 64 KiB get
// one, and only in those is bit 31 of the footer word a flag.
inline constexpr size_t kMaxBlockSizeSupportedByHashIndex = size_t{1} << 16;
inline constexpr double kDefaultHashIndexUtilRatio = 0.75;
// Seed of the legacy Hash32 (spec section 10.4) for hash-index buckets.
inline constexpr uint32_t kDataBlockHashIndexSeed = 397;

inline constexpr uint32_t kHashIndexFlag = uint32_t{1} << 31;
inline constexpr uint32_t kMaxNumRestarts = kHashIndexFlag - 1;

// The last fixed32 of a block. REQUIRES: num_restarts <= kMaxNumRestarts.
inline uint32_t PackBlockFooter(DataBlockIndexType type,
                                uint32_t num_restarts) {
  return type == DataBlockIndexType::kBinaryAndHash
             ? (num_restarts | kHashIndexFlag)
             : num_restarts;
}

// Splits the last fixed32 of a block of `block_size` bytes: only blocks of at
// most 64 KiB can carry the flag; in larger ones the whole word is the count.
inline void UnpackBlockFooter(uint32_t word, size_t block_size,
                              DataBlockIndexType* type,
                              uint32_t* num_restarts) {
  if (block_size <= kMaxBlockSizeSupportedByHashIndex &&
      (word & kHashIndexFlag) != 0) {
    *type = DataBlockIndexType::kBinaryAndHash;
    *num_restarts = word & kMaxNumRestarts;
  } else {
    *type = DataBlockIndexType::kBinarySearch;
    *num_restarts = word;
  }
}

// The hash of a user key as the hash index uses it.
uint32_t DataBlockHashIndexHash(Slice user_key);

// Collects (hash, restart index) pairs while a data block is built.
// Protocol: Initialize, then (Add* [Finish] Reset)*.
class DataBlockHashIndexBuilder {
 public:
  DataBlockHashIndexBuilder() = default;

  // Enables the builder. A ratio <= 0 means kDefaultHashIndexUtilRatio.
  void Initialize(double util_ratio);
  // False before Initialize and after an Add past the last supported
  // restart interval: the block is then written without a hash index.
  bool Valid() const { return valid_ && buckets_per_key_ > 0; }
  // REQUIRES: Valid().
  void Add(Slice user_key, uint32_t restart_index);
  // Bytes Finish would append: buckets plus the 2-byte bucket count.
  size_t EstimateSize() const;
  // Appends the buckets and the bucket count. REQUIRES: Valid().
  void Finish(std::string* buffer) const;
  // Forgets the entries; an initialized builder becomes Valid() again.
  void Reset();

 private:
  double buckets_per_key_ = -1;  // 1 / util ratio; negative: not enabled.
  double estimated_num_buckets_ = 0;
  bool valid_ = false;
  std::vector<std::pair<uint32_t, uint8_t>> hash_and_restart_;
};

// Reads the hash index of one block.
class DataBlockHashIndex {
 public:
  DataBlockHashIndex() = default;

  // `region` is the block without its fixed32 footer word; the bucket count
  // is its last two bytes. Returns Corruption (no location; the caller adds
  // it) when the count is 0 or the buckets do not fit. On success,
  // *buckets_offset is where the buckets start inside `region`, i.e. where
  // the restart array ends.
  Status Initialize(Slice region, uint32_t* buckets_offset);

  uint16_t num_buckets() const { return num_buckets_; }
  // The bucket for `user_key`: a restart index, kHashIndexNoEntry or
  // kHashIndexCollision. The value is raw: callers check it against the
  // number of restarts. REQUIRES: a successful Initialize.
  uint8_t Lookup(Slice user_key) const;

 private:
  const char* buckets_ = nullptr;
  uint16_t num_buckets_ = 0;
};

}  // namespace strata
