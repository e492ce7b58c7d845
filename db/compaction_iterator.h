// CompactionIterator: the entries of a flush or compaction that must be
// kept, in internal-key order, given the live snapshots.
//
// For each user key (entries arrive newest first) the snapshots cut the
// sequence numbers into stripes: (s_{i-1}, s_i] for the sorted snapshot
// sequence numbers s_1 < s_2 < ..., and (s_last, max] for the latest view.
// Within a stripe only the newest entry can ever be read, so the rest are
// dropped ("newer entry"). A kept entry is also dropped when a range
// tombstone of the same stripe covers it ("range del"), and a deletion in the
// oldest stripe is dropped when no older version can exist below the output
// level ("obsolete"; the caller says where keys may still exist).
//
// In a compaction to the bottom of the tree (`bottommost`: no version of any
// input key can exist below the output level), a value in the oldest stripe
// is every reader's oldest version of its key, so its sequence number is
// written as 0, as RocksDB does: a bottommost file then repeats one trailer,
// which compresses better, and its seqno properties say its data is older
// than every snapshot.
//
// Single deletions are treated as deletions. Merge operands and other types
// stop the iterator with NotSupported naming the key. Not thread-safe;
// borrows its input and tombstones.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "db/internal_iterator.h"
#include "db/range_tombstones.h"
#include "strata/statistics.h"
#include "table/internal_key.h"

namespace strata {

class CompactionIterator {
 public:
  // `snapshots` sorted ascending. `key_may_exist_below(user_key)` says
  // whether a version of the key may live below the output level (null:
  // always true, as in a flush). `tombstones` may be null. `bottommost`
  // turns on the sequence-number zeroing above (never for a flush).
  CompactionIterator(InternalIterator* input,
                     const RangeTombstoneSet* tombstones,
                     std::vector<SequenceNumber> snapshots,
                     std::function<bool(Slice user_key)> key_may_exist_below,
                     bool bottommost, Statistics* statistics);

  void SeekToFirst();
  bool Valid() const { return valid_; }
  void Next();
  // The entry's internal key, with sequence number 0 when zeroed.
  Slice key() const { return zeroed_ ? Slice(zeroed_key_) : input_->key(); }
  Slice value() const { return input_->value(); }
  Status status() const { return status_; }

 private:
  // Moves the input to the next entry to keep (starting at the current one).
  void FindNextKept();
  // The snapshot sequence number that closes the stripe of `seq`
  // (kMaxSequenceNumber for the latest stripe).
  SequenceNumber StripeTop(SequenceNumber seq) const;
  void Count(Tickers ticker);

  InternalIterator* const input_;
  const RangeTombstoneSet* const tombstones_;
  const std::vector<SequenceNumber> snapshots_;
  const std::function<bool(Slice)> key_may_exist_below_;
  const bool bottommost_;
  Statistics* const statistics_;

  bool valid_ = false;
  Status status_;
  std::string current_user_key_;
  bool has_current_user_key_ = false;
  // Stripe top of the last entry seen for the current user key.
  SequenceNumber last_stripe_top_ = 0;
  // The current entry's key rewritten with sequence number 0 (when zeroed_).
  bool zeroed_ = false;
  std::string zeroed_key_;
};

}  // namespace strata
