// BlockIter: a bidirectional iterator over the entries of one Block, for
// every block kind of a block-based table (../shared/spec/sst-format.md
// sections 7-9, 11):
//   * data and range-deletion blocks: internal keys, raw values, optional
//     global sequence number, hash-index point lookups (SeekForGet);
//   * index blocks: internal-key or user-key separators; values are
//     BlockHandles, plain (format_version <= 3) or delta-encoded
//     (format_version >= 4), decoded and exposed by handle();
//   * metaindex and properties blocks: bytewise keys, raw values.
//
// Positioning follows the usual rules: Seek finds the first entry >= target,
// SeekForPrev the last entry <= target.
// Corruption: a malformed entry makes the iterator invalid with a Corruption
// status whose message names the offset inside the block; errors are sticky
// (later positioning calls keep it invalid). Malformed bytes never crash the
// process and never produce an entry that was not decoded in full.
// Thread-safety: not thread-safe; distinct iterators over one Block may be
// used concurrently.
// Lifetime: borrows the Block, which must outlive the iterator. key() and
// value() stay valid until the iterator moves or is destroyed.
#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strata/slice.h"
#include "strata/status.h"
#include "table/block.h"
#include "table/block_handle.h"
#include "table/internal_key.h"

namespace strata {

enum class BlockKeyOrder : uint8_t {
  kInternalKey,  // InternalKeyComparator; every key must have >= 8 bytes.
  kBytewise,     // Plain bytewise order (user-key index, metaindex, ...).
};

enum class BlockValueFormat : uint8_t {
  kRaw,          // Normal entries; value() is the raw value.
  kHandle,       // Normal entries whose value is exactly one BlockHandle.
  kDeltaHandle,  // Index entries without value_length (spec section 9.3).
};

struct BlockIterOptions {
  BlockKeyOrder key_order = BlockKeyOrder::kInternalKey;
  BlockValueFormat value_format = BlockValueFormat::kRaw;
  // With a value other than kDisableGlobalSequenceNumber (an ingested file,
  // or one with the external_sst_file.global_seqno property), every key must
  // have sequence number 0 and key() reports this sequence number instead;
  // comparisons use the reported keys. Only with kInternalKey.
  SequenceNumber global_seqno = kDisableGlobalSequenceNumber;
  // The block's bytes were just written (read from the file, decompressed)
  // and sit in the CPU cache: Seek skips the prefetch hints it gives for a
  // block that may be cold (one from the block cache or a mapping), which
  // would only cost instructions.
  bool block_is_hot = false;

  static BlockIterOptions DataBlock(
      SequenceNumber global_seqno = kDisableGlobalSequenceNumber,
      bool block_is_hot = false) {
    return {BlockKeyOrder::kInternalKey, BlockValueFormat::kRaw, global_seqno,
            block_is_hot};
  }
  // From the properties index.key.is.user.key and
  // index.value.is.delta.encoded.
  static BlockIterOptions IndexBlock(bool key_is_user_key,
                                     bool value_is_delta_encoded) {
    return {key_is_user_key ? BlockKeyOrder::kBytewise
                            : BlockKeyOrder::kInternalKey,
            value_is_delta_encoded ? BlockValueFormat::kDeltaHandle
                                   : BlockValueFormat::kHandle,
            kDisableGlobalSequenceNumber, false};
  }
  // Metaindex (values are handles) and properties blocks.
  static BlockIterOptions MetaBlock(bool values_are_handles) {
    return {
        BlockKeyOrder::kBytewise,
        values_are_handles ? BlockValueFormat::kHandle : BlockValueFormat::kRaw,
        kDisableGlobalSequenceNumber, false};
  }
};

class BlockIter {
 public:
  // Starts invalid. REQUIRES: `block` outlives the iterator.
  BlockIter(const Block* block, const BlockIterOptions& options);
  BlockIter(const BlockIter&) = delete;
  BlockIter& operator=(const BlockIter&) = delete;

