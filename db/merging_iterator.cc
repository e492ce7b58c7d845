#include "db/merging_iterator.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "table/internal_key.h"
#include "util/coding.h"

namespace strata {
namespace {

// Keys shorter than a trailer cannot come from a validated source; rather
// than read out of bounds they compare as all user key with a zero trailer
// (the DB iterator above reports them as corruption).
int CompareMalformedKeys(Slice a, Slice b) {
  const bool a_ok = a.size() >= kInternalKeyTrailerSize;
  const bool b_ok = b.size() >= kInternalKeyTrailerSize;
  const Slice a_user = a_ok ? ExtractUserKey(a) : a;
  const Slice b_user = b_ok ? ExtractUserKey(b) : b;
  const int r = a_user.compare(b_user);
  if (r != 0) return r;
  const uint64_t a_trailer = a_ok ? ExtractTrailer(a) : 0;
  const uint64_t b_trailer = b_ok ? ExtractTrailer(b) : 0;
  return a_trailer > b_trailer ? -1 : (a_trailer < b_trailer ? +1 : 0);
}

// InternalKeyComparator::Compare, inlined for the heap's hot loop.
inline int CompareInternalKeys(Slice a, Slice b) {
  if (a.size() < kInternalKeyTrailerSize || b.size() < kInternalKeyTrailerSize)
      [[unlikely]] {
    return CompareMalformedKeys(a, b);
  }
  const size_t a_user = a.size() - kInternalKeyTrailerSize;
  const size_t b_user = b.size() - kInternalKeyTrailerSize;
  const int r = std::memcmp(a.data(), b.data(), std::min(a_user, b_user));
  if (r != 0) return r;
  if (a_user != b_user) return a_user < b_user ? -1 : +1;
  const uint64_t a_trailer = DecodeFixed64(a.data() + a_user);
  const uint64_t b_trailer = DecodeFixed64(b.data() + b_user);
  // Larger trailers (newer entries) first.
  return a_trailer > b_trailer ? -1 : (a_trailer < b_trailer ? +1 : 0);
}

enum class Direction { kForward, kReverse };

class MergingIterator final : public InternalIterator {
 public:
  explicit MergingIterator(
      std::vector<std::unique_ptr<InternalIterator>> children)
      : children_(std::move(children)) {
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return !heap_.empty() && status_.ok(); }
  Slice key() const override {
    assert(Valid());
    return heap_[0].key;
  }
  Slice value() const override {
    assert(Valid());
    return heap_[0].iter->value();
  }
  Status status() const override { return status_; }

  void SeekToFirst() override {
    Reset();
    for (auto& child : children_) {
      child->SeekToFirst();
      Add(child.get());
    }
    Heapify<Direction::kForward>();
  }

  void SeekToLast() override {
    Reset();
    for (auto& child : children_) {
      child->SeekToLast();
      Add(child.get());
    }
    Heapify<Direction::kReverse>();
  }

  void Seek(Slice target) override {
    Reset();
    for (auto& child : children_) {
      child->Seek(target);
      Add(child.get());
    }
    Heapify<Direction::kForward>();
  }

  void SeekForPrev(Slice target) override {
    Reset();
    for (auto& child : children_) {
      child->SeekForPrev(target);
      Add(child.get());
    }
    Heapify<Direction::kReverse>();
  }

  void Next() override {
    assert(Valid());
    if (direction_ != Direction::kForward) {
      SwitchDirection<Direction::kForward>();
    }
    heap_[0].iter->Next();
    FixTop<Direction::kForward>();
  }

  void Prev() override {
    assert(Valid());
    if (direction_ != Direction::kReverse) {
      SwitchDirection<Direction::kReverse>();
    }
    heap_[0].iter->Prev();
    FixTop<Direction::kReverse>();
  }

 private:
  struct Item {
    InternalIterator* iter;
    Slice key;  // iter->key(), cached: no virtual call per comparison.
  };

  // True if `a` belongs above `b` in the heap for direction D.
  template <Direction D>
  static bool Above(const Item& a, const Item& b) {
    const int r = CompareInternalKeys(a.key, b.key);
    return D == Direction::kForward ? r < 0 : r > 0;
  }

  void Reset() {
    heap_.clear();
    status_ = Status::OK();
  }

  // Puts a freshly positioned child in the heap (unordered: Heapify
  // follows) or keeps its error.
  void Add(InternalIterator* child) {
    if (child->Valid()) {
      heap_.push_back(Item{child, child->key()});
    } else {
      KeepError(child);
    }
  }

  void KeepError(const InternalIterator* child) {
    if (status_.ok()) {
      Status s = child->status();
      if (!s.ok()) status_ = std::move(s);
    }
  }

  template <Direction D>
  void Heapify() {
    direction_ = D;
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown<D>(i);
  }

  template <Direction D>
  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    Item item = heap_[i];
    for (;;) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Above<D>(heap_[child + 1], heap_[child])) child++;
      if (!Above<D>(heap_[child], item)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = item;
  }

  // The top child has moved: re-read its key, or drop it when exhausted.
  template <Direction D>
  void FixTop() {
    Item& top = heap_[0];
    if (top.iter->Valid()) {
      top.key = top.iter->key();
    } else {
      KeepError(top.iter);
      top = heap_.back();
      heap_.pop_back();
      if (heap_.empty()) return;
    }
    SiftDown<D>(0);
  }

  // Puts every child but the current one on the D side of key(): forward,
  // at its first entry after key(); reverse, at its last entry before it.
  // The current child stays, and ends up on top of the rebuilt heap.
  template <Direction D>
  void SwitchDirection() {
    InternalIterator* current = heap_[0].iter;
    const Slice target = heap_[0].key;  // Stable: `current` does not move.
    heap_.clear();
    for (auto& owned : children_) {
      InternalIterator* child = owned.get();
      if (child == current) continue;
      if (D == Direction::kForward) {
        child->Seek(target);
        if (child->Valid() && CompareInternalKeys(child->key(), target) == 0) {
          child->Next();
        }
      } else {
        child->SeekForPrev(target);
        if (child->Valid() && CompareInternalKeys(child->key(), target) == 0) {
          child->Prev();
        }
      }
      Add(child);
    }
    heap_.push_back(Item{current, target});
    Heapify<D>();
  }

  std::vector<std::unique_ptr<InternalIterator>> children_;
  std::vector<Item> heap_;  // Capacity: one slot per child, never grows.
  Direction direction_ = Direction::kForward;
  Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children) {
  if (children.empty()) return NewEmptyInternalIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace strata
