// VectorInternalIterator: an InternalIterator over entries held in memory,
// for tests of the db/ iterators (header-only: only strata_db_test uses it).
//
// Each move copies the current key and value into fresh heap buffers and
// overwrites and frees the previous ones, so a caller that keeps a key() or
// value() Slice past a move reads garbage (AddressSanitizer reports the
// read of freed memory).
// It can count the calls made on it and fail (turn invalid with an error
// status) after a given number of moves.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/internal_iterator.h"
#include "table/internal_key.h"

namespace strata::test {

struct IterCallCounts {
  size_t seeks = 0;  // Seek, SeekForPrev, SeekToFirst, SeekToLast.
  size_t nexts = 0;
  size_t prevs = 0;
};

class VectorInternalIterator final : public InternalIterator {
 public:
  using Entry = std::pair<std::string, std::string>;  // Internal key, value.

  // Sorts `entries` under InternalKeyComparator unless `already_sorted`
  // (use that for entries with malformed keys, in the order to return).
  explicit VectorInternalIterator(std::vector<Entry> entries,
                                  bool already_sorted = false)
      : entries_(std::move(entries)) {
    if (!already_sorted) {
      std::stable_sort(
          entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
            return InternalKeyComparator::Compare(a.first, b.first) < 0;
          });
    }
  }

  // Counts every call into *counts (which must outlive the iterator).
  void set_counts(IterCallCounts* counts) { counts_ = counts; }
  // After `moves` more positioning calls succeed, the next one leaves the
  // iterator invalid with `status`, which then sticks.
  void FailAfterMoves(size_t moves, Status status) {
    moves_before_failure_ = moves;
    failure_ = std::move(status);
  }

  bool Valid() const override { return status_.ok() && pos_ < entries_.size(); }
  void SeekToFirst() override {
    Count(&IterCallCounts::seeks);
    Move(0);
  }
  void SeekToLast() override {
    Count(&IterCallCounts::seeks);
    Move(entries_.empty() ? kEnd : entries_.size() - 1);
  }
  void Seek(Slice target) override {
    Count(&IterCallCounts::seeks);
    Move(LowerBound(target));
  }
  void SeekForPrev(Slice target) override {
    Count(&IterCallCounts::seeks);
    size_t i = UpperBound(target);
    Move(i == 0 ? kEnd : i - 1);
  }
  void Next() override {
    Count(&IterCallCounts::nexts);
    Move(pos_ + 1);
  }
  void Prev() override {
    Count(&IterCallCounts::prevs);
    Move(pos_ == 0 ? kEnd : pos_ - 1);
  }
  Slice key() const override { return Slice(key_.get(), key_size_); }
  Slice value() const override { return Slice(value_.get(), value_size_); }
  Status status() const override { return status_; }

 private:
  static constexpr size_t kEnd = ~size_t{0};

  void Count(size_t IterCallCounts::*field) {
    if (counts_ != nullptr) (counts_->*field)++;
  }

  size_t LowerBound(Slice target) const {
    size_t lo = 0, hi = entries_.size();
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (InternalKeyComparator::Compare(entries_[mid].first, target) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
  size_t UpperBound(Slice target) const {
    size_t lo = 0, hi = entries_.size();
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (InternalKeyComparator::Compare(entries_[mid].first, target) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  void Move(size_t pos) {
    if (!status_.ok()) return;  // Errors stick.
    if (!failure_.ok()) {
      if (moves_before_failure_ == 0) {
        status_ = failure_;
        pos = kEnd;
      } else {
        moves_before_failure_--;
      }
    }
    pos_ = pos >= entries_.size() ? kEnd : pos;
    // Scribble over the old entry so that a stale Slice shows garbage even
    // without AddressSanitizer.
    if (key_) std::memset(key_.get(), '#', key_size_);
    if (value_) std::memset(value_.get(), '#', value_size_);
    key_.reset();
    value_.reset();
    key_size_ = value_size_ = 0;
    if (pos_ != kEnd) {
      key_ = Copy(entries_[pos_].first, &key_size_);
      value_ = Copy(entries_[pos_].second, &value_size_);
    }
  }

  static std::unique_ptr<char[]> Copy(const std::string& s, size_t* size) {
    auto buf = std::make_unique<char[]>(s.size() + 1);
    std::memcpy(buf.get(), s.data(), s.size());
    *size = s.size();
    return buf;
  }

  std::vector<Entry> entries_;
  size_t pos_ = kEnd;
  std::unique_ptr<char[]> key_;
  size_t key_size_ = 0;
  std::unique_ptr<char[]> value_;
  size_t value_size_ = 0;
  IterCallCounts* counts_ = nullptr;
  size_t moves_before_failure_ = 0;
  Status failure_;
  Status status_;
};

}  // namespace strata::test
