#include "db/range_tombstones.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <set>

namespace strata {

RangeTombstoneSet::RangeTombstoneSet(
    const std::vector<RangeTombstone>& tombstones) {
  for (const RangeTombstone& t : tombstones) Add(t);
  Finish();
}

void RangeTombstoneSet::Add(Slice begin_user_key, Slice end_user_key,
                            SequenceNumber sequence) {
  assert(!finished_);
  if (begin_user_key.compare(end_user_key) >= 0) return;  // Covers nothing.
  pending_.push_back(RangeTombstone{begin_user_key.ToString(),
                                    end_user_key.ToString(), sequence});
}

void RangeTombstoneSet::Finish() {
  assert(!finished_);
  finished_ = true;
  if (pending_.empty()) return;

  // Every begin and end is a boundary; between two consecutive boundaries
  // the set of spanning tombstones cannot change.
  std::vector<Slice> bounds;
  bounds.reserve(pending_.size() * 2);
  for (const RangeTombstone& t : pending_) {
    bounds.emplace_back(t.begin_user_key);
    bounds.emplace_back(t.end_user_key);
  }
  auto less = [](Slice a, Slice b) { return a.compare(b) < 0; };
  std::sort(bounds.begin(), bounds.end(), less);
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());

  auto index_of = [&](Slice key) {
    return static_cast<size_t>(
        std::lower_bound(bounds.begin(), bounds.end(), key, less) -
        bounds.begin());
  };
  // Tombstones starting and ending at each boundary.
  std::vector<std::vector<SequenceNumber>> starts(bounds.size());
  std::vector<std::vector<SequenceNumber>> ends(bounds.size());
  for (const RangeTombstone& t : pending_) {
    starts[index_of(t.begin_user_key)].push_back(t.sequence);
    ends[index_of(t.end_user_key)].push_back(t.sequence);
  }

  // Sweep: `active` holds the sequence numbers spanning [bounds[i],
  // bounds[i + 1]).
  std::multiset<SequenceNumber, std::greater<SequenceNumber>> active;
  std::vector<SequenceNumber> current;
  for (size_t i = 0; i + 1 < bounds.size(); i++) {
    for (SequenceNumber s : ends[i]) active.erase(active.find(s));
    for (SequenceNumber s : starts[i]) active.insert(s);
    if (active.empty()) continue;
    current.assign(active.begin(), active.end());
    current.erase(std::unique(current.begin(), current.end()), current.end());
    // Neighbours with the same tombstones become one fragment.
    if (!fragments_.empty()) {
      Fragment& last = fragments_.back();
      if (Slice(last.end) == bounds[i] &&
          last.seq_end - last.seq_begin == current.size() &&
          std::equal(current.begin(), current.end(),
                     seqs_.begin() + last.seq_begin)) {
        last.end = bounds[i + 1].ToString();
        continue;
      }
    }
    Fragment f;
    f.begin = bounds[i].ToString();
    f.end = bounds[i + 1].ToString();
    f.seq_begin = static_cast<uint32_t>(seqs_.size());
    seqs_.insert(seqs_.end(), current.begin(), current.end());
    f.seq_end = static_cast<uint32_t>(seqs_.size());
    fragments_.push_back(std::move(f));
  }
  pending_.clear();
  pending_.shrink_to_fit();
}

ptrdiff_t RangeTombstoneSet::FindIndex(Slice user_key) const {
  assert(finished_);
  // The last fragment starting at or before user_key.
  auto it = std::upper_bound(
      fragments_.begin(), fragments_.end(), user_key,
      [](Slice key, const Fragment& f) { return key.compare(f.begin) < 0; });
  if (it == fragments_.begin()) return -1;
  --it;
  if (user_key.compare(it->end) >= 0) return -1;
  return it - fragments_.begin();
}

SequenceNumber RangeTombstoneSet::MaxCoveringSeq(
    Slice user_key, SequenceNumber read_seq) const {
  Slice end;
  SequenceNumber seq = 0;
  return FindFragment(user_key, read_seq, &end, &seq) ? seq : 0;
}

bool RangeTombstoneSet::FindFragment(Slice user_key, SequenceNumber read_seq,
                                     Slice* fragment_end,
                                     SequenceNumber* max_seq) const {
  const ptrdiff_t i = FindIndex(user_key);
  if (i < 0) return false;
  const Fragment& f = fragments_[static_cast<size_t>(i)];
  *fragment_end = f.end;
  // Descending: the first sequence number <= read_seq is the largest.
  auto first = seqs_.begin() + f.seq_begin;
  auto last = seqs_.begin() + f.seq_end;
  auto it =
      std::lower_bound(first, last, read_seq, std::greater<SequenceNumber>());
  *max_seq = it == last ? 0 : *it;
  return true;
}

std::vector<RangeTombstone> RangeTombstoneSet::TombstonesOverlapping(
    Slice smallest_user, Slice largest_user) const {
  std::string after_largest = largest_user.ToString();
  after_largest.push_back('\0');
  const Slice upper(after_largest);
  return TombstonesInRange(&smallest_user, &upper);
}

std::vector<RangeTombstone> RangeTombstoneSet::TombstonesInRange(
    const Slice* lower, const Slice* upper) const {
  assert(finished_);
  std::vector<RangeTombstone> result;
  auto it = fragments_.begin();
  if (lower != nullptr) {
    // The first fragment ending after lower.
    it = std::upper_bound(
        fragments_.begin(), fragments_.end(), *lower,
        [](Slice key, const Fragment& f) { return key.compare(f.end) < 0; });
  }
  for (; it != fragments_.end(); ++it) {
    if (upper != nullptr && upper->compare(it->begin) <= 0) break;
    Slice begin = it->begin;
    Slice end = it->end;
    if (lower != nullptr && begin.compare(*lower) < 0) begin = *lower;
    if (upper != nullptr && end.compare(*upper) > 0) end = *upper;
    if (begin.compare(end) >= 0) continue;
    for (uint32_t i = it->seq_begin; i < it->seq_end; i++) {
      result.push_back(
          RangeTombstone{begin.ToString(), end.ToString(), seqs_[i]});
    }
  }
  return result;
}

}  // namespace strata
