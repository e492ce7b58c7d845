// SkipList: the sorted index of a memtable. Keys are opaque byte strings the
// caller encodes (a memtable entry: key and value together), stored inline in
// the list's nodes, which live in an Arena.
//
// Comparator: a copyable functor. `int operator()(const char* a,
// const char* b) const` orders two stored keys (< 0, 0, > 0). Contains, Seek
// and SeekForPrev take any `Target` for which `cmp(const char* stored_key,
// const Target& target)` compares a stored key with the target in the same
// order, so a lookup needs no encoded copy of its key.
//
// Thread-safety: one writer (AllocateKey, Insert) at a time, which the caller
// serializes; any number of readers (Contains, Iterator) run concurrently with
// it and with each other, without locks. A node is fully written before an
// atomic release store links it in and readers follow links with acquire
// loads, so a reader sees each key either not at all or complete.
// Nodes are never removed or changed once linked.
// Ownership and lifetime: the list borrows `arena`, which must outlive it;
// keys and iterators point into the arena and stay valid as long as it does.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>

#include "util/arena.h"

namespace strata {

template <typename Comparator>
class SkipList {
 private:
  struct Node;

 public:
  // 4^12 = 16M: enough levels for the entries of any memtable we build.
  static constexpr int kMaxHeight = 12;
  // One in kBranching nodes of height h also has height h + 1.
  static constexpr int kBranching = 4;

