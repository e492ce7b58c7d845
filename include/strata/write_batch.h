// WriteBatch: a group of updates (puts, deletions, single deletions and
// range deletions) that the DB applies atomically, and the payload of one
// write-ahead-log record.
//
// The representation (Data()) is RocksDB 7.8.3's WriteBatch format for the
// default column family, byte for byte:
//
//   header   fixed64 sequence number, fixed32 count of updates
//   records  in the order the updates were added:
//     0x01 (Put)           varstring key, varstring value
//     0x00 (Delete)        varstring key
//     0x07 (SingleDelete)  varstring key
//     0x0F (DeleteRange)   varstring begin key, varstring end key
//
// where varstring is a varint32 length followed by the bytes. The sequence
// number is set by the DB when the batch is written.
//
// Thread-safety: const methods may be called concurrently; anything else
// needs external synchronization. A WriteBatch is a value: copyable and
// movable (a moved-from batch is empty).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

struct WriteBatchInternal;

class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch() = default;
  WriteBatch(const WriteBatch&) = default;
  WriteBatch& operator=(const WriteBatch&) = default;
  // The source is left empty (as after Clear()).
  WriteBatch(WriteBatch&& other) noexcept;
  WriteBatch& operator=(WriteBatch&& other) noexcept;

  // Each adds one update. A key or value of 4 GiB or more (it must fit a
  // varint32 length) is InvalidArgument and leaves the batch unchanged.
  Status Put(Slice key, Slice value);
  Status Delete(Slice key);
  // Deletes the single version of `key` written by one earlier Put; see
  // RocksDB's SingleDelete for when that is allowed.
  Status SingleDelete(Slice key);
  // Deletes every key in [begin_key, end_key).
  Status DeleteRange(Slice begin_key, Slice end_key);

  // Removes every update (the sequence number goes back to 0).
  void Clear();

  // Updates in the batch.
  uint32_t Count() const;
  // Bytes of Data(), header included.
  size_t GetDataSize() const { return rep_.size(); }
  // The representation described above; valid until the batch changes.
  const std::string& Data() const { return rep_; }

  // Receives the updates of a batch in order. Returning an error from a
  // callback stops Iterate, which returns that error.
  class Handler {
   public:
    virtual ~Handler();
    virtual Status Put(Slice key, Slice value) = 0;
    virtual Status Delete(Slice key) = 0;
    virtual Status SingleDelete(Slice key) = 0;
    virtual Status DeleteRange(Slice begin_key, Slice end_key) = 0;
  };

  // Calls `handler` for every update, in order. The Slices point into the
  // batch. Errors: Corruption for a malformed representation (a header too
  // small, a record cut short, an unknown tag, a count that does not match
  // the records), naming the offset in the representation; NotSupported for
  // a RocksDB record type strata does not handle (column families, merge,
  // transactions markers, blob indexes, wide columns), naming the type.
  // RocksDB's Noop and LogData records are skipped.
  Status Iterate(Handler* handler) const;

 private:
  friend struct WriteBatchInternal;

  std::string rep_;  // See above.
};

}  // namespace strata
