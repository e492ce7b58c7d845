// InternalIterator: an ordered view of internal keys (user key + 8-byte
// trailer) under InternalKeyComparator, the common shape of memtable,
// table, level and merging iterators inside db/.
//
// Protocol: as strata::Iterator, but keys are internal keys and nothing is
// hidden: every version, deletion and single deletion is returned.
// Lifetime: key() and value() stay valid until the iterator moves (or, for
// sources that pin their memory, for as long as the source lives; callers
// must not rely on that).
// Thread-safety: not thread-safe.
#pragma once

#include <memory>

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class InternalIterator {
 public:
  virtual ~InternalIterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // First entry >= target (an internal key).
  virtual void Seek(Slice target) = 0;
  // Last entry <= target (an internal key).
  virtual void SeekForPrev(Slice target) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual Slice key() const = 0;
  virtual Slice value() const = 0;
  // OK at the end of the data; the first error otherwise.
  virtual Status status() const = 0;
};

// An iterator with no entries whose status() is `status`.
std::unique_ptr<InternalIterator> NewEmptyInternalIterator(
    Status status = Status::OK());

}  // namespace strata
