// Internal keys: the keys stored in data blocks, range-deletion blocks and
// (in "internal key" mode) index blocks of an SST file, and their order.
//
//   internal_key = user_key || fixed64((sequence_number << 8) | value_type)
//
// Layout, value types and order: ../shared/spec/sst-format.md sections 2-3.
// Only RocksDB's bytewise user comparator ("leveldb.BytewiseComparator") is
// supported, so the comparator is a plain class with no virtual dispatch.
//
// Thread-safety: pure functions and stateless classes; everything may be
// called concurrently.
// Slices: every returned Slice points into the argument it was derived from
// and lives as long as those bytes do.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>

#include "strata/slice.h"
#include "strata/status.h"
#include "util/coding.h"

namespace strata {

using SequenceNumber = uint64_t;

// Sequence numbers have 56 bits; the low byte of the packed trailer holds the
// value type.
inline constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;
// "No global sequence number": what a reader passes when keys keep their own.
inline constexpr SequenceNumber kDisableGlobalSequenceNumber = ~uint64_t{0};
// Bytes of the packed (sequence, type) trailer of every internal key.
inline constexpr size_t kInternalKeyTrailerSize = 8;

// The low byte of an internal key's trailer. Persisted; never renumber or
// reuse. Values RocksDB uses only in its WAL are listed so that nothing else
// takes them, but they are never valid in an SST file (IsSstValueType).
enum class ValueType : uint8_t {
  kDeletion = 0x00,
  kValue = 0x01,  // Put.
  kMerge = 0x02,
  kLogData = 0x03,               // WAL only.
  kColumnFamilyDeletion = 0x04,  // WAL only.
  kColumnFamilyValue = 0x05,     // WAL only.
  kColumnFamilyMerge = 0x06,     // WAL only.
  kSingleDeletion = 0x07,
  kColumnFamilySingleDeletion = 0x08,  // WAL only.
  kBeginPrepareXID = 0x09,             // WAL only.
  kEndPrepareXID = 0x0A,               // WAL only.
  kCommitXID = 0x0B,                   // WAL only.
  kRollbackXID = 0x0C,                 // WAL only.
  kNoop = 0x0D,                        // WAL only.
  kColumnFamilyRangeDeletion = 0x0E,   // WAL only.
  kRangeDeletion = 0x0F,               // Only in the range-deletion block.
  kColumnFamilyBlobIndex = 0x10,       // WAL only.
  kBlobIndex = 0x11,                   // BlobDB.
  kBeginPersistedPrepareXID = 0x12,    // WAL only.
  kBeginUnprepareXID = 0x13,           // WAL only.
  kDeletionWithTimestamp = 0x14,
  kCommitXIDAndTimestamp = 0x15,  // WAL only.
  kWideColumnEntity = 0x16,
  kColumnFamilyWideColumnEntity = 0x17,  // WAL only.
};

// The type RocksDB 7.8.3 puts in keys that only position a search: the
// largest type byte it knows, so that (user_key, kMaxSequenceNumber,
// kValueTypeForSeek) sorts before every real entry of user_key. It is also
// the type of every shortened index separator (spec section 9.1).
inline constexpr ValueType kValueTypeForSeek = ValueType::kWideColumnEntity;
// The type for the key SeekForPrev positions on: sorts after every real entry
// with the same user key and sequence number.
inline constexpr ValueType kValueTypeForSeekForPrev = ValueType::kDeletion;

// True for the types RocksDB 7.8.3 may store in an SST file: Deletion, Value,
// Merge, SingleDeletion, RangeDeletion, BlobIndex, DeletionWithTimestamp and
// WideColumnEntity.
bool IsSstValueType(uint8_t type);

// RocksDB's name for a type, e.g. "kTypeValue"; "unknown" otherwise.
const char* ValueTypeName(uint8_t type);

// REQUIRES: sequence <= kMaxSequenceNumber.
inline uint64_t PackSequenceAndType(SequenceNumber sequence, ValueType type) {
  return (sequence << 8) | static_cast<uint8_t>(type);
}

struct ParsedInternalKey {
  Slice user_key;
  SequenceNumber sequence = 0;
  ValueType type = ValueType::kDeletion;

  ParsedInternalKey() = default;
  ParsedInternalKey(Slice u, SequenceNumber seq, ValueType t)
      : user_key(u), sequence(seq), type(t) {}

  // "'<user key as hex>' seq:<n>, type:<t>", as sst_dump prints keys.
  std::string DebugString() const;
};

// Appends user_key || fixed64(PackSequenceAndType(sequence, type)).
// REQUIRES: key.sequence <= kMaxSequenceNumber.
void AppendInternalKey(std::string* dst, const ParsedInternalKey& key);
// The same as a fresh string.
std::string MakeInternalKey(Slice user_key, SequenceNumber sequence,
                            ValueType type);

// Splits an internal key. Returns Corruption naming the problem (shorter
// than 8 bytes, or a type byte that cannot appear in an SST file, with the
// key shown in hex) and leaves *result unspecified. result->user_key points
// into `internal_key`.
Status ParseInternalKey(Slice internal_key, ParsedInternalKey* result);

// The user key, the packed trailer, the sequence number and the type byte of
// an internal key. REQUIRES: internal_key.size() >= 8 (asserted; keys from
// disk must be length-checked first, as ParseInternalKey and BlockIter do).
// Inline: both sit on every read path.
inline Slice ExtractUserKey(Slice internal_key) {
  assert(internal_key.size() >= kInternalKeyTrailerSize);
  return Slice(internal_key.data(),
               internal_key.size() - kInternalKeyTrailerSize);
}
inline uint64_t ExtractTrailer(Slice internal_key) {
  assert(internal_key.size() >= kInternalKeyTrailerSize);
  return DecodeFixed64(internal_key.data() + internal_key.size() -
                       kInternalKeyTrailerSize);
}
inline SequenceNumber ExtractSequenceNumber(Slice internal_key) {
  return ExtractTrailer(internal_key) >> 8;
}
inline uint8_t ExtractValueTypeByte(Slice internal_key) {
  return static_cast<uint8_t>(ExtractTrailer(internal_key) & 0xff);
}

// Bytewise comparison of user keys: memcmp order, a proper prefix first.
inline int CompareUserKeys(Slice a, Slice b) { return a.compare(b); }

// The order of internal keys over the bytewise user comparator: user key
// ascending, then the packed (sequence, type) trailer descending, so newer
// entries of a user key come first (spec section 3).
class InternalKeyComparator {
 public:
  // RocksDB's name for this comparator.
  static constexpr const char* kName =
      "rocksdb.InternalKeyComparator:leveldb.BytewiseComparator";

  // < 0, 0 or > 0. REQUIRES: both keys have at least 8 bytes.
  static int Compare(Slice a, Slice b);
  // Compares a parsed key with an encoded one, without encoding it.
  static int Compare(const ParsedInternalKey& a, Slice b);

  // For standard containers.
  bool operator()(Slice a, Slice b) const { return Compare(a, b) < 0; }
};

}  // namespace strata
