// Version: the shape of the LSM tree at one moment, the table files of each
// level with their key ranges. Built only by Apply() from a base Version and
// VersionEdits, immutable afterwards and shared as
// std::shared_ptr<const Version> (readers and compactions pin the Version
// they started with). Pure metadata: no file is opened here.
//
// Invariants of every Version Apply() returns:
//   - L0 is ordered newest first: largest_seqno descending, then file
//     number descending. Its files may overlap.
//   - L1 and deeper are ordered by smallest internal key, and each file's
//     largest internal key is below the next file's smallest one. Two
//     neighbours may share a boundary *user* key (the newer entries of that
//     key in the first file, older ones in the second); compactions take
//     such neighbours together (db/compaction_picker.h).
//   - Every file number appears once in the whole tree, and every file's
//     bounds are internal keys (>= 8 bytes) with smallest <= largest.
//
// Key ranges in queries are inclusive user-key ranges under the bytewise
// comparator; a null bound is unbounded.
//
// Thread-safety: immutable; every method may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "db/version_edit.h"
#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

inline constexpr int kDefaultNumLevels = 7;

class Version : public std::enable_shared_from_this<Version> {
  struct PrivateTag {};

 public:
  using FileList = std::vector<std::shared_ptr<const FileMetaData>>;

  // Use Apply(). Public only for std::make_shared.
  Version(PrivateTag, int num_levels);

  // Builds the Version that results from applying `edits` in order to
  // `base` (null: the empty tree). Within one edit the deletions apply
  // before the additions. Returns Corruption, and leaves *result untouched,
  // when an edit names a level < 0 or >= num_levels (or `base` has files at
  // such a level), deletes a file the level does not hold, adds a file
  // number already in the tree, adds a file whose bounds are not internal
  // keys in order, or leaves two files of one level >= 1 overlapping (the
  // message names both). REQUIRES: num_levels >= 1.
  static Status Apply(const Version* base,
                      const std::vector<const VersionEdit*>& edits,
                      int num_levels, std::shared_ptr<const Version>* result);

  int num_levels() const { return static_cast<int>(levels_.size()); }
  // REQUIRES for every `level` below: 0 <= level < num_levels().
  const FileList& files(int level) const { return levels_[level]; }
  int NumFiles(int level) const {
    return static_cast<int>(levels_[level].size());
  }
  uint64_t NumLevelBytes(int level) const;
  int TotalFiles() const;

  // Appends to *out the files of `level` whose user-key range intersects
  // [begin, end], in level order. For L0 the range grows to cover every
  // file taken until no further file overlaps it, so the result is closed
  // under overlap (a file left out overlaps none taken).
  void GetOverlappingInputs(int level, const Slice* begin_user_key,
                            const Slice* end_user_key, FileList* out) const;
  // Whether any file of `level` intersects [smallest_user, largest_user].
  bool OverlapInLevel(int level, Slice smallest_user, Slice largest_user) const;
  // Index of the first file of `level` whose largest internal key is >=
  // `internal_key`, or NumFiles(level) if there is none (binary search).
  // REQUIRES: level >= 1.
  int FindFile(int level, Slice internal_key) const;
  // The level an ingested file covering [smallest_user, largest_user]
  // goes to: the deepest level such that no file at that level or above
  // it overlaps the range (0 when L0 overlaps). Running compactions are not
  // known here; CompactionPicker::PickLevelForIngestedFile accounts for
  // them.
  int PickLevelForIngestedFile(Slice smallest_user, Slice largest_user) const;

  // The largest largest_seqno (global_seqno for ingested files, when
  // larger) of any file; 0 for the empty tree.
  SequenceNumber MaxSequenceNumber() const;
  // The largest file number in the tree; 0 for the empty tree.
  uint64_t MaxFileNumber() const;
  // Every file number, level by level, in level order.
  std::vector<uint64_t> AllFileNumbers() const;

  // Per non-empty level: "L1: 2 files, 8192 bytes" and one line per file
  // (number, size, key range).
  std::string DebugString() const;

 private:
  std::vector<FileList> levels_;
};

}  // namespace strata
