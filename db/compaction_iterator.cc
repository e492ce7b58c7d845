#include "db/compaction_iterator.h"

#include <algorithm>

namespace strata {

CompactionIterator::CompactionIterator(
    InternalIterator* input, const RangeTombstoneSet* tombstones,
    std::vector<SequenceNumber> snapshots,
    std::function<bool(Slice user_key)> key_may_exist_below, bool bottommost,
    Statistics* statistics)
    : input_(input),
      tombstones_(tombstones != nullptr && !tombstones->empty() ? tombstones
                                                                : nullptr),
      snapshots_(std::move(snapshots)),
      key_may_exist_below_(std::move(key_may_exist_below)),
      bottommost_(bottommost),
      statistics_(statistics) {}

void CompactionIterator::Count(Tickers ticker) {
  if (statistics_ != nullptr) statistics_->recordTick(ticker);
}

SequenceNumber CompactionIterator::StripeTop(SequenceNumber seq) const {
  auto it = std::lower_bound(snapshots_.begin(), snapshots_.end(), seq);
  return it == snapshots_.end() ? kMaxSequenceNumber : *it;
}

void CompactionIterator::SeekToFirst() {
  has_current_user_key_ = false;
  input_->SeekToFirst();
  FindNextKept();
}

void CompactionIterator::Next() {
  input_->Next();
  FindNextKept();
}

void CompactionIterator::FindNextKept() {
  valid_ = false;
  zeroed_ = false;
  while (input_->Valid()) {
    const Slice ikey = input_->key();
    ParsedInternalKey parsed;
    Status s = ParseInternalKey(ikey, &parsed);
    if (!s.ok()) {
      status_ = s;
      return;
    }
    const SequenceNumber top = StripeTop(parsed.sequence);
    const bool first_of_key =
        !has_current_user_key_ ||
        parsed.user_key.compare(Slice(current_user_key_)) != 0;
    if (first_of_key) {
      current_user_key_.assign(parsed.user_key.data(), parsed.user_key.size());
      has_current_user_key_ = true;
    } else if (top == last_stripe_top_) {
      // A newer entry of the same stripe hides this one from every reader.
      Count(COMPACTION_KEY_DROP_NEWER_ENTRY);
      input_->Next();
      continue;
    }
    last_stripe_top_ = top;

    switch (parsed.type) {
      case ValueType::kValue:
      case ValueType::kDeletion:
      case ValueType::kSingleDeletion:
        break;
      default:
        status_ = Status::NotSupported(
            std::string("compaction of entry type ") +
            ValueTypeName(static_cast<uint8_t>(parsed.type)) + " (key " +
            parsed.DebugString() + ")");
        return;
    }
    if (tombstones_ != nullptr &&
        tombstones_->MaxCoveringSeq(parsed.user_key, top) > parsed.sequence) {
      // Deleted by a range tombstone every reader of this stripe sees.
      Count(COMPACTION_KEY_DROP_RANGE_DEL);
      input_->Next();
      continue;
    }
    if (parsed.type != ValueType::kValue &&
        (snapshots_.empty() || parsed.sequence <= snapshots_.front()) &&
        key_may_exist_below_ && !key_may_exist_below_(parsed.user_key)) {
      // A deletion in the oldest stripe with nothing below it to hide.
      Count(COMPACTION_KEY_DROP_OBSOLETE);
      input_->Next();
      continue;
    }
    if (bottommost_ && parsed.type == ValueType::kValue &&
        parsed.sequence != 0 &&
        (snapshots_.empty() || parsed.sequence <= snapshots_.front())) {
      // Every reader sees this version and nothing older exists below.
      zeroed_key_.clear();
      AppendInternalKey(&zeroed_key_,
                        ParsedInternalKey(parsed.user_key, 0, parsed.type));
      zeroed_ = true;
    }
    valid_ = true;
    return;
  }
  if (status_.ok()) status_ = input_->status();
}

}  // namespace strata
