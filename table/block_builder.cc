#include "table/block_builder.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

#include "table/internal_key.h"
#include "util/coding.h"

namespace strata {

namespace {

// Restart array entry plus footer word: an empty block's size.
constexpr size_t kEmptyBlockSize = 2 * sizeof(uint32_t);

size_t SharedPrefixLength(Slice a, Slice b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  // Eight bytes at a time: the first differing bit of a ^ b (little-endian
  // loads) lies in the first differing byte.
  while (i + sizeof(uint64_t) <= n) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a.data() + i, sizeof(x));
    std::memcpy(&y, b.data() + i, sizeof(y));
    if (x != y) {
      return i + static_cast<size_t>(std::countr_zero(x ^ y)) / 8;
    }
    i += sizeof(uint64_t);
  }
  while (i < n && a[i] == b[i]) {
    ++i;
  }
  return i;
}

}  // namespace

BlockBuilder::BlockBuilder(int restart_interval, bool use_delta_encoding,
                           bool use_value_delta_encoding,
                           DataBlockIndexType index_type,
                           double hash_util_ratio)
    : restart_interval_(restart_interval),
      use_delta_encoding_(use_delta_encoding),
      use_value_delta_encoding_(use_value_delta_encoding) {
  assert(restart_interval_ >= 1);
  if (index_type == DataBlockIndexType::kBinaryAndHash) {
    hash_index_builder_.Initialize(hash_util_ratio);
  }
  restarts_.push_back(0);
  estimate_ = kEmptyBlockSize;
}

void BlockBuilder::Reset() {
  buffer_.clear();
  restarts_.clear();
  restarts_.push_back(0);
  estimate_ = kEmptyBlockSize;
  counter_ = 0;
  num_entries_ = 0;
  finished_ = false;
  finished_with_hash_index_ = false;
  last_key_.clear();
  // RocksDB quirk, kept for identical bytes: a hash index builder that gave
  // up on an earlier block (too many restart intervals) is not re-enabled,
  // so no later block of this builder gets a hash index either.
  if (hash_index_builder_.Valid()) {
    hash_index_builder_.Reset();
  }
}

size_t BlockBuilder::CurrentSizeEstimate() const {
  return estimate_ +
         (hash_index_builder_.Valid() ? hash_index_builder_.EstimateSize() : 0);
}

size_t BlockBuilder::EstimateSizeAfterKV(Slice key, Slice value) const {
  const bool new_restart = counter_ >= restart_interval_;
  const bool delta_value = use_value_delta_encoding_ && !new_restart;
  size_t estimate = CurrentSizeEstimate();
  estimate += key.size();
  // A delta-encoded handle stores only the size change: count half.
  estimate += delta_value ? value.size() / 2 : value.size();
  if (new_restart) {
    estimate += sizeof(uint32_t);
  }
  estimate += sizeof(int32_t);  // The shared-length varint, generously.
  estimate += VarintLength(key.size());
  if (!delta_value) {
    estimate += VarintLength(value.size());
  }
  return estimate;
}

void BlockBuilder::Add(Slice key, Slice value, const Slice* delta_value) {
  assert(!finished_);
  assert(counter_ <= restart_interval_);
  size_t shared = 0;
  if (counter_ >= restart_interval_) {
    restarts_.push_back(static_cast<uint32_t>(buffer_.size()));
    estimate_ += sizeof(uint32_t);
    counter_ = 0;
  } else if (use_delta_encoding_) {
    shared = SharedPrefixLength(key, last_key_);
  }
  if (use_delta_encoding_) {
    last_key_.assign(key.data(), key.size());
  }
  const size_t non_shared = key.size() - shared;
  const size_t size_before = buffer_.size();

  char header[3 * kMaxVarint32Bytes];
  char* end = EncodeVarint32(header, static_cast<uint32_t>(shared));
  end = EncodeVarint32(end, static_cast<uint32_t>(non_shared));
  if (!use_value_delta_encoding_) {
    end = EncodeVarint32(end, static_cast<uint32_t>(value.size()));
  }
  buffer_.append(header, static_cast<size_t>(end - header));
  buffer_.append(key.data() + shared, non_shared);
  // Readers pick the value encoding from `shared` alone, so the delta form
  // is used exactly when the key shares bytes with its predecessor.
  if (use_value_delta_encoding_ && shared != 0) {
    assert(delta_value != nullptr);
    buffer_.append(delta_value->data(), delta_value->size());
  } else {
    buffer_.append(value.data(), value.size());
  }

  if (hash_index_builder_.Valid()) {
    assert(key.size() >= kInternalKeyTrailerSize);
    hash_index_builder_.Add(ExtractUserKey(key),
                            static_cast<uint32_t>(restarts_.size() - 1));
  }
  ++counter_;
  ++num_entries_;
  estimate_ += buffer_.size() - size_before;
}

Slice BlockBuilder::Finish() {
  assert(!finished_);
  for (uint32_t restart : restarts_) {
    PutFixed32(&buffer_, restart);
  }
  const auto num_restarts = static_cast<uint32_t>(restarts_.size());
  assert(num_restarts <= kMaxNumRestarts);
  DataBlockIndexType type = DataBlockIndexType::kBinarySearch;
  if (hash_index_builder_.Valid() &&
      CurrentSizeEstimate() <= kMaxBlockSizeSupportedByHashIndex) {
    hash_index_builder_.Finish(&buffer_);
    type = DataBlockIndexType::kBinaryAndHash;
    finished_with_hash_index_ = true;
  }
  PutFixed32(&buffer_, PackBlockFooter(type, num_restarts));
  finished_ = true;
  return Slice(buffer_);
}

}  // namespace strata
