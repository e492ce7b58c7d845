// RangeTombstoneSet: the range deletions that apply to one read (or one
// compaction), fragmented so that "which tombstones cover this key" is one
// binary search.
//
// A tombstone [begin, end) at sequence s deletes every entry of a user key k
// with begin <= k < end and a sequence number below s, for reads at
// sequence numbers >= s. Finish() cuts the tombstones into fragments that
// do not overlap; each fragment keeps the sorted sequence numbers of every
// tombstone spanning it, so a read at any sequence number finds the newest
// tombstone it can see without looking at the others.
//
// Protocol: Add* Finish, then only const queries. Empty or inverted ranges
// (begin >= end) are ignored by Add.
// Thread-safety: after Finish(), const methods may be called concurrently
// (the set is typically shared as shared_ptr<const RangeTombstoneSet> by
// every iterator of a read). Before, not thread-safe.
// Slices returned by the queries point into the set and live as long as it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "strata/slice.h"
#include "table/internal_key.h"
#include "table/table_reader.h"

namespace strata {

class RangeTombstoneSet {
 public:
  RangeTombstoneSet() = default;
  // Add(t) for every tombstone, then Finish().
  explicit RangeTombstoneSet(const std::vector<RangeTombstone>& tombstones);
  RangeTombstoneSet(const RangeTombstoneSet&) = delete;
  RangeTombstoneSet& operator=(const RangeTombstoneSet&) = delete;
  RangeTombstoneSet(RangeTombstoneSet&&) = default;
  RangeTombstoneSet& operator=(RangeTombstoneSet&&) = default;

  // REQUIRES: Finish() not called yet.
  void Add(Slice begin_user_key, Slice end_user_key, SequenceNumber sequence);
  void Add(const RangeTombstone& tombstone) {
    Add(tombstone.begin_user_key, tombstone.end_user_key, tombstone.sequence);
  }
  // Fragments what was added. REQUIRES: called once, before any query.
  void Finish();

  // True if no (non-empty) tombstone was added.
  bool empty() const { return fragments_.empty(); }
  // Number of fragments after Finish() (for tests and statistics).
  size_t num_fragments() const { return fragments_.size(); }

  // The largest sequence number <= read_seq of a tombstone covering
  // `user_key`, or 0 if there is none. O(log fragments + log depth).
  SequenceNumber MaxCoveringSeq(Slice user_key, SequenceNumber read_seq) const;

  // True if a tombstone visible at read_seq and newer than the entry covers
  // it: MaxCoveringSeq(user key, read_seq) > sequence of `internal_key`.
  // REQUIRES: internal_key.size() >= 8.
  bool ShouldDelete(Slice internal_key, SequenceNumber read_seq) const {
    return MaxCoveringSeq(ExtractUserKey(internal_key), read_seq) >
           ExtractSequenceNumber(internal_key);
  }

  // The fragment containing `user_key`, for callers that want to act on a
  // whole covered range at once: returns false if no tombstone covers
  // user_key; else sets *fragment_end to the (exclusive) end of the fragment
  // and *max_seq to MaxCoveringSeq(user_key, read_seq) (possibly 0 when
  // every tombstone there is newer than read_seq). Every key in
  // [user_key, *fragment_end) has the same covering tombstones.
  bool FindFragment(Slice user_key, SequenceNumber read_seq,
                    Slice* fragment_end, SequenceNumber* max_seq) const;

  // The tombstones to store in an output file holding user keys in
  // [smallest_user, largest_user] (both inclusive), clipped to that range:
  // one RangeTombstone per (fragment, sequence number), fragments in key
  // order, sequence numbers descending within a fragment. A clipped end is
  // largest_user + '\0', the first user key after largest_user.
  // Clipping keeps each file's tombstones inside its own key range; a key
  // that falls between two output files is then covered by neither, so a
  // caller cutting a compaction into files must pass ranges that meet
  // (see TombstonesInRange for exact partitions).
  std::vector<RangeTombstone> TombstonesOverlapping(Slice smallest_user,
                                                    Slice largest_user) const;
  // The same for the half-open range [lower, upper); a null bound is
  // unbounded. Ranges [-inf, c1), [c1, c2), ..., [cn, +inf) partition the
  // tombstones exactly: together they cover what the set covers.
  std::vector<RangeTombstone> TombstonesInRange(const Slice* lower,
                                                const Slice* upper) const;

 private:
  struct Fragment {
    std::string begin;  // Inclusive.
    std::string end;    // Exclusive; the next fragment may start later.
    // seqs_[seq_begin, seq_end): sequence numbers, descending.
    uint32_t seq_begin;
    uint32_t seq_end;
  };
  // Index of the fragment containing user_key, or -1.
  ptrdiff_t FindIndex(Slice user_key) const;

  std::vector<RangeTombstone> pending_;  // Until Finish().
  std::vector<Fragment> fragments_;      // Sorted, non-overlapping.
  std::vector<SequenceNumber> seqs_;
  bool finished_ = false;
};

}  // namespace strata
