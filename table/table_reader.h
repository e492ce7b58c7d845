// TableReader: reads one block-based SST written by strata or by RocksDB
// (format_version 2 to 5; ../shared/spec/sst-format.md section 17).
//
// Open() reads the table's tail once (footer, metaindex, properties,
// range deletions, index and filter usually all lie in the last 512 KiB),
// verifies every one of those blocks' checksums and keeps the index and the
// filter in memory. Data blocks are read on demand through the
// RandomAccessFileReader, with readahead from a FilePrefetchBuffer per
// iterator; nothing here knows whether the file is direct, buffered or
// mapped. MultiGet reads the blocks a batch of keys needs with one
// MultiRead.
//
// Statistics (TableReaderOptions::statistics): block cache hits, misses and
// adds (data blocks also under the _DATA_ tickers), bloom filter results
// (useful = the filter ruled a key out; full positive = it did not; true
// positive = ... and the key was there) and, when an iterator or a checksum
// verification finishes, the readahead its prefetch buffer did.
//
// Keys are internal keys (user key + 8-byte trailer). Files with
// rocksdb.external_sst_file.version >= 2 report every key with the file's
// global sequence number, as RocksDB does.
//
// Errors name the file and, for bad blocks, the block offset and size.
// Thread-safety: const methods may be called concurrently; iterators are
// not thread-safe. A Get that keeps no block (no block cache to fill)
// reads it into a buffer owned by the calling thread and reused by that
// thread's later Gets, so concurrent Gets share no memory and allocate none
// (buffered, mmap and direct files alike). Ownership:
// owns the RandomAccessFileReader; iterators borrow the TableReader, which
// must outlive them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "env/file_prefetch_buffer.h"
#include "env/random_access_file_reader.h"
#include "strata/cache.h"
#include "strata/statistics.h"
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
  // Data blocks are cached here (null: no block cache; with direct reads
  // this is the only cache there is).
  std::shared_ptr<Cache> block_cache;
  // Put the index and filter blocks in block_cache too, at high priority,
  // so their memory is charged to it; the reader keeps them pinned for its
  // lifetime. Otherwise the reader owns them outside any cache.
  bool cache_index_and_filter_blocks = false;
  // When set, every key reads with this sequence number, whatever the file's
  // properties say: the store records an ingested file's global sequence
  // number in its MANIFEST instead of rewriting the file.
  SequenceNumber global_seqno = kDisableGlobalSequenceNumber;
  // Where to count block cache, bloom filter and readahead events; null
  // counts nothing. Must outlive the reader.
  Statistics* statistics = nullptr;
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
  // Insert blocks read from the file into the block cache (a cache hit is
  // used either way). Off for scans that would only evict hotter blocks.
  bool fill_cache = true;
  // Auto and compaction readahead: read the next chunk on this executor
  // (FilePrefetchBuffer's background readahead). Borrowed.
  Executor* readahead_executor = nullptr;
  // Compaction reads with a readahead_executor: a scan from SeekToFirst has
  // its data blocks read, verified and decompressed up to this many bytes
  // ahead on that executor (DecodeAhead). 0: every block is read inline.
  size_t decode_ahead_bytes = 0;
};

// A data block, pinned in the block cache or owned by the holder.
class BlockRef {
 public:
  const Block* get() const {
    return handle_ ? handle_.value<Block>() : owned_.get();
  }
  explicit operator bool() const { return get() != nullptr; }
  void Reset() {
    handle_.Reset();
    owned_.reset();
  }
  void Pin(CacheHandle handle) {
    owned_.reset();
    handle_ = std::move(handle);
  }
  void Own(std::unique_ptr<Block> block) {
    handle_.Reset();
    owned_ = std::move(block);
  }

 private:
  CacheHandle handle_;
  std::unique_ptr<Block> owned_;
};

// One key of a TableReader::MultiGet batch.
struct TableGetRequest {
  Slice lookup_key;  // In: as TableReader::Get's; must stay valid.
  // Out: as Get's, written only when `found`. REQUIRES: not null.
  std::string* internal_key = nullptr;
  std::string* value = nullptr;
  bool found = false;  // Out.
  Status status;       // Out: what Get would have returned.
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
  // none; the bloom filter is consulted first. `internal_key` may be null;
  // when `trailer` is not null it receives the found key's last 8 bytes
  // (sequence number and type; the user key is lookup_key's), so a caller
  // needing only those copies no key.
  Status Get(const TableReadOptions& options, Slice lookup_key, bool* found,
             std::string* internal_key, std::string* value,
             uint64_t* trailer = nullptr) const;

  // Get for a batch of keys, answering each exactly as Get would. The bloom
  // filter and the index are consulted per key; every data block the batch
  // needs that is not in the block cache is read with a single
  // RandomAccessFileReader::MultiRead (each block once, however many keys it
  // serves; under direct I/O adjacent blocks share one aligned read; a lone
  // missing block, or a batch of one key, takes Get's plain read), its
  // checksum verified per options.verify_checksums and, per
  // options.fill_cache, inserted into the cache. Only keys whose newest
  // visible version may begin the next block (Get's "continue with the next
  // block") need another round, itself one MultiRead. An error reading or
  // parsing a block goes to the status of each key that needed it.
  void MultiGet(const TableReadOptions& options, TableGetRequest* requests,
                size_t num_requests) const;

  std::unique_ptr<TableIterator> NewIterator(
      const TableReadOptions& options) const;

