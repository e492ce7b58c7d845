// Key shortening of RocksDB's bytewise comparator
// ("leveldb.BytewiseComparator") and of internal keys over it: what the index
// builder stores as the key of each data block (../shared/spec/sst-format.md
// section 9.1).
//
// These functions decide bytes on disk, so they reproduce RocksDB 7.8.3's
// BytewiseComparatorImpl::FindShortestSeparator / FindShortSuccessor and
// ShortenedIndexBuilder's internal-key wrappers exactly (checked against the
// index blocks of RocksDB-written files).
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "strata/slice.h"

namespace strata {

// The comparator name RocksDB records in the "rocksdb.comparator" property.
inline constexpr const char* kBytewiseComparatorName =
    "leveldb.BytewiseComparator";

// If possible, changes *start to a short string s with *start <= s < limit;
// otherwise leaves it unchanged. Rules (spec section 9.1): with i the first
// index where the keys differ, nothing changes when one key is a prefix of the
// other or start[i] >= limit[i]; when start[i] + 1 still sorts below limit
// (limit continues after i, or start[i] + 1 < limit[i]) the result is
// start[0, i) + (start[i] + 1); otherwise the first byte after i that is not
// 0xff is incremented and the rest dropped (nothing changes if there is none).
// Any inputs are safe: when *start >= limit nothing changes.
void FindShortestSeparator(std::string* start, Slice limit);

// Changes *key to a short string >= *key: increments the first byte that is
// not 0xff and drops the rest; a key of only 0xff bytes (or empty) is left
// unchanged.
void FindShortSuccessor(std::string* key);

// Internal-key forms, as RocksDB's ShortenedIndexBuilder applies them: the
// user-key part of *start is shortened as above against the user key of
// `limit`; if the result is no longer than the original user key and sorts
// strictly after it, *start becomes that user key with the trailer
// (kMaxSequenceNumber, kValueTypeForSeek) -- bytes 16 ff ff ff ff ff ff ff --
// and otherwise *start is left exactly as it was (its real sequence number
// and type included).
// REQUIRES: start->size() >= 8 and limit.size() >= 8.
void FindShortestInternalKeySeparator(std::string* start, Slice limit);
// REQUIRES: key->size() >= 8.
void FindShortInternalKeySuccessor(std::string* key);

}  // namespace strata
