// FakeFsState: the state behind FakeFileSystem (env/fake_file_system.h), in
// one object shared by the file system and every file object it opened.
//
// It holds the tree of nodes (inodes: files and directories), each with its
// live and durable form, the page-cache model of each file, the held locks
// and a crash generation that makes pre-crash file objects stale. The
// behaviors themselves are specified in env/fake_file_system.h; this header
// only says which piece of state models what.
//
// Thread-safety: one mutex (mutex()) guards everything but options(), which
// is immutable. Every method and every Node field REQUIRES it held, unless
// said otherwise.
// Ownership: nodes are shared: a directory entry, a durable directory entry
// and an open file object each hold a NodePtr, so an unlinked file lives on
// while it is open (POSIX semantics) and a hard link is two entries sharing
// one node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "env/fake_file_system.h"
#include "strata/file_system.h"
#include "strata/slice.h"

namespace strata {

struct FakeNode;
using FakeNodePtr = std::shared_ptr<FakeNode>;

// A file or a directory.
struct FakeNode {
  explicit FakeNode(bool dir) : is_dir(dir) {}

  const bool is_dir;

  // Files only.
  std::string data;     // What reads see now.
  std::string durable;  // What survives a crash; set by Sync and Fsync.
  // The page cache: index of each resident page -> dirty.
  std::map<uint64_t, bool> pages;

  // Directories only. `durable_children` is what `children` was at the last
  // Directory::Fsync of this directory (empty before the first one).
  std::map<std::string, FakeNodePtr> children;
  std::map<std::string, FakeNodePtr> durable_children;
};

class FakeFsState {
 public:
  // REQUIRES: every size in `options` is a power of two (0 allowed for
  // memory_alignment and hidden_direct_alignment).
  explicit FakeFsState(const FakeFileSystem::Options& options);
  FakeFsState(const FakeFsState&) = delete;
  FakeFsState& operator=(const FakeFsState&) = delete;

  // Immutable; no lock needed. memory_alignment is resolved (never 0).
  const FakeFileSystem::Options& options() const { return options_; }
  // What direct files report and enforce. No lock needed.
  DirectIOAlignment direct_alignment() const;

  std::mutex& mutex() const { return mutex_; }

  // --- Paths ---------------------------------------------------------------
  // The node at `path` through live entries (or, with `durable`, through
  // durable entries only). On failure returns null and sets *err to ENOENT
  // (missing) or ENOTDIR (a component before the last is a file).
  FakeNodePtr Find(std::string_view path, bool durable, int* err) const;
  // The directory that holds `path`'s last component, and that component
  // ("" for "/"). Null with *err as for Find if the parent is missing.
  FakeNodePtr FindParent(std::string_view path, std::string* name,
                         int* err) const;
  // `path` reduced to "/a/b" form (absolute, no ".", "..", or empty
  // components); the key of the lock table. No lock needed.
  static std::string Normalize(std::string_view path);

  // --- Content and page cache of a file node ------------------------------
  // Writes `data` at `offset`, zero-filling any hole; the size becomes at
  // least offset + data.size(). No page-cache effect.
  static void WriteAt(FakeNode* file, uint64_t offset, Slice data);
  // Copies up to n bytes at `offset` into scratch; returns the count (0 at
  // or past the end). No page-cache effect.
  static size_t ReadAt(const FakeNode& file, uint64_t offset, size_t n,
                       char* scratch);
  // Sets the size, zero-filling growth; drops the pages wholly past the new
  // end (the kernel's truncate_pagecache).
  void Resize(FakeNode* file, uint64_t size);
  // Buffered or mmap access to [offset, offset + len): the pages become
  // resident; dirty if `dirty`, else they keep their state.
  void Populate(FakeNode* file, uint64_t offset, uint64_t len, bool dirty);
  // Direct write: the pages overlapping the range are written back and
  // dropped.
  void DropOverlapping(FakeNode* file, uint64_t offset, uint64_t len);
  // Direct read: the dirty pages overlapping the range are written back
  // (they stay resident, now clean).
  void CleanOverlapping(FakeNode* file, uint64_t offset, uint64_t len);
  // posix_fadvise(DONTNEED): drops the clean pages wholly inside
  // [offset, offset + len) (len 0: to the end), and the page holding the
  // end of the file if the range reaches it. Dirty pages stay.
  void DropClean(FakeNode* file, uint64_t offset, uint64_t len);
  // Sync/Fsync: the durable image becomes the content; pages turn clean.
  static void Persist(FakeNode* file);
  // Resident (or, with `dirty_only`, dirty) pages * page_size, capped at
  // the file's size.
  uint64_t CachedBytes(const FakeNode& file, bool dirty_only) const;
  // Every clean page of every file reachable from "/".
  void DropAllCleanPages();

  // --- Power loss ----------------------------------------------------------
  // Reverts the tree to its durable form (see FakeFileSystem::SimulateCrash)
  // and bumps generation(). With `seed`, keeps a random prefix of each
  // file's bytes past its durable size, as documented there.
  void Crash(const uint64_t* seed);
  // Bumped by every crash; file objects opened before it are stale.
  uint64_t generation() const { return generation_; }

  // --- Locks ---------------------------------------------------------------
  // Takes the lock on the normalized `key`; false if it is held. *id
  // identifies this holding for Unlock.
  bool Lock(const std::string& key, uint64_t* id);
  // Releases the holding `id` of `key`; false if it is not held (released
  // already, or lost in a crash).
  bool Unlock(const std::string& key, uint64_t id);

 private:
  // Page indexes overlapping [offset, offset + len); empty if len is 0.
  struct PageRange {
    uint64_t first = 0;
    uint64_t end = 0;  // Exclusive.
  };
  PageRange Overlapping(uint64_t offset, uint64_t len) const;
  // Pages needed to hold `bytes` bytes.
  uint64_t RoundUpPages(uint64_t bytes) const;

  FakeFileSystem::Options options_;
  mutable std::mutex mutex_;
  FakeNodePtr root_;                       // Guarded by mutex_.
  uint64_t generation_ = 0;                // Guarded by mutex_.
  std::map<std::string, uint64_t> locks_;  // key -> holding id; mutex_.
  uint64_t next_lock_id_ = 1;              // Guarded by mutex_.
};

}  // namespace strata
