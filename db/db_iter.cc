#include "db/db_iter.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "util/coding.h"

namespace strata {
namespace {

// The type bytes IsSstValueType accepts, as a bit mask, so that the check
// on every entry is inline: Deletion, Value, Merge, SingleDeletion,
// RangeDeletion, BlobIndex, DeletionWithTimestamp, WideColumnEntity.
constexpr uint32_t kSstTypeMask = (1u << 0x00) | (1u << 0x01) | (1u << 0x02) |
                                  (1u << 0x07) | (1u << 0x0F) | (1u << 0x11) |
                                  (1u << 0x14) | (1u << 0x16);

inline bool IsSstType(uint8_t type) {
  return type < 32 && ((kSstTypeMask >> type) & 1) != 0;
}

enum class Direction { kForward, kReverse };

// The user key of an internal key the iterator has already parsed.
inline Slice UserKeyOf(Slice internal_key) {
  return Slice(internal_key.data(),
               internal_key.size() - kInternalKeyTrailerSize);
}

// A byte buffer that only grows, so that saving a key or value is one
// memcpy (std::string::assign goes through a general replace path that
// cost more than the rest of a Next() step in a profile).
class SavedBytes {
 public:
  // REQUIRES: `s` does not point into this buffer.
  void Assign(Slice s) {
    if (s.size() > capacity_) {
      capacity_ = std::max(s.size(), 2 * capacity_);
      data_ = std::make_unique_for_overwrite<char[]>(capacity_);
    }
    if (!s.empty()) std::memcpy(data_.get(), s.data(), s.size());
    size_ = s.size();
  }
  Slice slice() const { return data_ ? Slice(data_.get(), size_) : Slice(); }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// Positions: moving forward, the internal iterator sits on the entry that
// decided the current key (key() and value() are read from it); moving
// backward, it sits before every entry of the current key, whose user key
// and value are copied into saved_key_ and saved_value_.
class DBIter final : public Iterator {
 public:
  DBIter(std::unique_ptr<InternalIterator> internal, SequenceNumber read_seq,
         std::shared_ptr<const RangeTombstoneSet> tombstones,
         const DBIterOptions& options)
      : iter_(std::move(internal)),
        read_seq_(std::min(read_seq, kMaxSequenceNumber)),
        tombstones_(tombstones != nullptr && !tombstones->empty()
                        ? std::move(tombstones)
                        : nullptr),
        lower_(options.lower_bound),
        upper_(options.upper_bound),
        cleanup_(options.cleanup) {}

  ~DBIter() override {
    iter_.reset();
    if (cleanup_) cleanup_();
  }

  DBIter(const DBIter&) = delete;
  DBIter& operator=(const DBIter&) = delete;

  bool Valid() const override { return valid_; }
  Slice key() const override {
    assert(valid_);
    return direction_ == Direction::kForward ? UserKeyOf(iter_->key())
                                             : saved_key_.slice();
  }
  Slice value() const override {
    assert(valid_);
    return direction_ == Direction::kForward ? iter_->value()
                                             : saved_value_.slice();
  }
  Status status() const override {
    if (!status_.ok()) return status_;
    return iter_->status();
  }

  void SeekToFirst() override {
    status_ = Status::OK();
    if (lower_) {
      SeekInternal(*lower_, read_seq_, kValueTypeForSeek);
    } else {
      iter_->SeekToFirst();
    }
    FindNextUserEntry(/*skipping=*/false);
  }

  void SeekToLast() override {
    status_ = Status::OK();
    if (upper_) {
      // The last entry of a user key below the (exclusive) bound.
      SeekForPrevInternal(*upper_, kMaxSequenceNumber, kValueTypeForSeek);
    } else {
      iter_->SeekToLast();
    }
    FindPrevUserEntry();
  }

  void Seek(Slice target) override {
    status_ = Status::OK();
    if (lower_ && target.compare(*lower_) < 0) target = *lower_;
    // (target, read_seq) sorts after the invisible versions of target.
    SeekInternal(target, read_seq_, kValueTypeForSeek);
    FindNextUserEntry(/*skipping=*/false);
  }

  void SeekForPrev(Slice target) override {
    if (upper_ && target.compare(*upper_) >= 0) {
      SeekToLast();
      return;
    }
    status_ = Status::OK();
    // (target, 0, kDeletion) sorts after every version of target.
    SeekForPrevInternal(target, 0, kValueTypeForSeekForPrev);
    FindPrevUserEntry();
  }

  void Next() override {
    assert(valid_);
    if (direction_ == Direction::kReverse) {
      // The internal iterator is before saved_key_'s versions: jump past
      // them ((saved_key_, 0, kDeletion) is the last version there can be).
      SeekInternal(saved_key_.slice(), 0, kValueTypeForSeekForPrev);
    } else {
      saved_key_.Assign(UserKeyOf(iter_->key()));
      iter_->Next();
    }
    FindNextUserEntry(/*skipping=*/true);
  }