  // Uses `arena` (borrowed; must outlive the list) for every node.
  SkipList(Comparator cmp, Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // Allocates a node (one arena allocation) with room for a key of
  // `key_bytes` bytes and returns where the key goes. The caller writes the
  // key there, then passes the pointer to Insert(). Writer only.
  char* AllocateKey(size_t key_bytes);

  // Links in the node whose key AllocateKey() returned. Writer only.
  // REQUIRES: no key comparing equal to `key` is in the list; each pointer
  // from AllocateKey() is inserted once.
  // Consecutive inserts in ascending order cost one or two comparisons
  // each: the list remembers where the previous insert went.
  void Insert(char* key);

  // True if a key comparing equal to `target` is in the list.
  template <typename Target>
  bool Contains(const Target& target) const;

  // A position in the list. Valid only while the list's arena lives.
  // Not thread-safe itself, but any number of iterators may run concurrently
  // with each other and with the writer; keys inserted while an iterator
  // runs may or may not be seen by it.
  class Iterator {
   public:
    // Not valid until positioned. `list` must outlive the iterator.
    explicit Iterator(const SkipList* list) : list_(list) {}

    bool Valid() const { return node_ != nullptr; }
    // REQUIRES: Valid(). Lives as long as the arena.
    const char* key() const {
      assert(Valid());
      return node_->key();
    }
    // REQUIRES: Valid().
    void Next() {
      assert(Valid());
      node_ = node_->Next(0);
      // A scan is a chain of dependent loads, and nodes sit in the arena in
      // insertion order, so each is a likely cache miss: start loading the
      // one after this while the caller works on this one.
      if (node_ != nullptr) __builtin_prefetch(node_->NextRelaxed(0));
    }
    // REQUIRES: Valid(). O(log n): searches for the predecessor.
    void Prev() {
      assert(Valid());
      node_ = list_->FindLast</*kOrEqual=*/false>(node_->key());
    }
    // The first key >= target.
    template <typename Target>
    void Seek(const Target& target) {
      node_ = list_->FindGreaterOrEqual(target);
    }
    // The last key <= target.
    template <typename Target>
    void SeekForPrev(const Target& target) {
      node_ = list_->FindLast</*kOrEqual=*/true>(target);
    }
    void SeekToFirst() { node_ = list_->head_->Next(0); }
    void SeekToLast() { node_ = list_->FindLastNode(); }

   private:
    const SkipList* list_;
    Node* node_ = nullptr;
  };

 private:
  // A node of height h is h links followed by the key. The links are laid
  // out downward from the Node's address, which is that of the level-0 link:
  // level i is at link(i) = &bottom_ - i, and the key starts right after
  // bottom_, in the same cache line as the link a scan follows.
  struct Node {
    // Before Insert(), the level-0 link is unused and holds the node's
    // height instead (so that a node stores no height field).
    explicit Node(int height)
        : bottom_(reinterpret_cast<Node*>(static_cast<uintptr_t>(height))) {}

    const char* key() const {
      return reinterpret_cast<const char*>(&bottom_ + 1);
    }
    char* key() { return reinterpret_cast<char*>(&bottom_ + 1); }
    static Node* FromKey(char* key) {
      return reinterpret_cast<Node*>(key - sizeof(std::atomic<Node*>));
    }
    int stashed_height() const {
      return static_cast<int>(
          reinterpret_cast<uintptr_t>(bottom_.load(std::memory_order_relaxed)));
    }

    // Acquire: the node loaded is seen fully initialized.
    Node* Next(int level) const {
      return link(level)->load(std::memory_order_acquire);
    }
    // Release: publishes the node `x` to readers that load this link.
    void SetNext(int level, Node* x) {
      link(level)->store(x, std::memory_order_release);
    }
    // Relaxed: for the writer, and for links of a node not yet published.
    Node* NextRelaxed(int level) const {
      return link(level)->load(std::memory_order_relaxed);
    }
    void SetNextRelaxed(int level, Node* x) {
      link(level)->store(x, std::memory_order_relaxed);
    }

   private:
    std::atomic<Node*>* link(int level) const {
      return const_cast<std::atomic<Node*>*>(&bottom_) - level;
    }
    std::atomic<Node*> bottom_;
  };

  Node* NewNode(size_t key_bytes, int height);
  int RandomHeight();
  int max_height() const {
    // Relaxed: a reader that sees a new height before the links at that
    // level finds them null (or, through acquire loads, a complete node) and
    // simply moves down a level.
    return max_height_.load(std::memory_order_relaxed);
  }
  // True if `key` belongs right after splice_[0], so that splice_ holds its
  // predecessors at every level.
  bool SpliceFits(const char* key) const;
  // Fills splice_ with the last node < key at every level.
  void FindSplice(const char* key);
  // The first node >= target, or nullptr.
  template <typename Target>
  Node* FindGreaterOrEqual(const Target& target) const;
  // The last node < target (<= target with kOrEqual), or nullptr.
  template <bool kOrEqual, typename Target>
  Node* FindLast(const Target& target) const;
  // The last node, or nullptr.
  Node* FindLastNode() const;

  const Comparator cmp_;
  Arena* const arena_;
  Node* const head_;  // Of height kMaxHeight; its key is empty and unused.
  std::atomic<int> max_height_{1};
  // Writer only: the predecessors of the last inserted key at every level
  // (head_ at levels >= max_height()).
  Node* splice_[kMaxHeight];
  uint64_t random_state_ = 0x9e3779b97f4a7c15;  // Writer only.
};

template <typename Comparator>
SkipList<Comparator>::SkipList(Comparator cmp, Arena* arena)
    : cmp_(cmp), arena_(arena), head_(NewNode(0, kMaxHeight)) {
  for (int i = 0; i < kMaxHeight; ++i) {
    head_->SetNextRelaxed(i, nullptr);
    splice_[i] = head_;
  }
}

template <typename Comparator>
typename SkipList<Comparator>::Node* SkipList<Comparator>::NewNode(
    size_t key_bytes, int height) {
  constexpr size_t kLinkBytes = sizeof(std::atomic<Node*>);
  char* const memory = arena_->AllocateAligned(kLinkBytes * height + key_bytes);
  for (int i = 0; i < height - 1; ++i) {
    new (memory + kLinkBytes * i) std::atomic<Node*>(nullptr);
  }
  return new (memory + kLinkBytes * (height - 1)) Node(height);
}

template <typename Comparator>
int SkipList<Comparator>::RandomHeight() {
  // xorshift64*: a fast generator is plenty; only the distribution of
  // heights matters.
  random_state_ ^= random_state_ >> 12;
  random_state_ ^= random_state_ << 25;
  random_state_ ^= random_state_ >> 27;
  uint64_t bits = random_state_ * 0x2545f4914f6cdd1dULL;
  static_assert(kBranching == 4, "two random bits per level");
  int height = 1;
  while (height < kMaxHeight && (bits & 3) == 0) {
    ++height;
    bits >>= 2;
  }
  return height;
}

template <typename Comparator>
char* SkipList<Comparator>::AllocateKey(size_t key_bytes) {
  return NewNode(key_bytes, RandomHeight())->key();
}

template <typename Comparator>
bool SkipList<Comparator>::SpliceFits(const char* key) const {
  Node* const before = splice_[0];
  if (before != head_ && cmp_(before->key(), key) >= 0) {
    return false;
  }
  Node* const after = before->NextRelaxed(0);
  return after == nullptr || cmp_(after->key(), key) > 0;
}

template <typename Comparator>
void SkipList<Comparator>::FindSplice(const char* key) {
  Node* x = head_;
  Node* known_greater = nullptr;  // Compared already: >= key.
  for (int level = max_height() - 1; level >= 0; --level) {
    while (true) {
      Node* next = x->NextRelaxed(level);
      if (level > 0) {
        // Where the search goes if `next` is too far: fetching it while
        // `next` is compared overlaps two cache misses (measured: Add and Get
        // of 1M random keys 10-20% faster, memtable_bench).
        __builtin_prefetch(x->NextRelaxed(level - 1));
      }
      if (next == nullptr || next == known_greater ||
          cmp_(next->key(), key) >= 0) {
        known_greater = next;
        break;
      }
      x = next;
    }
    splice_[level] = x;
  }
}

template <typename Comparator>
void SkipList<Comparator>::Insert(char* key) {
  Node* const x = Node::FromKey(key);
  const int height = x->stashed_height();
  assert(height >= 1 && height <= kMaxHeight);
  if (!SpliceFits(key)) {
    FindSplice(key);
  }
  assert(splice_[0]->NextRelaxed(0) == nullptr ||
         cmp_(splice_[0]->NextRelaxed(0)->key(), key) != 0);
  if (height > max_height()) {
    // splice_ is already head_ at the new levels.
    max_height_.store(height, std::memory_order_relaxed);
  }
  for (int i = 0; i < height; ++i) {
    // x is not visible yet: its own links need no ordering. The release
    // store into the predecessor then publishes x with those links.
    x->SetNextRelaxed(i, splice_[i]->NextRelaxed(i));
    splice_[i]->SetNext(i, x);
    splice_[i] = x;
  }
}

template <typename Comparator>
template <typename Target>
bool SkipList<Comparator>::Contains(const Target& target) const {
  Node* x = FindGreaterOrEqual(target);
  return x != nullptr && cmp_(x->key(), target) == 0;
}

template <typename Comparator>
template <typename Target>
typename SkipList<Comparator>::Node* SkipList<Comparator>::FindGreaterOrEqual(
    const Target& target) const {
  Node* x = head_;
  Node* known_greater = nullptr;
  for (int level = max_height() - 1; level >= 0; --level) {
    while (true) {
      Node* next = x->Next(level);
      if (level > 0) {
        __builtin_prefetch(x->NextRelaxed(level - 1));  // As in FindSplice.
      }
      if (next == nullptr || next == known_greater ||
          cmp_(next->key(), target) >= 0) {
        known_greater = next;
        break;
      }
      x = next;
    }
  }
  return known_greater;
}

template <typename Comparator>
template <bool kOrEqual, typename Target>
typename SkipList<Comparator>::Node* SkipList<Comparator>::FindLast(
    const Target& target) const {
  Node* x = head_;
  Node* known_after = nullptr;  // Compared already: past the wanted node.
  for (int level = max_height() - 1; level >= 0; --level) {
    while (true) {
      Node* next = x->Next(level);
      if (next == nullptr || next == known_after) {
        break;
      }
      const int r = cmp_(next->key(), target);
      if (kOrEqual ? r > 0 : r >= 0) {
        known_after = next;
        break;
      }
      x = next;
    }
  }
  return x == head_ ? nullptr : x;
}

template <typename Comparator>
typename SkipList<Comparator>::Node* SkipList<Comparator>::FindLastNode()
    const {
  Node* x = head_;
  for (int level = max_height() - 1; level >= 0; --level) {
    for (Node* next = x->Next(level); next != nullptr; next = x->Next(level)) {
      x = next;
    }
  }
  return x == head_ ? nullptr : x;
}

}  // namespace strata