  // Reads every block listed in the metaindex and, walking the index, every
  // data block, verifying checksums; data blocks are read with
  // compaction-style readahead of `readahead_bytes`. The first bad block is
  // returned as Corruption naming file, offset and size.
  Status VerifyChecksum(size_t readahead_bytes,
                        Executor* readahead_executor = nullptr) const;

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

  // Reads the data block at `handle`: from the block cache when it is
  // there, else from the file (through `prefetch` when given), inserting it
  // into the cache when options.fill_cache.
  Status ReadDataBlock(const TableReadOptions& options,
                       FilePrefetchBuffer* prefetch, const BlockHandle& handle,
                       BlockRef* block) const;

  // Adds the readahead of a finished user of `prefetch` (an iterator, a
  // checksum verification) to the statistics: READAHEAD_BYTES (bytes read
  // beyond requests), READAHEAD_BYTES_WASTED (of those, never served, the
  // buffer's unserved contents included) and READAHEAD_BYTES_USED (the
  // rest).
  void RecordReadahead(const FilePrefetchBuffer& prefetch) const;
  Statistics* statistics() const { return options_.statistics; }

  // For TableIterator.
  const Block& index_block() const { return *index_block_.get(); }
  BlockIterOptions IndexIterOptions() const;
  BlockFetchOptions FetchOptions(bool verify_checksum) const;
  // FetchOptions for data blocks read with `options`: those that will be
  // kept in the block cache get their memory from its allocator.
  BlockFetchOptions DataBlockFetchOptions(const TableReadOptions& options) const;

 private:
  TableReader(const TableReaderOptions& options,
              std::unique_ptr<RandomAccessFileReader> file,
              uint64_t file_size);
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
  // Cache keys: this reader's id (fixed64) + the block's offset (varint).
  static constexpr size_t kMaxCacheKeyLength = 8 + 10;
  // The cache key of the block at `offset`, built in `buf` (at least
  // kMaxCacheKeyLength bytes): no allocation on the Get path.
  Slice CacheKey(uint64_t offset, char* buf) const;
  // A cache hit for a data block pins it in *block (true); counts the hit
  // or the miss.
  bool LookupDataBlock(Cache* cache, Slice key, BlockRef* block) const;
  // Keeps a data block read from the file: in the cache (pinned in *block)
  // when `cache` and options.fill_cache allow, else owned by *block.
  void KeepDataBlock(const TableReadOptions& options, Cache* cache, Slice key,
                     std::unique_ptr<Block> parsed, BlockRef* block) const;
  // ReadDataBlock after a cache miss (`cache_key`: the block's, when there
  // is a cache).
  Status ReadAndKeepDataBlock(const TableReadOptions& options,
                              FilePrefetchBuffer* prefetch,
                              const BlockHandle& handle, Slice cache_key,
                              BlockRef* block) const;
  // Larger blocks are read into memory of their own even when not kept, so
  // that a rare huge block does not stay allocated in a thread's buffer.
  static constexpr uint64_t kMaxTransientBlockBytes = 256 << 10;
  // ReadDataBlock for Get. A block that will not be kept (no block cache,
  // or options.fill_cache off and a cache miss) is read into a buffer
  // reused by every Get on this thread and parsed into *transient, with no
  // allocation; it stays valid until this thread's next read of a data
  // block for a Get. Other blocks are pinned or owned by *kept. *block
  // points at the one used; *block_is_hot tells whether reading it has just
  // brought its bytes into the CPU cache (see BlockIterOptions).
  Status ReadDataBlockForGet(const TableReadOptions& options,
                             const BlockHandle& handle, BlockRef* kept,
                             std::optional<Block>* transient,
                             const Block** block, bool* block_is_hot) const;
  // Counts an insert into the block cache that did or did not succeed.
  void RecordCacheInsert(bool inserted, size_t charge) const;
  // KeyMayMatch, counting the filter's answer.
  bool FilterMayMatch(Slice user_key) const;
  // Get's step in one data block: positions at lookup_key; fills the
  // outputs when its user key is there; *next_block when the newest visible
  // version may begin the next block. `block_is_hot`: as BlockIterOptions'.
  Status GetFromBlock(const Block& block, bool block_is_hot,
                      const BlockHandle& handle, Slice lookup_key, bool* found,
                      std::string* internal_key, std::string* value,
                      uint64_t* trailer, bool* next_block) const;
  void RecordTick(Tickers ticker, uint64_t count = 1) const {
    if (options_.statistics != nullptr) {
      options_.statistics->recordTick(ticker, count);
    }
  }
  // Keeps `block` as the index, in the cache when so configured.
  void SetIndexBlock(std::unique_ptr<Block> block);
  // Keeps the filter (bytes + parsed reader), in the cache when so
  // configured.
  void SetFilter(BlockContents bytes);

  struct Filter {
    BlockContents bytes;  // `reader` points into these.
    std::unique_ptr<FilterBlockReader> reader;
  };

  const TableReaderOptions options_;
  uint64_t cache_id_ = 0;
  BlockRef index_block_;
  CacheHandle filter_pin_;               // When the filter is in the cache.
  std::unique_ptr<Filter> owned_filter_;  // Otherwise.
  const FilterBlockReader* filter_ = nullptr;
  uint64_t filter_offset_ = 0;
  BlockHandle properties_handle_;
  // Offset of the global seqno value inside the properties block.
  size_t global_seqno_offset_ = kNoGlobalSeqnoOffset;
  std::vector<BlockHandle> meta_handles_;  // Every metaindex entry.
  std::vector<RangeTombstone> range_tombstones_;
  SequenceNumber global_seqno_ = kDisableGlobalSequenceNumber;
};

}  // namespace strata
