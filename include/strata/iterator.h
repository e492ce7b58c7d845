// Iterator: an ordered view of key/value pairs (user keys, bytewise order).
//
// Protocol: position with SeekToFirst/SeekToLast/Seek/SeekForPrev, then
// Next/Prev while Valid(). When Valid() is false, status() tells whether the
// end was reached (OK) or an error stopped the iteration (Corruption naming
// the file and block, IOError, ...).
// Lifetime: key() and value() stay valid until the iterator moves.
// Thread-safety: not thread-safe. Whatever created the iterator must outlive
// it.
#pragma once

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // First key >= target.
  virtual void Seek(Slice target) = 0;
  // Last key <= target.
  virtual void SeekForPrev(Slice target) = 0;
  // REQUIRES: Valid().
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual Slice key() const = 0;
  virtual Slice value() const = 0;
  virtual Status status() const = 0;
};

}  // namespace strata
