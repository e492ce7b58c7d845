// MergingIterator: one sorted view (InternalKeyComparator order) of several
// InternalIterators, e.g. the memtables and the levels of a read.
//
// A binary heap of the children positioned at their current entries: a
// min-heap while moving forward, a max-heap while moving backward. Next()
// moves only the child on top and restores the heap; a direction switch
// (Prev() after Next() or the reverse) repositions every other child just
// past the current key on the new side, as LevelDB's merging iterator does.
// Identical internal keys in several children come out in unspecified order,
// and a direction switch steps over the copies in the other children: Prev()
// after Next() always lands on a key strictly smaller than the current one,
// Next() after Prev() on a strictly larger one.
//
// Errors: status() is the first non-OK status a child reported since the
// last Seek*/SeekTo*; once a child reports one, Valid() is false.
// Lifetime: owns the children. key() is the top child's key and lives as
// long as that child's does (until the merging iterator moves).
// Thread-safety: not thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "db/internal_iterator.h"

namespace strata {

// No children: an empty iterator. One child: that child itself, unwrapped.
// REQUIRES: no child is null.
std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children);

}  // namespace strata
