// LevelIterator: the entries of one sorted run of files (a level above L0)
// as one InternalIterator, opening each file only when the iteration
// reaches it.
//
// The files must be sorted and must not overlap: files[i].largest <
// files[i + 1].smallest (InternalKeyComparator order). Seek binary-searches
// the file ranges, so positioning opens at most the one file that can hold
// the target (and the next ones only if that file turns out to hold
// nothing past it). At most one file iterator is open at a time.
//
// Errors: open_file reports a failure by returning an iterator whose
// status() is not OK (NewEmptyInternalIterator(status)); the level iterator
// then stops there, invalid, and status() returns that status. status() is
// always the status of the file iterator currently open (OK when none is).
// Lifetime: the Slices in `files` are borrowed (typically from the file
// metadata of a pinned version) and must outlive the iterator, as must
// whatever open_file captures.
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "db/internal_iterator.h"
#include "strata/slice.h"

namespace strata {

struct LevelFileRange {
  Slice smallest;  // Internal key of the file's first entry.
  Slice largest;   // Internal key of the file's last entry.
};

// Opens the file at `index` of the list. Must not return null.
using LevelFileOpener =
    std::function<std::unique_ptr<InternalIterator>(size_t index)>;

std::unique_ptr<InternalIterator> NewLevelIterator(
    std::vector<LevelFileRange> files, LevelFileOpener open_file);

}  // namespace strata
