// DBIter: the user-visible Iterator of a read, built over an InternalIterator
// (usually a merging iterator of memtables and levels) at one sequence
// number.
//
// For each user key, the newest entry with sequence number <= read_seq
// decides what the iterator shows:
//   - covered by a range tombstone visible at read_seq and newer than the
//     entry (RangeTombstoneSet::MaxCoveringSeq > entry sequence): hidden;
//   - kValue: the key is shown with that value;
//   - kDeletion, kSingleDeletion: hidden;
//   - any other type (kMerge, kBlobIndex, kWideColumnEntity, ...): the
//     iterator stops, invalid, with status() NotSupported naming the type
//     and the key.
// Entries newer than read_seq are invisible. A key that cannot be parsed
// (shorter than 8 bytes, or a type byte no SST may hold) stops the iterator
// with Corruption. Errors of the internal iterator come back through
// status(); every Seek*/SeekTo* clears the iterator's own error.
//
// Bounds (as RocksDB's iterate_lower_bound / iterate_upper_bound): keys
// outside [lower_bound, upper_bound) are never shown. Seek below the lower
// bound seeks to it; Seek at or past the upper bound is invalid;
// SeekForPrev at or past the upper bound is SeekToLast; SeekForPrev below
// the lower bound is invalid.
//
// Cost: many hidden versions of one key are stepped over one at a time,
// and after kMaxSequentialSkips steps the iterator re-seeks past them.
// key() and value() point into the internal iterator's memory when moving
// forward; moving backward they are copies (the internal iterator has
// already left the entry). Either way they stay valid until the iterator
// moves.
// Lifetime: owns the internal iterator; options.cleanup runs in the
// destructor after the internal iterator has been destroyed.
// Thread-safety: not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "db/internal_iterator.h"
#include "db/range_tombstones.h"
#include "strata/iterator.h"
#include "table/internal_key.h"

namespace strata {

struct DBIterOptions {
  // Inclusive lower and exclusive upper bound on user keys; unset means
  // unbounded.
  std::optional<std::string> lower_bound;
  std::optional<std::string> upper_bound;
  // Run by the destructor, after the internal iterator is gone (lets the
  // DB unpin the memtables and the version the iterator read).
  std::function<void()> cleanup;
};

// Versions of one user key stepped over one by one before the iterator
// re-seeks past the rest (RocksDB's max_sequential_skip_in_iterations).
inline constexpr size_t kMaxSequentialSkips = 8;

// `tombstones` may be null (no range deletions); when not null it must be
// finished.
std::unique_ptr<Iterator> NewDBIterator(
    std::unique_ptr<InternalIterator> internal, SequenceNumber read_seq,
    std::shared_ptr<const RangeTombstoneSet> tombstones,
    const DBIterOptions& options);

}  // namespace strata
