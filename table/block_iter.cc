#include "table/block_iter.h"

#include <cassert>

#include "table/data_block_hash_index.h"
#include "util/coding.h"

namespace strata {

BlockIter::BlockIter(const Block* block, const BlockIterOptions& options)
    : block_(block),
      options_(options),
      data_(block->data().data()),
      restarts_offset_(block->restarts_offset()),
      num_restarts_(block->num_restarts()),
      current_(block->restarts_offset()) {
  assert(options_.global_seqno == kDisableGlobalSequenceNumber ||
         (options_.key_order == BlockKeyOrder::kInternalKey &&
          options_.global_seqno <= kMaxSequenceNumber));
}

int BlockIter::Compare(Slice a, Slice b) const {
  return options_.key_order == BlockKeyOrder::kInternalKey
             ? InternalKeyComparator::Compare(a, b)
             : a.compare(b);
}

Slice BlockIter::key() const {
  assert(Valid());
  if (options_.global_seqno != kDisableGlobalSequenceNumber) {
    return Slice(global_key_);
  }
  return Slice(key_);
}

void BlockIter::SetCorruption(uint32_t offset, const std::string& detail) {
  if (status_.ok()) {
    status_ = Status::Corruption("entry at block offset " +
                                 std::to_string(offset) + ": " + detail);
  }
  Invalidate();
  value_ = Slice();
  handle_ = BlockHandle();
}

void BlockIter::SeekToRestartPoint(uint32_t index) {
  key_.clear();
  handle_ = BlockHandle();
  value_ = Slice();
  restart_index_ = index;
  next_offset_ = block_->RestartPoint(index);
}

bool BlockIter::ParseNextEntry() {
  current_ = next_offset_;
  if (current_ >= restarts_offset_) {
    // Reached by decoding every entry of the last interval: a restart point
    // not passed on the way lies inside the last entry.
    if (restart_index_ + 1 < num_restarts_) {
      const uint32_t offset = block_->RestartPoint(restart_index_ + 1);
      SetCorruption(offset, "restart point " +
                                std::to_string(restart_index_ + 1) +
                                " at offset " + std::to_string(offset) +
                                " falls inside the last entry");
      return false;
    }
    Invalidate();
    return false;
  }
  // Keep restart_index_ on the interval holding current_.
  while (restart_index_ + 1 < num_restarts_) {
    const uint32_t next_restart = block_->RestartPoint(restart_index_ + 1);
    if (next_restart > current_) {
      break;
    }
    if (next_restart < current_) {
      SetCorruption(current_, "restart point " +
                                  std::to_string(restart_index_ + 1) +
                                  " at offset " + std::to_string(next_restart) +
                                  " falls inside the previous entry");
      return false;
    }
    ++restart_index_;
  }
  const bool at_restart = block_->RestartPoint(restart_index_) == current_;

  const char* p = data_ + current_;
  const char* const limit = data_ + restarts_offset_;
  uint32_t shared = 0;
  uint32_t non_shared = 0;
  uint32_t value_length = 0;
  const bool delta_handle =
      options_.value_format == BlockValueFormat::kDeltaHandle;
  p = GetVarint32Ptr(p, limit, &shared);
  if (p != nullptr) {
    p = GetVarint32Ptr(p, limit, &non_shared);
  }
  if (p != nullptr && !delta_handle) {
    p = GetVarint32Ptr(p, limit, &value_length);
  }
  if (p == nullptr) {
    SetCorruption(current_, "truncated or overlong varint in the entry header");
    return false;
  }
  if (at_restart && shared != 0) {
    SetCorruption(current_, "restart entry shares " + std::to_string(shared) +
                                " key bytes (must be 0)");
    return false;
  }
  if (shared > key_.size()) {
    SetCorruption(current_, "shares " + std::to_string(shared) +
                                " bytes with a previous key of only " +
                                std::to_string(key_.size()));
    return false;
  }
  if (non_shared > static_cast<size_t>(limit - p)) {
    SetCorruption(current_, "key delta of " + std::to_string(non_shared) +
                                " bytes runs past the end of the entries at " +
                                std::to_string(restarts_offset_));
    return false;
  }
  key_.resize(shared);
  key_.append(p, non_shared);
  p += non_shared;

  if (!delta_handle) {
    if (value_length > static_cast<size_t>(limit - p)) {
      SetCorruption(current_, "value of " + std::to_string(value_length) +
                                  " bytes runs past the end of the entries "
                                  "at " +
                                  std::to_string(restarts_offset_));
      return false;
    }
    value_ = Slice(p, value_length);
    p += value_length;
    if (options_.value_format == BlockValueFormat::kHandle) {
      Slice v = value_;
      Status s = handle_.DecodeFrom(&v);
      if (!s.ok() || !v.empty()) {
        SetCorruption(current_, s.ok()
                                    ? "value has " + std::to_string(v.size()) +
                                          " bytes after its block handle"
                                    : std::string(s.message()));
        return false;
      }
    }
  } else {
    Slice v(p, static_cast<size_t>(limit - p));
    // The entry format says which form the value has: a full handle when
    // the key shares nothing, else a size delta against the previous
    // entry's handle.
    Status s = shared == 0 ? handle_.DecodeFrom(&v)
                           : DecodeHandleSizeDelta(&v, handle_, &handle_);
    if (!s.ok()) {
      SetCorruption(current_, std::string(s.message()));
      return false;
    }
    value_ = Slice(p, static_cast<size_t>(v.data() - p));
    p = v.data();
  }

  if (options_.key_order == BlockKeyOrder::kInternalKey) {
    if (key_.size() < kInternalKeyTrailerSize) {
      SetCorruption(current_, "internal key of " + std::to_string(key_.size()) +
                                  " bytes (at least 8 needed)");
      return false;
    }
    if (options_.global_seqno != kDisableGlobalSequenceNumber) {
      const uint64_t trailer = ExtractTrailer(key_);
      if ((trailer >> 8) != 0) {
        SetCorruption(current_, "key has sequence number " +
                                    std::to_string(trailer >> 8) +
                                    " in a file with a global sequence number "
                                    "(all must be 0)");
        return false;
      }
      // A separate copy: the next entry's shared prefix refers to the
      // stored bytes, not to the rewritten trailer.
      global_key_.assign(key_);
      EncodeFixed64(
          global_key_.data() + global_key_.size() - kInternalKeyTrailerSize,
          (options_.global_seqno << 8) | (trailer & 0xff));
    }
  }
  next_offset_ = static_cast<uint32_t>(p - data_);
  return true;
}

bool BlockIter::RestartKey(uint32_t i, std::string* scratch, Slice* key) {
  const uint32_t offset = block_->RestartPoint(i);
  const char* p = data_ + offset;
  const char* const limit = data_ + restarts_offset_;
  uint32_t shared = 0;
  uint32_t non_shared = 0;
  uint32_t value_length = 0;
  p = GetVarint32Ptr(p, limit, &shared);
  if (p != nullptr) {
    p = GetVarint32Ptr(p, limit, &non_shared);
  }
  if (p != nullptr && options_.value_format != BlockValueFormat::kDeltaHandle) {
    p = GetVarint32Ptr(p, limit, &value_length);
  }
  if (p == nullptr || shared != 0 ||
      non_shared > static_cast<size_t>(limit - p)) {
    SetCorruption(offset, "restart point " + std::to_string(i) +
                              " does not hold a complete unshared key");
    return false;
  }
  *key = Slice(p, non_shared);
  if (options_.key_order == BlockKeyOrder::kInternalKey) {
    if (key->size() < kInternalKeyTrailerSize) {
      SetCorruption(offset, "internal key of " + std::to_string(key->size()) +
                                " bytes (at least 8 needed)");
      return false;
    }
    if (options_.global_seqno != kDisableGlobalSequenceNumber) {
      const uint64_t trailer = ExtractTrailer(*key);
      if ((trailer >> 8) != 0) {
        SetCorruption(offset, "key has sequence number " +
                                  std::to_string(trailer >> 8) +
                                  " in a file with a global sequence number "
                                  "(all must be 0)");
        return false;
      }
      scratch->assign(key->data(), key->size());
      EncodeFixed64(scratch->data() + scratch->size() - kInternalKeyTrailerSize,
                    (options_.global_seqno << 8) | (trailer & 0xff));
      *key = Slice(*scratch);
    }
  }
  return true;
}

void BlockIter::SeekToFirst() {
  if (!status_.ok()) {
    return;
  }
  SeekToRestartPoint(0);
  ParseNextEntry();
}

void BlockIter::SeekToLast() {
  if (!status_.ok()) {
    return;
  }
  SeekToRestartPoint(num_restarts_ - 1);
  while (ParseNextEntry() && next_offset_ < restarts_offset_) {
  }
}

void BlockIter::Seek(Slice target) {
  if (!status_.ok()) {
    return;
  }
  if (restarts_offset_ == 0) {
    Invalidate();
    return;
  }
  // Find the last restart point whose key is < target (or one whose key
  // equals it); the answer is in its interval or at the next restart point.
  int64_t left = -1;
  int64_t right = static_cast<int64_t>(num_restarts_) - 1;
  bool exact = false;
  std::string scratch;
  while (left < right) {
    const int64_t mid = left + (right - left + 1) / 2;
    Slice mid_key;
    if (!RestartKey(static_cast<uint32_t>(mid), &scratch, &mid_key)) {
      return;
    }
    const int cmp = Compare(mid_key, target);
    if (cmp < 0) {
      left = mid;
    } else if (cmp > 0) {
      right = mid - 1;
    } else {
      left = mid;
      exact = true;
      break;
    }
  }
  SeekToRestartPoint(left < 0 ? 0 : static_cast<uint32_t>(left));
  while (ParseNextEntry()) {
    if (exact || left < 0 || Compare(key(), target) >= 0) {
      return;
    }
  }
}

void BlockIter::SeekForPrev(Slice target) {
  if (!status_.ok()) {
    return;
  }
  Seek(target);
  if (!Valid()) {
    if (!status_.ok()) {
      return;
    }
    SeekToLast();
  }
  while (Valid() && Compare(key(), target) > 0) {
    Prev();
  }
}

void BlockIter::Next() {
  assert(Valid());
  ParseNextEntry();
}

void BlockIter::Prev() {
  assert(Valid());
  const uint32_t original = current_;
  uint32_t index = restart_index_;
  while (block_->RestartPoint(index) >= original) {
    if (index == 0) {
      Invalidate();  // `original` was the first entry.
      return;
    }
    --index;
  }
  SeekToRestartPoint(index);
  while (ParseNextEntry()) {
    if (next_offset_ == original) {
      return;
    }
    if (next_offset_ > original) {
      SetCorruption(original, "entries decoded from restart point " +
                                  std::to_string(index) +
                                  " do not end where this entry starts");
      return;
    }
  }
}

bool BlockIter::SeekForGet(Slice target) {
  if (!status_.ok()) {
    return true;
  }
  if (!block_->has_hash_index() ||
      options_.key_order != BlockKeyOrder::kInternalKey) {
    Seek(target);
    return true;
  }
  const Slice user_key = ExtractUserKey(target);
  uint32_t restart = block_->hash_index().Lookup(user_key);
  if (restart == kHashIndexCollision) {
    Seek(target);
    return true;
  }
  if (restart == kHashIndexNoEntry) {
    // The key is not in this block, but a larger one in the last interval
    // may still be the answer (the caller then moves to the next block).
    restart = num_restarts_ - 1;
  } else if (restart >= num_restarts_) {
    SetCorruption(restarts_offset_,
                  "hash index bucket names restart interval " +
                      std::to_string(restart) + " of a block with " +
                      std::to_string(num_restarts_));
    return true;
  }
  if (restarts_offset_ == 0) {
    Invalidate();
    return true;
  }
  const uint32_t limit = restart + 1 < num_restarts_
                             ? block_->RestartPoint(restart + 1)
                             : restarts_offset_;
  SeekToRestartPoint(restart);
  while (true) {
    if (next_offset_ >= limit) {
      // Only this interval can hold the user key; it does not.
      Invalidate();
      return true;
    }
    if (!ParseNextEntry()) {
      return true;
    }
    if (Compare(key(), target) >= 0) {
      break;
    }
  }
  // The bucket named this interval, and no other interval holds the user
  // key (that would have been a collision), so the entry found is also the
  // first entry >= target in the whole block. RocksDB re-seeks for some
  // value types; the position would be the same.
  return ExtractUserKey(key()).compare(user_key) == 0;
}

}  // namespace strata