  bool Valid() const { return current_ < restarts_offset_ && status_.ok(); }
  // OK unless a malformed entry was found (then Corruption).
  const Status& status() const { return status_; }

  void SeekToFirst();
  void SeekToLast();
  // First entry >= target in the block's key order. For kInternalKey the
  // target is an internal key (>= 8 bytes); for a user-key index block pass
  // the user key (ExtractUserKey of an internal target).
  void Seek(Slice target);
  // Last entry <= target.
  void SeekForPrev(Slice target);
  // REQUIRES: Valid().
  void Next();
  void Prev();

  // Point lookup for data blocks (kInternalKey), using the block's hash
  // index when it has one (without one this is Seek and returns true), as
  // RocksDB 7.8.3's DataBlockIter::SeekForGet does. Afterwards:
  //   * returns false: the target's user key is in neither this block nor
  //     any later block of the file; the caller may stop.
  //   * returns true and Valid(): positioned at the first entry >= target
  //     (the caller checks that its user key matches).
  //   * returns true and !Valid(): not in this block; if status() is OK the
  //     caller continues with the next block.
  bool SeekForGet(Slice target);

  // REQUIRES: Valid().
  Slice key() const {
    assert(Valid());
    return options_.global_seqno != kDisableGlobalSequenceNumber
               ? global_key_.slice()
               : key_;
  }
  // The stored value bytes (for kDeltaHandle: the handle or delta bytes).
  Slice value() const { return value_; }
  // The decoded handle. REQUIRES: Valid() and a handle value format.
  const BlockHandle& handle() const { return handle_; }
  // Offset of the current entry inside the block (for messages and tests).
  uint32_t entry_offset() const { return current_; }

 private:
  // Decodes every restart key with RestartKey.
  friend Status BuildRestartKeyPrefixes(const Block& block,
                                        const BlockIterOptions& options,
                                        std::vector<uint64_t>* prefixes,
                                        bool* one_entry_per_restart);

  int Compare(Slice a, Slice b) const;
  // Decodes the header of the entry at `p`; nullptr when a varint is
  // truncated or overlong.
  const char* DecodeEntryHeader(const char* p, const char* limit,
                                uint32_t* shared, uint32_t* non_shared,
                                uint32_t* value_length) const;
  // Key of restart point i, decoded without moving the iterator; false with
  // status_ set on corruption.
  class KeyBuffer;
  bool RestartKey(uint32_t i, KeyBuffer* scratch, Slice* key);
  // Whether the entry at restart point i, whose key RestartKey returned in
  // place as `key`, ends exactly where the next interval (or the entries)
  // begins, i.e. the interval holds only it. False for a malformed entry;
  // sets no status. REQUIRES: no global sequence number (the key is the
  // stored bytes).
  bool RestartEntryFillsInterval(uint32_t i, Slice key) const;
  void SeekToRestartPoint(uint32_t index);
  // Hints the CPU to load restart interval `index`, which a scan follows.
  void PrefetchInterval(uint32_t index);
  // Decodes the entry at next_offset_. False at the end of the block or on
  // corruption (then status_ is set).
  bool ParseNextEntry();
  // ParseNextEntry's steps. EnterEntry moves current_ to next_offset_ and
  // restart_index_ with it; false at the end of the block or on corruption.
  bool EnterEntry(bool* at_restart);
  // Decodes the header of the entry at current_ and checks that its key
  // fits (`previous_key_size`: the key it shares bytes with). Returns where
  // its non-shared key bytes start, or nullptr with status_ set.
  const char* DecodeEntryBounds(bool at_restart, size_t previous_key_size,
                                uint32_t* shared, uint32_t* non_shared,
                                uint32_t* value_length);
  // Corruption (false) unless the value fits before the restart array.
  bool CheckValueBounds(const char* value, uint32_t value_length);
  // Corruption (false) for an internal key at `offset` shorter than its
  // trailer.
  bool CheckInternalKeySize(uint32_t offset, size_t key_size);
  // The checks of an internal key stored at `offset` (its size; with a
  // global sequence number, a stored sequence number of 0) and, with a
  // global sequence number, the key as reported assembled in *reported.
  // False with status_ set on corruption.
  bool CheckInternalKey(uint32_t offset, Slice key, KeyBuffer* reported);
  // CheckInternalKey for the decoded key_, reported in global_key_.
  bool FinishInternalKey() {
    return CheckInternalKey(current_, key_, &global_key_);
  }
  // From a restart point (just after SeekToRestartPoint), moves to the first
  // entry >= target; invalid at the end of the block, on corruption, or
  // when the next entry would start at or after `limit`.
  void ScanTo(Slice target, uint32_t limit);
  // ScanTo's fast path, from a current key smaller than the target that
  // agrees with it on its first `matched` bytes and is smaller at the next,
  // which lies inside the target's first `order_bytes` (those that order
  // keys on their own): passes over the entries that provably stay smaller
  // (sharing more than `matched` bytes with their predecessor, or exactly
  // that many and a smaller byte of their own inside the ordering bytes),
  // checking only their bounds and never assembling their keys, and
  // decodes the next one (true). False when it stops: invalid past `limit`
  // or the end, or corruption.
  bool SkipSmallerEntries(Slice target, size_t order_bytes, size_t matched,
                          uint32_t limit);
  // Where SkipSmallerEntries' quick path ends: the next restart point,
  // `limit`, or the last place a 3-byte entry header fits.
  uint32_t QuickEntriesEnd(uint32_t limit) const;
  void SetCorruption(uint32_t offset, const std::string& detail);
  void Invalidate() { current_ = restarts_offset_; }