  void Prev() override {
    assert(valid_);
    if (direction_ == Direction::kForward) {
      valid_ = false;
      direction_ = Direction::kReverse;
      saved_key_.Assign(UserKeyOf(iter_->key()));
      if (!MoveBeforeSavedKey(/*seek_now=*/false)) return;
    }
    FindPrevUserEntry();
  }

 private:
  // Splits the internal iterator's current key; on a malformed key sets
  // status_ to Corruption and returns false.
  bool ParseCurrent(ParsedInternalKey* p) {
    const Slice ikey = iter_->key();
    if (ikey.size() >= kInternalKeyTrailerSize) {
      const size_t user_size = ikey.size() - kInternalKeyTrailerSize;
      const uint64_t trailer = DecodeFixed64(ikey.data() + user_size);
      const auto type = static_cast<uint8_t>(trailer & 0xff);
      assert(IsSstType(type) == IsSstValueType(type));
      if (IsSstType(type)) {
        p->user_key = Slice(ikey.data(), user_size);
        p->sequence = trailer >> 8;
        p->type = static_cast<ValueType>(type);
        return true;
      }
    }
    ParsedInternalKey ignored;
    status_ =
        ParseInternalKey(ikey, &ignored).WithMessagePrefix("DB iterator: ");
    assert(!status_.ok());
    valid_ = false;
    return false;
  }

  // Stops the iteration at an entry whose type this iterator cannot show.
  void Unsupported(Slice user_key, SequenceNumber sequence, ValueType type) {
    const auto type_byte = static_cast<uint8_t>(type);
    status_ = Status::NotSupported(
        std::string("DB iterator: entry type ") + ValueTypeName(type_byte) +
        " (" + std::to_string(type_byte) + ") is not supported, at key '" +
        user_key.ToHex() + "' seq:" + std::to_string(sequence));
    valid_ = false;
  }

  bool Covered(Slice user_key, SequenceNumber sequence) const {
    return tombstones_ != nullptr &&
           tombstones_->MaxCoveringSeq(user_key, read_seq_) > sequence;
  }

  bool AboveUpper(Slice user_key) const {
    return upper_ && user_key.compare(*upper_) >= 0;
  }

  // `user_key` may point into the internal iterator: it is copied before
  // the iterator moves.
  void SeekInternal(Slice user_key, SequenceNumber seq, ValueType type) {
    seek_key_.clear();
    AppendInternalKey(&seek_key_, ParsedInternalKey(user_key, seq, type));
    iter_->Seek(seek_key_);
  }
  void SeekForPrevInternal(Slice user_key, SequenceNumber seq, ValueType type) {
    seek_key_.clear();
    AppendInternalKey(&seek_key_, ParsedInternalKey(user_key, seq, type));
    iter_->SeekForPrev(seek_key_);
  }

  // Forward from the internal iterator's position to the first user key
  // shown. With `skipping`, entries of user keys <= saved_key_ are already
  // decided and are passed over.
  void FindNextUserEntry(bool skipping) {
    direction_ = Direction::kForward;
    valid_ = false;
    size_t num_skipped = 0;
    ParsedInternalKey p;
    while (iter_->Valid()) {
      if (!ParseCurrent(&p)) return;
      if (skipping) {
        if (p.user_key.compare(saved_key_.slice()) <= 0) {
          if (++num_skipped > kMaxSequentialSkips) {
            // Many old versions: jump past all of them.
            SeekInternal(saved_key_.slice(), 0, kValueTypeForSeekForPrev);
            num_skipped = 0;
          } else {
            iter_->Next();
          }
          continue;
        }
        skipping = false;
        num_skipped = 0;
      }
      if (AboveUpper(p.user_key)) return;
      if (p.sequence > read_seq_) {
        // Too new for this read; the visible versions follow.
        if (++num_skipped > kMaxSequentialSkips) {
          SeekInternal(p.user_key, read_seq_, kValueTypeForSeek);
          num_skipped = 0;
        } else {
          iter_->Next();
        }
        continue;
      }
      // The newest visible version of p.user_key: it decides.
      num_skipped = 0;
      if (!Covered(p.user_key, p.sequence)) {
        if (p.type == ValueType::kValue) {
          valid_ = true;
          return;
        }
        if (p.type != ValueType::kDeletion &&
            p.type != ValueType::kSingleDeletion) {
          Unsupported(p.user_key, p.sequence, p.type);
          return;
        }
      }
      saved_key_.Assign(p.user_key);
      skipping = true;
      iter_->Next();
    }
  }

