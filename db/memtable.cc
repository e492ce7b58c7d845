#include "db/memtable.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "util/coding.h"

namespace strata {
namespace {

// Decodes the varint32 length at `p` (inside memory this memtable wrote, so
// never malformed) into *length and returns the byte after it. Lengths under
// 128, the common case, take the inline path.
inline const char* DecodeLength(const char* p, uint32_t* length) {
  const auto byte = static_cast<unsigned char>(*p);
  if (byte < 0x80) {
    *length = byte;
    return p + 1;
  }
  return GetVarint32Ptr(p, p + kMaxVarint32Bytes, length);
}

// The internal key of an encoded entry.
inline Slice EntryKey(const char* entry) {
  uint32_t size;
  const char* p = DecodeLength(entry, &size);
  return Slice(p, size);
}

// The value of an entry whose internal key is `key` (a slice of the entry).
inline Slice EntryValue(Slice key) {
  uint32_t size;
  const char* p = DecodeLength(key.data() + key.size(), &size);
  return Slice(p, size);
}

// InternalKeyComparator's order on (user key, trailer) pairs.
inline int CompareParts(Slice a_user_key, uint64_t a_trailer, Slice b_user_key,
                        uint64_t b_trailer) {
  const int r = a_user_key.compare(b_user_key);
  if (r != 0) {
    return r;
  }
  // Larger trailers (newer entries) first.
  return a_trailer > b_trailer ? -1 : (a_trailer < b_trailer ? 1 : 0);
}

inline Slice UserKeyOf(Slice internal_key) {
  return Slice(internal_key.data(),
               internal_key.size() - kInternalKeyTrailerSize);
}
inline uint64_t TrailerOf(Slice internal_key) {
  return DecodeFixed64(internal_key.data() + internal_key.size() -
                       kInternalKeyTrailerSize);
}

// A packed trailer for `sequence` that sorts before every entry of that
// sequence (larger type byte than any stored type).
inline uint64_t SeekTrailer(SequenceNumber sequence) {
  return PackSequenceAndType(std::min(sequence, kMaxSequenceNumber),
                             kValueTypeForSeek);
}

}  // namespace

int MemTable::KeyComparator::operator()(const char* a, const char* b) const {
  const Slice a_key = EntryKey(a);
  const Slice b_key = EntryKey(b);
  return CompareParts(UserKeyOf(a_key), TrailerOf(a_key), UserKeyOf(b_key),
                      TrailerOf(b_key));
}

int MemTable::KeyComparator::operator()(const char* entry,
                                        const SeekTarget& target) const {
  const Slice key = EntryKey(entry);
  return CompareParts(UserKeyOf(key), TrailerOf(key), target.user_key,
                      target.trailer);
}

// Point entries as an InternalIterator. Friend of MemTable.
class MemTableIterator final : public InternalIterator {
 public:
  explicit MemTableIterator(const MemTable::Table* table) : iter_(table) {}

  bool Valid() const override { return iter_.Valid(); }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void SeekToLast() override { iter_.SeekToLast(); }
  void Seek(Slice target) override { iter_.Seek(Split(target)); }
  void SeekForPrev(Slice target) override { iter_.SeekForPrev(Split(target)); }
  void Next() override { iter_.Next(); }
  void Prev() override { iter_.Prev(); }
  Slice key() const override { return EntryKey(iter_.key()); }
  Slice value() const override { return EntryValue(key()); }
  Status status() const override { return Status::OK(); }

 private:
  static MemTable::SeekTarget Split(Slice internal_key) {
    assert(internal_key.size() >= kInternalKeyTrailerSize);
    return {UserKeyOf(internal_key), TrailerOf(internal_key)};
  }

