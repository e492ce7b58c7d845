// TableReader: reads one block-based SST written by strata or by RocksDB
// (format_version 2 to 5; ../shared/spec/sst-format.md section 17).
//
// Open() reads the table's tail once (footer, metaindex, properties,
// range deletions, index and filter usually all lie in the last 512 KiB),
// verifies every one of those blocks' checksums and keeps the index and the
// filter in memory. Data blocks are read on demand through the
// RandomAccessFileReader, with readahead from a FilePrefetchBuffer per
// iterator; nothing here knows whether the file is direct, buffered or
// mapped.
//
// Keys are internal keys (user key + 8-byte trailer). Files with
// rocksdb.external_sst_file.version >= 2 report every key with the file's
// global sequence number, as RocksDB does.
//
// Errors name the file and, for bad blocks, the block offset and size.
// Thread-safety: const methods may be called concurrently; iterators are
// not thread-safe. Ownership: owns the RandomAccessFileReader; iterators
// borrow the TableReader, which must outlive them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "env/file_prefetch_buffer.h"
#include "env/random_access_file_reader.h"
#include "strata/status.h"
#include "table/block.h"
#include "table/block_fetcher.h"
#include "table/block_iter.h"
#include "table/filter_block_reader.h"
#include "table/footer.h"
#include "table/internal_key.h"
#include "table/table_properties.h"

namespace strata {

class TableIterator;

struct TableReaderOptions {
  // One read of this many bytes from the end of the file at open.
  size_t tail_prefetch_bytes = 512 << 10;
};

// Per read or per iterator.
struct TableReadOptions {
  // Verify the checksum of every data block read (index, filter and meta
  // blocks are always verified, at open).
  bool verify_checksums = true;
  // Iterators: 0 = auto readahead (8 KiB doubling to 256 KiB after two
  // sequential block reads); > 0 = that much readahead on every miss.
  size_t readahead_bytes = 0;
  // Compaction-style reads: every miss reads at least
  // compaction_readahead_bytes (0 disables readahead).
  bool for_compaction = false;
  size_t compaction_readahead_bytes = 2 << 20;
};

struct RangeTombstone {
  std::string begin_user_key;
  std::string end_user_key;  // Exclusive.
  SequenceNumber sequence = 0;
};

class TableReader {
 public:
  static Status Open(const TableReaderOptions& options,
                     std::unique_ptr<RandomAccessFileReader> file,
                     uint64_t file_size, std::unique_ptr<TableReader>* result);
  ~TableReader();
  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;

  // The first entry at or after `lookup_key` (an internal key) whose user
  // key equals lookup_key's: for lookup_key = (k, seq, kValueTypeForSeek),
  // the newest version of k visible at seq. *found is false when there is
  // none; the bloom filter is consulted first.
  Status Get(const TableReadOptions& options, Slice lookup_key, bool* found,
             std::string* internal_key, std::string* value) const;

  std::unique_ptr<TableIterator> NewIterator(
      const TableReadOptions& options) const;

  // Reads every block listed in the metaindex and, walking the index, every
  // data block, verifying checksums; data blocks are read with
  // compaction-style readahead of `readahead_bytes`. The first bad block is
  // returned as Corruption naming file, offset and size.
  Status VerifyChecksum(size_t readahead_bytes) const;

  // False only if the filter proves `user_key` is absent.
  bool KeyMayMatch(Slice user_key) const;

  // Approximate file offset where `internal_key` would be: the offset of the
  // data block that may hold it, or the data size past the last one.
  uint64_t ApproximateOffsetOf(Slice internal_key) const;

  const TableProperties& properties() const { return properties_; }
  const Footer& footer() const { return footer_; }
  const std::vector<RangeTombstone>& range_tombstones() const {
    return range_tombstones_;
  }
  bool has_filter() const { return filter_ != nullptr; }
  uint64_t file_size() const { return file_size_; }
  const RandomAccessFileReader& file() const { return *file_; }
  // kDisableGlobalSequenceNumber unless the file carries one.
  SequenceNumber global_seqno() const { return global_seqno_; }

  // For TableIterator.
  const Block& index_block() const { return *index_block_; }
  BlockIterOptions IndexIterOptions() const;
  BlockFetchOptions FetchOptions(bool verify_checksum) const;

 private:
  TableReader(std::unique_ptr<RandomAccessFileReader> file, uint64_t file_size);
  Status ReadProperties(FilePrefetchBuffer* tail, const BlockHandle& handle);
  Status ReadRangeTombstones(FilePrefetchBuffer* tail,
                             const BlockHandle& handle);
  // Verifies the properties block (`raw` = stored bytes + trailer), allowing
  // for a global sequence number written in place (spec section 17 step 3).
  Status CheckPropertiesChecksum(Slice raw) const;

  static constexpr size_t kNoGlobalSeqnoOffset = ~size_t{0};

  std::unique_ptr<RandomAccessFileReader> file_;
  const uint64_t file_size_;
  Footer footer_;
  TableProperties properties_;
  std::unique_ptr<Block> index_block_;
  BlockContents filter_bytes_;  // filter_ points into these.
  std::unique_ptr<FilterBlockReader> filter_;
  BlockHandle properties_handle_;
  // Offset of the global seqno value inside the properties block.
  size_t global_seqno_offset_ = kNoGlobalSeqnoOffset;
  std::vector<BlockHandle> meta_handles_;  // Every metaindex entry.
  std::vector<RangeTombstone> range_tombstones_;
  SequenceNumber global_seqno_ = kDisableGlobalSequenceNumber;
};

}  // namespace strata
