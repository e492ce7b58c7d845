// MemTable: the in-memory write buffer of the store, holding the newest
// writes (puts, deletes, single deletes and range deletes) in internal-key
// order until a flush turns them into an L0 table.
//
// Each point entry is one node of a skiplist, allocated in one piece from an
// arena and encoded as
//   varint32(internal_key_size) | internal_key | varint32(value_size) | value
// with internal_key = user_key | fixed64(sequence << 8 | type)
// (table/internal_key.h), ordered by InternalKeyComparator: user key
// ascending, then sequence (and type) descending. Range deletions use the
// same encoding (key = begin user key, value = exclusive end user key) in a
// second skiplist, so point lookups and scans never step over them.
// Adding an entry costs one arena allocation and nothing else; Get and
// iteration allocate nothing per entry.
//
// Thread-safety: one writer (Add) at a time, which the caller (the DB)
// serializes; every const method may run concurrently with it and with each
// other, without locks. A reader sees each entry either fully or not at all.
// Ownership and lifetime: the MemTable owns all entry memory, freed only by
// its destructor. Iterators and everything they return point into it, so the
// MemTable must outlive its iterators (the DB holds a shared_ptr to it for as
// long as any iterator lives).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "db/internal_iterator.h"
#include "db/skiplist.h"
#include "strata/slice.h"
#include "table/internal_key.h"
#include "table/table_reader.h"
#include "util/arena.h"

namespace strata {

class MemTable {
 public:
  // `arena_block_bytes`: the arena's block size. The DB passes an eighth of
  // write_buffer_size (as RocksDB does), so that a memtable's memory
  // usage, which counts whole blocks, tracks its contents closely.
  explicit MemTable(size_t arena_block_bytes = Arena::kDefaultBlockBytes);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // Adds one entry. `type` is ValueType::kValue, kDeletion, kSingleDeletion
  // or kRangeDeletion; for kRangeDeletion, `key` is the first user key
  // deleted and `value` the end of the range (exclusive). Copies key and
  // value. Writer only.
  // REQUIRES: seq <= kMaxSequenceNumber; no entry with the same user key
  // (begin key, for range deletions) and sequence number was added before
  // (asserted in debug builds). Key and value are under 4 GiB each.
  void Add(SequenceNumber seq, ValueType type, Slice key, Slice value);

  enum class GetResult { kNotPresent, kFound, kDeleted };

  // Looks up the newest point entry of `user_key` with sequence <= read_seq.
  // *max_covering_tombstone_seq is in/out: the caller passes the largest
  // sequence of a range deletion covering user_key found in newer sources
  // (0 if none); Get raises it to that of this memtable's range deletions
  // covering user_key with sequence <= read_seq. Then:
  //   kFound: the entry is a put newer than *max_covering_tombstone_seq; its
  //     value is copied into *value and its sequence into *found_seq.
  //   kDeleted: the entry is a delete or single delete, or is older than
  //     *max_covering_tombstone_seq, or there is no entry but
  //     *max_covering_tombstone_seq > 0.
  //   kNotPresent: neither; older sources must be searched.
  // *value and *found_seq are left alone unless the result is kFound.
  // Cost: O(log n), plus a scan of the range deletions that begin at or
  // before user_key when there are any.
  GetResult Get(Slice user_key, SequenceNumber read_seq, std::string* value,
                SequenceNumber* found_seq,
                SequenceNumber* max_covering_tombstone_seq) const;

  // Every point entry (all versions, deletions included, range deletions
  // excluded) in internal-key order. Entries added while the iterator runs
  // may or may not be seen. key() and value() stay valid as long as the
  // MemTable lives. status() is always OK. REQUIRES: the MemTable outlives
  // the iterator.
  std::unique_ptr<InternalIterator> NewIterator() const;

  // Every range deletion, sorted by begin user key, then by sequence
  // descending.
  std::vector<RangeTombstone> GetRangeTombstones() const;

  // Bytes of arena memory taken so far (grows a block at a time).
  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }

  // Counters (relaxed reads: exact once the writer is done).
  // Entries of every kind, range deletions included.
  uint64_t num_entries() const {
    return num_entries_.load(std::memory_order_relaxed);
  }
  // Deletes and single deletes.
  uint64_t num_deletes() const {
    return num_deletes_.load(std::memory_order_relaxed);
  }
  uint64_t num_range_deletes() const {
    return num_range_deletes_.load(std::memory_order_relaxed);
  }
  // Smallest and largest sequence number added; 0 while empty.
  SequenceNumber first_sequence() const {
    return first_sequence_.load(std::memory_order_relaxed);
  }
  SequenceNumber last_sequence() const {
    return last_sequence_.load(std::memory_order_relaxed);
  }
  bool empty() const { return num_entries() == 0; }

 private:
  friend class MemTableIterator;  // memtable.cc; reads points_.

  // A search position for the skiplists: an internal key kept in two parts,
  // so a lookup needs no encoded copy of its key.
  struct SeekTarget {
    Slice user_key;
    uint64_t trailer;  // PackSequenceAndType(sequence, type).
  };

  // Orders encoded entries (and entries against a SeekTarget) by their
  // internal keys, as InternalKeyComparator does.
  struct KeyComparator {
    int operator()(const char* a, const char* b) const;
    int operator()(const char* entry, const SeekTarget& target) const;
  };
  using Table = SkipList<KeyComparator>;

  // The largest sequence <= read_seq of a range deletion covering user_key,
  // or 0.
  SequenceNumber MaxCoveringTombstone(Slice user_key,
                                      SequenceNumber read_seq) const;

  Arena arena_;
  Table points_;
  Table range_deletions_;
  // Written by the writer only (relaxed: statistics with no ordering role).
  std::atomic<uint64_t> num_entries_{0};
  std::atomic<uint64_t> num_deletes_{0};
  std::atomic<uint64_t> num_range_deletes_{0};
  std::atomic<SequenceNumber> first_sequence_{0};
  std::atomic<SequenceNumber> last_sequence_{0};
};

}  // namespace strata
