// IndexBuilder: builds the index block of a block-based table with index
// type kBinarySearch (index_type 0): one entry per data block, whose key is
// a separator between that block and the next and whose value is the
// block's handle (../shared/spec/sst-format.md section 9). Output is
// byte-identical to RocksDB 7.8.3's ShortenedIndexBuilder:
//   * separators are shortened (FindShortestInternalKeySeparator); the last
//     entry keeps the last key unless kShortenSeparatorsAndSuccessor;
//   * format_version >= 3 stores user keys (the 8-byte trailer dropped)
//     unless some block boundary falls between two entries of one user key;
//     that is decided per file, at Finish;
//   * format_version >= 4 (without block_align) delta-encodes the values.
//
// Protocol: AddIndexEntry* Finish. Call AddIndexEntry once per data block,
// in file order, when the block has been written.
// Thread-safety: not thread-safe.
// Slices: Finish()'s result stays valid until the builder is destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "strata/slice.h"
#include "strata/status.h"
#include "table/block_builder.h"
#include "table/block_handle.h"

namespace strata {

// RocksDB's BlockBasedTableOptions::IndexShorteningMode. Only affects which
// keys are written; readers do not care.
enum class IndexShortening : uint8_t {
  kNoShortening = 0,
  kShortenSeparators = 1,  // RocksDB's default.
  kShortenSeparatorsAndSuccessor = 2,
};

struct IndexBuilderOptions {
  uint32_t format_version = 5;
  // Entries per restart point of the index block (RocksDB's
  // index_block_restart_interval, default 1). REQUIRES: >= 1.
  int restart_interval = 1;
  IndexShortening shortening = IndexShortening::kShortenSeparators;
  // RocksDB's block_align: data blocks padded to pages are not contiguous,
  // so it turns value delta encoding off.
  bool block_align = false;
};

class IndexBuilder {
 public:
  explicit IndexBuilder(const IndexBuilderOptions& options);
  IndexBuilder(const IndexBuilder&) = delete;
  IndexBuilder& operator=(const IndexBuilder&) = delete;

  // Adds the entry for the data block at `handle` whose last internal key
  // is `last_key_in_block`; `first_key_in_next_block` is the first internal
  // key of the next data block, or nullptr after the last one.
  // Returns InvalidArgument (and keeps returning it: errors are sticky) if a
  // key is shorter than 8 bytes, or if values are delta-encoded and the
  // handle does not start right after the previous block's trailer.
  // REQUIRES: Finish() not called; keys in file order.
  Status AddIndexEntry(Slice last_key_in_block,
                       const Slice* first_key_in_next_block,
                       const BlockHandle& handle);

  // Returns the index block contents (uncompressed, no trailer). With no
  // entries at all (a file of range tombstones only) it is the 8-byte empty
  // block. REQUIRES: called once, and no AddIndexEntry error.
  Slice Finish();

  // Values for the properties block. index_key_is_user_key() is final after
  // Finish() (before it, it says what Finish would choose now).
  bool index_key_is_user_key() const { return !key_includes_seq_; }
  bool index_value_is_delta_encoded() const {
    return use_value_delta_encoding_;
  }
  // Uncompressed size of the finished index block ("rocksdb.index.size" is
  // this + 5). REQUIRES: Finish() called.
  size_t index_size() const { return index_size_; }
  size_t num_entries() const { return num_entries_; }

 private:
  const IndexShortening shortening_;
  const bool use_value_delta_encoding_;
  bool key_includes_seq_;
  // Both forms are built as entries arrive, because whether user keys are
  // enough is only known once the last boundary has been seen.
  BlockBuilder internal_key_builder_;
  BlockBuilder user_key_builder_;
  BlockHandle last_handle_;
  bool have_last_handle_ = false;
  size_t num_entries_ = 0;
  size_t index_size_ = 0;
  bool finished_ = false;
  Status status_;
};

}  // namespace strata
