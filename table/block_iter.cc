#include "table/block_iter.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

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

namespace {

// Seek prefetches every restart key of blocks with at most this many
// restart points (a 4 KiB data block has a few).
constexpr uint32_t kMaxPrefetchedRestarts = 8;

// InternalKeyComparator::Compare, inlined for the seek loops.
// REQUIRES: both keys have at least 8 bytes.
inline int CompareInternal(Slice a, Slice b) {
  const int r = ExtractUserKey(a).compare(ExtractUserKey(b));
  if (r != 0) return r;
  const uint64_t a_trailer = ExtractTrailer(a);
  const uint64_t b_trailer = ExtractTrailer(b);
  // Larger trailers (newer entries) first.
  return a_trailer > b_trailer ? -1 : (a_trailer < b_trailer ? +1 : 0);
}

// Length of the common prefix of the n bytes at a and at b.
inline size_t CommonPrefixLength(const char* a, const char* b, size_t n) {
  size_t i = 0;
  if constexpr (std::endian::native == std::endian::little) {
    for (; i + 8 <= n; i += 8) {
      uint64_t x;
      uint64_t y;
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) {
        // Little-endian: the first differing byte is the lowest one.
        return i + static_cast<size_t>(__builtin_ctzll(x ^ y) / 8);
      }
    }
  }
  while (i < n && a[i] == b[i]) {
    ++i;
  }
  return i;
}

// Just past the varint at p, or nullptr when it runs past `limit` or
// beyond 10 bytes.
inline const char* SkipVarint(const char* p, const char* limit) {
  for (int n = 0; n < 10 && p < limit; ++n, ++p) {
    if ((static_cast<uint8_t>(*p) & 0x80) == 0) {
      return p + 1;
    }
  }
  return nullptr;
}

}  // namespace

void BlockIter::KeyBuffer::Assemble(const char* prefix, size_t keep,
                                    const char* suffix, size_t n) {
  const size_t size = keep + n;
  if (size > capacity_) {
    const size_t capacity = std::max(size, 2 * capacity_);
    auto bigger = std::make_unique<char[]>(capacity);
    std::memcpy(bigger.get(), prefix, keep);  // Before `prefix` may be freed.
    heap_ = std::move(bigger);
    data_ = heap_.get();
    capacity_ = capacity;
  } else if (prefix != data_) {
    std::memmove(data_, prefix, keep);
  }
  std::memcpy(data_ + keep, suffix, n);
  size_ = size;
}

int BlockIter::Compare(Slice a, Slice b) const {
  return options_.key_order == BlockKeyOrder::kInternalKey
             ? CompareInternal(a, b)
             : a.compare(b);
}

const char* BlockIter::DecodeEntryHeader(const char* p, const char* limit,
                                         uint32_t* shared, uint32_t* non_shared,
                                         uint32_t* value_length) const {
  const bool has_value_length =
      options_.value_format != BlockValueFormat::kDeltaHandle;
  const size_t header_bytes = has_value_length ? 3 : 2;
  // Common case: every field below 128, one byte each (sizes in a block
  // are small), so no varint loop and no call.
  if (static_cast<size_t>(limit - p) >= header_bytes) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    const unsigned char last = has_value_length ? u[2] : 0;
    if (((u[0] | u[1] | last) & 0x80) == 0) {
      *shared = u[0];
      *non_shared = u[1];
      *value_length = last;
      return p + header_bytes;
    }
  }
  p = GetVarint32Ptr(p, limit, shared);
  if (p != nullptr) {
    p = GetVarint32Ptr(p, limit, non_shared);
  }
  *value_length = 0;
  if (p != nullptr && has_value_length) {
    p = GetVarint32Ptr(p, limit, value_length);
  }
  return p;
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

void BlockIter::PrefetchInterval(uint32_t index) {
  // The scan decodes entry after entry, each one's position known only
  // from the previous one: in a block that is not in the CPU cache that is
  // one dependent miss per cache line. Asking for the interval's lines at
  // once lets the misses overlap.
  constexpr uint32_t kLineBytes = 64;
  constexpr uint32_t kMaxPrefetchBytes = 4096;
  const uint32_t begin = block_->RestartPoint(index);
  uint32_t end = index + 1 < num_restarts_ ? block_->RestartPoint(index + 1)
                                           : restarts_offset_;
  end = std::min(end, begin + kMaxPrefetchBytes);
  for (uint32_t offset = begin; offset < end; offset += kLineBytes) {
    __builtin_prefetch(data_ + offset);
  }
}

