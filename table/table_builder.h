// TableBuilder: writes one block-based SST, byte-compatible with RocksDB
// 7.8.3 (../shared/spec/sst-format.md sections 4-16).
//
// Layout written: data blocks, [filter], index, [range deletions],
// properties, metaindex, footer (section 4). Data blocks are cut by the
// block_size / block_size_deviation rule of section 8, so the output is
// byte-identical to RocksDB's for the same input and options (except the
// random session id property, which the caller supplies).
//
// The builder only appends to a WritableFileWriter and never flushes it: the
// writer writes when its buffer is full and at Close(), so a direct-I/O table
// goes out in writable_file_max_buffer_size pieces with one padded tail. It
// does not know whether the I/O is direct.
//
// Protocol: (Add | AddRangeTombstone)* (Finish | Abandon). After Finish the
// caller syncs and closes the writer. Errors are sticky: the first one is
// returned by every later call.
// Ownership: borrows the writer, which must outlive the builder.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <string>

#include "env/writable_file_writer.h"
#include "strata/executor.h"
#include "strata/status.h"
#include "strata/table_options.h"
#include "table/block_builder.h"
#include "table/block_handle.h"
#include "table/data_block_hash_index.h"
#include "table/filter_block_builder.h"
#include "table/flush_block_policy.h"
#include "table/index_builder.h"
#include "table/table_properties.h"
#include "util/checksum.h"
#include "util/compression.h"

namespace strata {

struct TableBuilderOptions {
  uint32_t format_version = 5;  // 2 to 5.
  ChecksumType checksum_type = ChecksumType::kXXH3;
  CompressionType compression = CompressionType::kNoCompression;
  int compression_level = kDefaultCompressionLevel;
  size_t block_size = 4096;
  int block_size_deviation = 10;  // Percent.
  int block_restart_interval = 16;
  int index_block_restart_interval = 1;
  // Full bloom filter over user keys; 0 builds none.
  double bloom_bits_per_key = 0;
  DataBlockIndexType data_block_index_type = DataBlockIndexType::kBinarySearch;
  double data_block_hash_table_util_ratio = kDefaultHashIndexUtilRatio;
  // With an executor and parallel_threads > 1, data blocks are compressed
  // and checksummed on the executor (up to 8 * parallel_threads blocks in
  // flight) while the caller keeps adding; they are written in order, so
  // the file is byte-identical to a single-threaded build. Borrowed.
  Executor* executor = nullptr;
  int parallel_threads = 1;
  // Add() checks that internal keys strictly increase. A caller that has
  // already checked a stronger order (SstFileWriter: strictly increasing
  // user keys, all at seqno 0) may turn the second check off.
  bool check_key_order = true;
  // TableOptions::block_align.
  bool block_align = false;
  // Identity and provenance copied into the properties block: db_id,
  // db_session_id, db_host_id, column family, times, original_file_number,
  // is_external / external_sst_file_version. Counts and sizes are computed.
  TableProperties identity;
};

// The format settings of `table` (format version, checksum, compression,
// block sizes and restart intervals, bloom bits); everything else default.
TableBuilderOptions TableBuilderOptionsFor(const TableOptions& table);

// The metaindex name of a full bloom filter.
inline constexpr char kFullFilterBlockName[] =
    "fullfilter.rocksdb.BuiltinBloomFilter";

class TableBuilder {
 public:
  // Checks the options; a bad one makes status() (and every call) fail with
  // InvalidArgument or NotSupported naming it and the file.
  TableBuilder(const TableBuilderOptions& options, WritableFileWriter* file);
  ~TableBuilder();
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  // Adds a point entry. REQUIRES: internal keys strictly increasing under
  // InternalKeyComparator (else InvalidArgument showing both keys).
  Status Add(Slice internal_key, Slice value);
  // Adds a range tombstone [begin, end) of user keys at `sequence`. Stored in
  // call order in the range-deletion block.
  Status AddRangeTombstone(Slice begin_user_key, Slice end_user_key,
                           uint64_t sequence);
  // Writes the remaining blocks and the footer. The file is complete once
  // the writer is closed.
  Status Finish();
  // Stops without writing anything more; the caller deletes the file.
  void Abandon();

  Status status() const { return status_; }
  uint64_t num_entries() const { return props_.num_entries; }
  // Bytes written so far (the file size after Finish).
  uint64_t file_size() const { return offset_; }
  // Complete after Finish.
  const TableProperties& properties() const { return props_; }

 private:
  // Writes the open data block (or queues it for the executor) and
  // remembers what its index entry needs. `next_key` is the first key of the
  // next block; null for the last block.
  Status FlushDataBlock(const Slice* next_key);
  // A data block on its way through the executor.
  struct PendingBlock {
    std::string raw;
    std::string stored;  // Compressed, or empty if stored raw.
    CompressionType type = CompressionType::kNoCompression;
    std::string last_key;
    std::string next_key;
    bool has_next_key = false;
    std::future<void> done;
  };
  // Writes queued blocks in order: the first `must_write` ones (waiting for
  // their compression), then any that are already compressed.
  Status DrainPendingBlocks(size_t must_write);
  // Queue depth per compression thread: deep enough that a thread never
  // idles while the caller writes a block, small enough to bound memory
  // (a few raw and compressed block copies per thread).
  static constexpr size_t kBlocksInFlightPerThread = 8;
  // Writes one data block and adds its index entry.
  Status WriteDataBlock(PendingBlock* block);
  // Zero-pads after a data block under block_align.
  Status PadDataBlock(const BlockHandle& handle);
  // Writes `raw` (compressed if allowed and worth it) and its trailer.
  Status WriteBlock(Slice raw, bool compressible, BlockHandle* handle);
  Status WriteRawBlock(Slice stored, CompressionType type,
                       BlockHandle* handle);
  Status Fail(Status s);

  const TableBuilderOptions options_;
  WritableFileWriter* const file_;
  Status status_;
  uint64_t offset_ = 0;

  BlockBuilder data_block_;
  FlushBlockPolicy flush_policy_;  // Reads data_block_'s size estimates.
  BlockBuilder range_del_block_;
  IndexBuilder index_builder_;
  std::unique_ptr<FilterBlockBuilder> filter_builder_;
  Compressor compressor_;
  std::string compressed_;  // Scratch for compressed blocks.

  std::string last_key_;
  // Data blocks queued on the executor, oldest first.
  std::deque<std::unique_ptr<PendingBlock>> pending_blocks_;

  TableProperties props_;
  bool finished_ = false;
};

}  // namespace strata