  MemTable::Table::Iterator iter_;
};

MemTable::MemTable(size_t arena_block_bytes)
    : arena_(arena_block_bytes),
      points_(KeyComparator(), &arena_),
      range_deletions_(KeyComparator(), &arena_) {}

void MemTable::Add(SequenceNumber seq, ValueType type, Slice key, Slice value) {
  assert(type == ValueType::kValue || type == ValueType::kDeletion ||
         type == ValueType::kSingleDeletion ||
         type == ValueType::kRangeDeletion);
  assert(seq <= kMaxSequenceNumber);
  assert(key.size() <= UINT32_MAX - kInternalKeyTrailerSize);
  assert(value.size() <= UINT32_MAX);
  Table& table = type == ValueType::kRangeDeletion ? range_deletions_ : points_;
#ifndef NDEBUG
  {
    // The DB gives every entry its own sequence number.
    Table::Iterator iter(&table);
    iter.Seek(SeekTarget{key, SeekTrailer(seq)});
    if (iter.Valid()) {
      const Slice found = EntryKey(iter.key());
      assert(UserKeyOf(found) != key || (TrailerOf(found) >> 8) != seq);
    }
  }
#endif

  const auto internal_key_size =
      static_cast<uint32_t>(key.size() + kInternalKeyTrailerSize);
  const auto value_size = static_cast<uint32_t>(value.size());
  const size_t encoded_size = VarintLength(internal_key_size) +
                              internal_key_size + VarintLength(value_size) +
                              value_size;
  char* const entry = table.AllocateKey(encoded_size);
  char* p = EncodeVarint32(entry, internal_key_size);
  std::memcpy(p, key.data(), key.size());
  p += key.size();
  EncodeFixed64(p, PackSequenceAndType(seq, type));
  p += kInternalKeyTrailerSize;
  p = EncodeVarint32(p, value_size);
  std::memcpy(p, value.data(), value_size);
  assert(p + value_size == entry + encoded_size);
  table.Insert(entry);

  // Relaxed: only this (the writing) thread updates the counters.
  const uint64_t n = num_entries_.load(std::memory_order_relaxed);
  num_entries_.store(n + 1, std::memory_order_relaxed);
  if (type == ValueType::kDeletion || type == ValueType::kSingleDeletion) {
    num_deletes_.store(num_deletes_.load(std::memory_order_relaxed) + 1,
                       std::memory_order_relaxed);
  } else if (type == ValueType::kRangeDeletion) {
    num_range_deletes_.store(
        num_range_deletes_.load(std::memory_order_relaxed) + 1,
        std::memory_order_relaxed);
  }
  if (n == 0 || seq < first_sequence_.load(std::memory_order_relaxed)) {
    first_sequence_.store(seq, std::memory_order_relaxed);
  }
  if (seq > last_sequence_.load(std::memory_order_relaxed)) {
    last_sequence_.store(seq, std::memory_order_relaxed);
  }
}

SequenceNumber MemTable::MaxCoveringTombstone(Slice user_key,
                                              SequenceNumber read_seq) const {
  SequenceNumber max_seq = 0;
  Table::Iterator iter(&range_deletions_);
  // Sorted by begin key: stop at the first tombstone beginning after
  // user_key.
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    const Slice begin = EntryKey(iter.key());
    if (UserKeyOf(begin).compare(user_key) > 0) {
      break;
    }
    const SequenceNumber seq = TrailerOf(begin) >> 8;
    if (seq <= read_seq && seq > max_seq &&
        user_key.compare(EntryValue(begin)) < 0) {
      max_seq = seq;
    }
  }
  return max_seq;
}

MemTable::GetResult MemTable::Get(
    Slice user_key, SequenceNumber read_seq, std::string* value,
    SequenceNumber* found_seq,
    SequenceNumber* max_covering_tombstone_seq) const {
  if (num_range_deletes() > 0) {
    *max_covering_tombstone_seq = std::max(
        *max_covering_tombstone_seq, MaxCoveringTombstone(user_key, read_seq));
  }
  Table::Iterator iter(&points_);
  // The first entry of user_key with sequence <= read_seq.
  iter.Seek(SeekTarget{user_key, SeekTrailer(read_seq)});
  if (iter.Valid()) {
    const Slice key = EntryKey(iter.key());
    if (UserKeyOf(key) == user_key) {
      const uint64_t trailer = TrailerOf(key);
      const SequenceNumber seq = trailer >> 8;
      if (seq < *max_covering_tombstone_seq) {
        return GetResult::kDeleted;
      }
      switch (static_cast<ValueType>(trailer & 0xff)) {
        case ValueType::kValue: {
          const Slice v = EntryValue(key);
          value->assign(v.data(), v.size());
          *found_seq = seq;
          return GetResult::kFound;
        }
        case ValueType::kDeletion:
        case ValueType::kSingleDeletion:
          return GetResult::kDeleted;
        default:
          assert(false && "Add() stores no other point type");
          return GetResult::kNotPresent;
      }
    }
  }
  return *max_covering_tombstone_seq > 0 ? GetResult::kDeleted
                                         : GetResult::kNotPresent;
}

std::unique_ptr<InternalIterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(&points_);
}

std::vector<RangeTombstone> MemTable::GetRangeTombstones() const {
  std::vector<RangeTombstone> result;
  result.reserve(num_range_deletes());
  Table::Iterator iter(&range_deletions_);
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    const Slice begin = EntryKey(iter.key());
    RangeTombstone t;
    t.begin_user_key = UserKeyOf(begin).ToString();
    t.end_user_key = EntryValue(begin).ToString();
    t.sequence = TrailerOf(begin) >> 8;
    result.push_back(std::move(t));
  }
  return result;
}

}  // namespace strata