  // Moves the internal iterator to the last entry whose user key is below
  // saved_key_: by Prev steps, then (after kMaxSequentialSkips of them, or
  // at once with seek_now) by one SeekForPrev. Returns false when a
  // malformed key or an internal error stopped it.
  bool MoveBeforeSavedKey(bool seek_now) {
    bool seeked = false;
    if (seek_now) {
      SeekForPrevInternal(saved_key_.slice(), kMaxSequenceNumber,
                          kValueTypeForSeek);
      seeked = true;
    }
    size_t steps = 0;
    ParsedInternalKey p;
    while (iter_->Valid()) {
      if (!ParseCurrent(&p)) return false;
      if (p.user_key.compare(saved_key_.slice()) < 0) return true;
      if (!seeked && ++steps > kMaxSequentialSkips) {
        SeekForPrevInternal(saved_key_.slice(), kMaxSequenceNumber,
                            kValueTypeForSeek);
        seeked = true;
      } else {
        iter_->Prev();
      }
    }
    return iter_->status().ok();
  }

  // Backward from the internal iterator's position (the oldest entry of
  // some user key) to the last user key shown.
  void FindPrevUserEntry() {
    direction_ = Direction::kReverse;
    valid_ = false;
    ParsedInternalKey p;
    while (iter_->Valid()) {
      if (!ParseCurrent(&p)) return;
      if (lower_ && p.user_key.compare(*lower_) < 0) return;
      saved_key_.Assign(p.user_key);
      if (AboveUpper(p.user_key)) {
        if (!MoveBeforeSavedKey(/*seek_now=*/false)) return;
        continue;
      }
      // Walk the versions of saved_key_ from oldest to newest; the last
      // visible one seen decides.
      bool found = false;
      SequenceNumber seq = 0;
      ValueType type = ValueType::kDeletion;
      size_t steps = 0;
      for (;;) {
        if (p.sequence <= read_seq_) {
          found = true;
          seq = p.sequence;
          type = p.type;
          if (type == ValueType::kValue) {
            saved_value_.Assign(iter_->value());
          }
        }
        iter_->Prev();
        if (!iter_->Valid()) break;
        if (!ParseCurrent(&p)) return;
        if (p.user_key != saved_key_.slice()) break;
        if (++steps > kMaxSequentialSkips) {
          // Many versions: seek to the newest visible one instead.
          if (!FindNewestVisibleBySeek(&found, &seq, &type)) return;
          break;
        }
      }
      // An error may have hidden newer versions: show nothing.
      if (!iter_->Valid() && !iter_->status().ok()) return;
      if (!found || Covered(saved_key_.slice(), seq)) continue;
      if (type == ValueType::kValue) {
        valid_ = true;
        return;
      }
      if (type != ValueType::kDeletion && type != ValueType::kSingleDeletion) {
        Unsupported(saved_key_.slice(), seq, type);
        return;
      }
    }
  }

  // For a user key with many versions: reads the newest one visible at
  // read_seq_ by one Seek, then moves before the key. Returns false when a
  // malformed key or an internal error stopped it.
  bool FindNewestVisibleBySeek(bool* found, SequenceNumber* seq,
                               ValueType* type) {
    SeekInternal(saved_key_.slice(), read_seq_, kValueTypeForSeek);
    *found = false;
    if (iter_->Valid()) {
      ParsedInternalKey p;
      if (!ParseCurrent(&p)) return false;
      if (p.user_key == saved_key_.slice()) {
        *found = true;
        *seq = p.sequence;
        *type = p.type;
        if (p.type == ValueType::kValue) {
          saved_value_.Assign(iter_->value());
        }
      }
    } else if (!iter_->status().ok()) {
      return false;
    }
    return MoveBeforeSavedKey(/*seek_now=*/true);
  }

  std::unique_ptr<InternalIterator> iter_;
  const SequenceNumber read_seq_;
  // Null when there are no tombstones.
  const std::shared_ptr<const RangeTombstoneSet> tombstones_;
  const std::optional<std::string> lower_;
  const std::optional<std::string> upper_;
  const std::function<void()> cleanup_;

  Direction direction_ = Direction::kForward;
  bool valid_ = false;
  Status status_;  // This iterator's own error; the internal one's is apart.
  SavedBytes saved_key_;    // User key: current (reverse) or to skip.
  SavedBytes saved_value_;  // Current value (reverse only).
  std::string seek_key_;    // Internal key buffer for seeks.
};

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(
    std::unique_ptr<InternalIterator> internal, SequenceNumber read_seq,
    std::shared_ptr<const RangeTombstoneSet> tombstones,
    const DBIterOptions& options) {
  return std::make_unique<DBIter>(std::move(internal), read_seq,
                                  std::move(tombstones), options);
}

}  // namespace strata