void BlockIter::SeekToRestartPoint(uint32_t index) {
  key_ = Slice();
  handle_ = BlockHandle();
  value_ = Slice();
  restart_index_ = index;
  next_offset_ = block_->RestartPoint(index);
}

bool BlockIter::EnterEntry(bool* at_restart) {
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
  *at_restart = block_->RestartPoint(restart_index_) == current_;
  return true;
}

const char* BlockIter::DecodeEntryBounds(bool at_restart,
                                         size_t previous_key_size,
                                         uint32_t* shared, uint32_t* non_shared,
                                         uint32_t* value_length) {
  const char* p = data_ + current_;
  const char* const limit = data_ + restarts_offset_;
  p = DecodeEntryHeader(p, limit, shared, non_shared, value_length);
  if (p == nullptr) {
    SetCorruption(current_, "truncated or overlong varint in the entry header");
    return nullptr;
  }
  if (at_restart && *shared != 0) {
    SetCorruption(current_, "restart entry shares " + std::to_string(*shared) +
                                " key bytes (must be 0)");
    return nullptr;
  }
  if (*shared > previous_key_size) {
    SetCorruption(current_, "shares " + std::to_string(*shared) +
                                " bytes with a previous key of only " +
                                std::to_string(previous_key_size));
    return nullptr;
  }
  if (*non_shared > static_cast<size_t>(limit - p)) {
    SetCorruption(current_, "key delta of " + std::to_string(*non_shared) +
                                " bytes runs past the end of the entries at " +
                                std::to_string(restarts_offset_));
    return nullptr;
  }
  return p;
}

bool BlockIter::CheckValueBounds(const char* value, uint32_t value_length) {
  if (value_length > static_cast<size_t>(data_ + restarts_offset_ - value)) {
    SetCorruption(current_, "value of " + std::to_string(value_length) +
                                " bytes runs past the end of the entries at " +
                                std::to_string(restarts_offset_));
    return false;
  }
  return true;
}

bool BlockIter::CheckInternalKeySize(uint32_t offset, size_t key_size) {
  if (key_size < kInternalKeyTrailerSize) {
    SetCorruption(offset, "internal key of " + std::to_string(key_size) +
                              " bytes (at least 8 needed)");
    return false;
  }
  return true;
}

bool BlockIter::CheckInternalKey(uint32_t offset, Slice key,
                                 KeyBuffer* reported) {
  if (!CheckInternalKeySize(offset, key.size())) {
    return false;
  }
  if (options_.global_seqno != kDisableGlobalSequenceNumber) {
    const uint64_t trailer = ExtractTrailer(key);
    if ((trailer >> 8) != 0) {
      SetCorruption(offset, "key has sequence number " +
                                std::to_string(trailer >> 8) +
                                " in a file with a global sequence number "
                                "(all must be 0)");
      return false;
    }
    // A separate copy: the next entry's shared prefix refers to the stored
    // bytes, not to the rewritten trailer.
    char trailer_bytes[kInternalKeyTrailerSize];
    EncodeFixed64(trailer_bytes,
                  (options_.global_seqno << 8) | (trailer & 0xff));
    reported->Assemble(key.data(), key.size() - kInternalKeyTrailerSize,
                       trailer_bytes, kInternalKeyTrailerSize);
  }
  return true;
}