  const Block* const block_;
  const BlockIterOptions options_;
  const char* const data_;
  const uint32_t restarts_offset_;
  const uint32_t num_restarts_;

  uint32_t current_;            // Offset of the current entry.
  uint32_t next_offset_ = 0;    // Offset just after it.
  uint32_t restart_index_ = 0;  // Restart interval holding current_.
  // A key assembled from a shared prefix and the entry's own bytes; inline
  // storage for the usual short keys, so a fresh iterator (one per Get)
  // allocates nothing.
  class KeyBuffer {
   public:
    KeyBuffer() = default;
    KeyBuffer(const KeyBuffer&) = delete;
    KeyBuffer& operator=(const KeyBuffer&) = delete;
    // Becomes prefix[0, keep) + suffix[0, n); `prefix` may be data(),
    // `suffix` must not point into the buffer.
    void Assemble(const char* prefix, size_t keep, const char* suffix,
                  size_t n);
    Slice slice() const { return Slice(data_, size_); }
    const char* data() const { return data_; }

   private:
    static constexpr size_t kInlineBytes = 64;
    char inline_[kInlineBytes];
    std::unique_ptr<char[]> heap_;
    char* data_ = inline_;
    size_t capacity_ = kInlineBytes;
    size_t size_ = 0;
  };

  // Current key as stored: points into the block when the entry shares
  // nothing with its predecessor, else into key_buf_.
  Slice key_;
  KeyBuffer key_buf_;
  KeyBuffer global_key_;  // key_ with the global sequence number.
  Slice value_;
  BlockHandle handle_;
  Status status_;
};

// Fills *prefixes with RestartKeyPrefix (table/block.h) of every restart
// key of `block` as BlockIter with `options` decodes it (for kInternalKey,
// of the user key) and checks each restart entry on the way. Corruption
// (inside-the-block message, as BlockIter's) when one is malformed. When
// `one_entry_per_restart` is not null it tells whether every restart
// interval holds exactly one well-formed entry. For
// Block::SetRestartKeyPrefixes(*prefixes, options.key_order ==
// BlockKeyOrder::kInternalKey, *one_entry_per_restart).
Status BuildRestartKeyPrefixes(const Block& block,
                               const BlockIterOptions& options,
                               std::vector<uint64_t>* prefixes,
                               bool* one_entry_per_restart = nullptr);

}  // namespace strata
