#include "table/data_block_hash_index.h"

#include <cassert>

#include "util/coding.h"
#include "util/hash32.h"

namespace strata {

uint32_t DataBlockHashIndexHash(Slice user_key) {
  return Hash32(user_key, kDataBlockHashIndexSeed);
}

void DataBlockHashIndexBuilder::Initialize(double util_ratio) {
  if (util_ratio <= 0) {
    util_ratio = kDefaultHashIndexUtilRatio;
  }
  buckets_per_key_ = 1 / util_ratio;
  valid_ = true;
}

void DataBlockHashIndexBuilder::Add(Slice user_key, uint32_t restart_index) {
  assert(Valid());
  if (restart_index > kMaxRestartSupportedByHashIndex) {
    valid_ = false;
    return;
  }
  hash_and_restart_.emplace_back(DataBlockHashIndexHash(user_key),
                                 static_cast<uint8_t>(restart_index));
  // RocksDB accumulates the bucket estimate in floating point, one step per
  // key, and truncates it at the end; the same sum keeps bucket counts equal.
  estimated_num_buckets_ += buckets_per_key_;
}

size_t DataBlockHashIndexBuilder::EstimateSize() const {
  auto num_buckets = static_cast<uint16_t>(estimated_num_buckets_);
  num_buckets |= 1;
  return sizeof(uint16_t) + num_buckets;
}

void DataBlockHashIndexBuilder::Finish(std::string* buffer) const {
  assert(Valid());
  auto num_buckets = static_cast<uint16_t>(estimated_num_buckets_);
  if (num_buckets == 0) {
    num_buckets = 1;
  }
  // An odd bucket count spreads Hash32 values better than a power of two.
  num_buckets |= 1;
  std::vector<uint8_t> buckets(num_buckets, kHashIndexNoEntry);
  for (const auto& [hash, restart_index] : hash_and_restart_) {
    uint8_t& bucket = buckets[hash % num_buckets];
    if (bucket == kHashIndexNoEntry) {
      bucket = restart_index;
    } else if (bucket != restart_index) {
      bucket = kHashIndexCollision;
    }
  }
  buffer->append(reinterpret_cast<const char*>(buckets.data()), buckets.size());
  PutFixed16(buffer, num_buckets);
}

void DataBlockHashIndexBuilder::Reset() {
  estimated_num_buckets_ = 0;
  valid_ = true;
  hash_and_restart_.clear();
}

Status DataBlockHashIndex::Initialize(Slice region, uint32_t* buckets_offset) {
  num_buckets_ = 0;
  buckets_ = nullptr;
  if (region.size() < sizeof(uint16_t)) {
    return Status::Corruption(
        "hash index: no room for the bucket count in a block of " +
        std::to_string(region.size() + 4) + " bytes");
  }
  const uint16_t n = DecodeFixed16(region.data() + region.size() - 2);
  if (n == 0 || size_t{n} + sizeof(uint16_t) > region.size()) {
    return Status::Corruption("hash index: bucket count " + std::to_string(n) +
                              " does not fit in a block of " +
                              std::to_string(region.size() + 4) + " bytes");
  }
  const size_t offset = region.size() - sizeof(uint16_t) - n;
  num_buckets_ = n;
  buckets_ = region.data() + offset;
  *buckets_offset = static_cast<uint32_t>(offset);
  return Status::OK();
}

uint8_t DataBlockHashIndex::Lookup(Slice user_key) const {
  assert(num_buckets_ > 0);
  const uint32_t hash = DataBlockHashIndexHash(user_key);
  return static_cast<uint8_t>(buckets_[hash % num_buckets_]);
}

}  // namespace strata