bool BlockIter::ParseNextEntry() {
  bool at_restart = false;
  if (!EnterEntry(&at_restart)) {
    return false;
  }
  const char* const limit = data_ + restarts_offset_;
  uint32_t shared = 0;
  uint32_t non_shared = 0;
  uint32_t value_length = 0;
  const bool delta_handle =
      options_.value_format == BlockValueFormat::kDeltaHandle;
  const char* p = DecodeEntryBounds(at_restart, key_.size(), &shared,
                                    &non_shared, &value_length);
  if (p == nullptr) {
    return false;
  }
  if (shared == 0) {
    // Nothing to assemble: use the stored bytes in place.
    key_ = Slice(p, non_shared);
  } else {
    key_buf_.Assemble(key_.data(), shared, p, non_shared);
    key_ = key_buf_.slice();
  }
  p += non_shared;

  if (!delta_handle) {
    if (!CheckValueBounds(p, value_length)) {
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

  if (options_.key_order == BlockKeyOrder::kInternalKey &&
      !FinishInternalKey()) {
    return false;
  }
  next_offset_ = static_cast<uint32_t>(p - data_);
  return true;
}

bool BlockIter::RestartKey(uint32_t i, KeyBuffer* scratch, Slice* key) {
  const uint32_t offset = block_->RestartPoint(i);
  const char* p = data_ + offset;
  const char* const limit = data_ + restarts_offset_;
  uint32_t shared = 0;
  uint32_t non_shared = 0;
  uint32_t value_length = 0;
  p = DecodeEntryHeader(p, limit, &shared, &non_shared, &value_length);
  if (p == nullptr || shared != 0 ||
      non_shared > static_cast<size_t>(limit - p)) {
    SetCorruption(offset, "restart point " + std::to_string(i) +
                              " does not hold a complete unshared key");
    return false;
  }
  *key = Slice(p, non_shared);
  if (options_.key_order == BlockKeyOrder::kInternalKey) {
    if (!CheckInternalKey(offset, *key, scratch)) {
      return false;
    }
    if (options_.global_seqno != kDisableGlobalSequenceNumber) {
      *key = scratch->slice();
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
  const std::vector<uint64_t>& prefixes = block_->restart_key_prefixes();
  if (!prefixes.empty() &&
      block_->prefixes_skip_trailer() ==
          (options_.key_order == BlockKeyOrder::kInternalKey)) {
    // Narrow the search with the prefixes, a dense array: restart keys
    // with a smaller prefix are < target, those with a larger one are >
    // target; only equal prefixes need the keys themselves.
    const uint64_t prefix =
        RestartKeyPrefix(options_.key_order == BlockKeyOrder::kInternalKey
                             ? ExtractUserKey(target)
                             : target);
    const auto lower = prefixes.begin() + static_cast<std::ptrdiff_t>(
                                              block_->LowerBoundPrefix(prefix));
    // Equal prefixes are rare (a shared 8-byte key prefix): step over a few,
    // search past a long run.
    auto upper = lower;
    for (int i = 0; i < 8 && upper != prefixes.end() && *upper == prefix; ++i) {
      ++upper;
    }
    if (upper != prefixes.end() && *upper == prefix) {
      upper = std::upper_bound(upper, prefixes.end(), prefix);
    }
    if (upper == lower && block_->one_entry_per_restart()) {
      // No restart key has the target's prefix: those before `lower` are
      // smaller than the target, the others larger, and with one entry per
      // interval no entry lies between them. The answer is the entry at
      // restart `lower`, found without reading a key.
      if (lower == prefixes.end()) {
        Invalidate();
        return;
      }
      SeekToRestartPoint(static_cast<uint32_t>(lower - prefixes.begin()));
      ParseNextEntry();
      return;
    }
    left = (lower - prefixes.begin()) - 1;
    right = (upper - prefixes.begin()) - 1;
  } else if (num_restarts_ <= kMaxPrefetchedRestarts &&
             !options_.block_is_hot) {
    // A small block (a data block, usually cold): the search reads most
    // restart keys anyway, so ask for them all at once.
    for (uint32_t i = 0; i < num_restarts_; ++i) {
      __builtin_prefetch(data_ + block_->RestartPoint(i));
    }
  }
  bool exact = false;
  KeyBuffer scratch;
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
  const uint32_t restart = left < 0 ? 0 : static_cast<uint32_t>(left);
  if (!exact && left >= 0 && !options_.block_is_hot) {
    PrefetchInterval(restart);
  }
  SeekToRestartPoint(restart);
  if (exact || left < 0) {
    ParseNextEntry();
    return;
  }
  ScanTo(target, UINT32_MAX);
}

void BlockIter::ScanTo(Slice target, uint32_t limit) {
  // Skipping entries by their shared-prefix length needs raw values (a
  // handle delta needs the previous handle decoded). A global sequence
  // number does not matter: skipping looks at user-key bytes only, which
  // it leaves alone.
  const bool can_skip = options_.value_format == BlockValueFormat::kRaw;
  // The target's bytes that order keys on their own: for an internal key,
  // its user key (the trailer orders descending, after it).
  const size_t order_bytes = options_.key_order == BlockKeyOrder::kInternalKey
                                 ? target.size() - kInternalKeyTrailerSize
                                 : target.size();
  bool decoded = false;  // The current entry is decoded but not compared.
  while (true) {
    if (!decoded) {
      if (next_offset_ >= limit) {
        Invalidate();
        return;
      }
      if (!ParseNextEntry()) {
        return;
      }
    }
    if (Compare(key(), target) >= 0) {
      return;
    }
    if (!can_skip) {
      decoded = false;
      continue;
    }
    // The current key K < target. Let m be where K and the target first
    // differ. If m is inside the target's ordering bytes and K[m] is the
    // smaller byte, every later key that shares more than m bytes with its
    // predecessor (and so with K, by induction) agrees with the target
    // before m and is smaller at m, so it is < target whatever its length.
    const size_t n = std::min(key_.size(), order_bytes);
    const size_t matched = CommonPrefixLength(key_.data(), target.data(), n);
    if (matched == n || static_cast<uint8_t>(key_[matched]) >
                            static_cast<uint8_t>(target[matched])) {
      decoded = false;
      continue;
    }
    if (!SkipSmallerEntries(target, order_bytes, matched, limit)) {
      return;
    }
    decoded = true;
  }
}

uint32_t BlockIter::QuickEntriesEnd(uint32_t limit) const {
  // A 3-byte header must fit before the restart array.
  uint32_t end = restarts_offset_ >= 3 ? restarts_offset_ - 3 : 0;
  if (restart_index_ + 1 < num_restarts_) {
    end = std::min(end, block_->RestartPoint(restart_index_ + 1));
  }
  return std::min(end, limit);
}

bool BlockIter::SkipSmallerEntries(Slice target, size_t order_bytes,
                                   size_t matched, uint32_t limit) {
  const size_t min_key_size = options_.key_order == BlockKeyOrder::kInternalKey
                                  ? kInternalKeyTrailerSize
                                  : 0;
  size_t previous_key_size = key_.size();
  // Entries before this offset are inside the current restart interval and
  // before `limit`: the quick path below needs no restart bookkeeping.
  uint32_t quick_end = QuickEntriesEnd(limit);
  while (true) {
    uint32_t shared = 0;
    uint32_t non_shared = 0;
    uint32_t value_length = 0;
    const char* p = nullptr;
    const uint32_t offset = next_offset_;
    if (offset < quick_end) {
      // The usual entry: a one-byte varint per header field, and every
      // check passes. Anything else takes the general path, which reports
      // what is wrong.
      const auto* u = reinterpret_cast<const unsigned char*>(data_ + offset);
      if (((u[0] | u[1] | u[2]) & 0x80) == 0 && u[0] <= previous_key_size &&
          size_t{u[1]} + u[2] <= restarts_offset_ - offset - 3 &&
          size_t{u[0]} + u[1] >= min_key_size) {
        current_ = offset;
        shared = u[0];
        non_shared = u[1];
        value_length = u[2];
        p = data_ + offset + 3;
      }
    }
    if (p == nullptr) {
      if (offset >= limit) {
        Invalidate();
        return false;
      }
      bool at_restart = false;
      if (!EnterEntry(&at_restart)) {
        return false;
      }
      p = DecodeEntryBounds(at_restart, previous_key_size, &shared, &non_shared,
                            &value_length);
      if (p == nullptr || !CheckValueBounds(p + non_shared, value_length) ||
          (min_key_size > 0 &&
           !CheckInternalKeySize(current_, size_t{shared} + non_shared))) {
        return false;
      }
      quick_end = QuickEntriesEnd(limit);
    }
    const size_t key_size = size_t{shared} + non_shared;
    const char* const value = p + non_shared;
    next_offset_ = static_cast<uint32_t>(value + value_length - data_);
    if (shared > matched) {
      previous_key_size = key_size;
      continue;  // Smaller than the target, key never assembled.
    }
    if (shared == matched) {
      // The key agrees with the target up to `matched`; its own bytes say
      // whether it stays smaller, and where it then first differs.
      const size_t n = std::min<size_t>(non_shared, order_bytes - matched);
      const size_t same = CommonPrefixLength(p, target.data() + matched, n);
      if (same < n && static_cast<uint8_t>(p[same]) <
                          static_cast<uint8_t>(target[matched + same])) {
        matched += same;
        previous_key_size = key_size;
        continue;
      }
    }
    // Not shown smaller. Its first `shared` bytes are its predecessor's,
    // which are the target's (shared <= matched): assemble it from those.
    if (shared == 0) {
      key_ = Slice(p, non_shared);
    } else {
      key_buf_.Assemble(target.data(), shared, p, non_shared);
      key_ = key_buf_.slice();
    }
    value_ = Slice(value, value_length);
    return min_key_size == 0 || FinishInternalKey();
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
  // Only this interval can hold the user key.
  const uint32_t limit = restart + 1 < num_restarts_
                             ? block_->RestartPoint(restart + 1)
                             : restarts_offset_;
  SeekToRestartPoint(restart);
  ScanTo(target, limit);
  if (!Valid()) {
    return true;
  }
  // The bucket named this interval, and no other interval holds the user
  // key (that would have been a collision), so the entry found is also the
  // first entry >= target in the whole block. RocksDB re-seeks for some
  // value types; the position would be the same.
  return ExtractUserKey(key()).compare(user_key) == 0;
}

bool BlockIter::RestartEntryFillsInterval(uint32_t i, Slice key) const {
  const uint32_t end =
      i + 1 < num_restarts_ ? block_->RestartPoint(i + 1) : restarts_offset_;
  const char* const limit = data_ + restarts_offset_;
  const char* p = key.data() + key.size();
  if (options_.value_format == BlockValueFormat::kDeltaHandle) {
    // A restart entry holds a full handle, two varints; only their extent
    // matters here.
    for (int field = 0; field < 2 && p != nullptr; ++field) {
      p = SkipVarint(p, limit);
    }
  } else {
    uint32_t shared = 0;
    uint32_t non_shared = 0;
    uint32_t value_length = 0;
    if (DecodeEntryHeader(data_ + block_->RestartPoint(i), limit, &shared,
                          &non_shared, &value_length) == nullptr ||
        value_length > static_cast<size_t>(limit - p)) {
      return false;
    }
    p += value_length;
  }
  return p == data_ + end;
}

Status BuildRestartKeyPrefixes(const Block& block,
                               const BlockIterOptions& options,
                               std::vector<uint64_t>* prefixes,
                               bool* one_entry_per_restart) {
  prefixes->clear();
  if (one_entry_per_restart != nullptr) {
    *one_entry_per_restart = false;
  }
  if (block.empty()) {
    return Status::OK();
  }
  // The global sequence number changes only trailers; prefixes skip them.
  BlockIterOptions plain = options;
  plain.global_seqno = kDisableGlobalSequenceNumber;
  BlockIter iter(&block, plain);
  prefixes->reserve(block.num_restarts());
  BlockIter::KeyBuffer scratch;
  bool one = true;  // Every interval seen so far holds one entry.
  for (uint32_t i = 0; i < block.num_restarts(); ++i) {
    Slice key;
    if (!iter.RestartKey(i, &scratch, &key)) {
      prefixes->clear();
      return iter.status();
    }
    if (one && one_entry_per_restart != nullptr) {
      one = iter.RestartEntryFillsInterval(i, key);
    }
    prefixes->push_back(RestartKeyPrefix(
        options.key_order == BlockKeyOrder::kInternalKey ? ExtractUserKey(key)
                                                         : key));
  }
  if (one_entry_per_restart != nullptr) {
    *one_entry_per_restart = one;
  }
  return Status::OK();
}

}  // namespace strata
