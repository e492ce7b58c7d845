// Options of the sorted-table store (DB::Open), and of its reads and writes.
//
// Names and defaults follow RocksDB 7.8.3 where RocksDB has the option, so a
// RocksDB user finds what they expect; where strata differs the comment says
// so. The I/O options decide how each kind of file is opened; the mapping is
// one table (../shared/ARCHITECTURE.md, README "Direct I/O"):
//   - use_direct_reads: SSTs read by Get, MultiGet and iterators.
//   - use_direct_io_for_flush_and_compaction: SSTs written by flush and
//     compaction, and read as compaction inputs or to check a new table
//     (RocksDB 7.8.3 ties compaction reads to use_direct_reads instead; the
//     two agree whenever both options are equal).
//   - the WAL, MANIFEST, CURRENT, LOG and LOCK are always buffered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "strata/cache.h"
#include "strata/env.h"
#include "strata/slice.h"
#include "strata/table_options.h"

namespace strata {

class Snapshot;
class Statistics;

// What Open does with damage found while replaying the WAL.
enum class WALRecoveryMode : uint8_t {
  // A record torn by the end of the last WAL (a crash during a write) is
  // dropped; any other damage fails Open with Corruption. strata's default.
  kTolerateCorruptedTailRecords = 0,
  // Any damage, a torn tail included, fails Open.
  kAbsoluteConsistency = 1,
  // Replay stops at the first damage; everything after it, in this WAL and
  // later ones, is dropped (RocksDB's default).
  kPointInTimeRecovery = 2,
  // Damaged records are skipped; replay continues after them.
  kSkipAnyCorruptedRecords = 3,
};

struct Options {
  // ---- Environment --------------------------------------------------------
  // File system, clock and background threads. Borrowed; must outlive the
  // DB. Tests pass an Env over an in-memory file system and a manual clock.
  Env* env = Env::Default();
  bool create_if_missing = false;
  bool error_if_exists = false;
  // Counters and histograms (RocksDB ticker names); null = not collected.
  std::shared_ptr<Statistics> statistics;

  // ---- File I/O -------------------------------------------------------------
  bool use_direct_reads = false;
  bool use_direct_io_for_flush_and_compaction = false;
  bool allow_mmap_reads = false;
  bool allow_mmap_writes = false;
  // strata only. When a direct option is on and a data directory refuses
  // direct I/O: false (default) fails Open; true opens buffered, writes one
  // warning to the LOG and counts it in Statistics (strata.direct_io.fallback).
  bool direct_io_fallback = false;
  // Readahead of compaction inputs and of the check read of new tables.
  // 0 means 2 MiB (strata's reading of RocksDB's documentation: "if not set,
  // it will be set to 2MB internally"). Mutable.
  size_t compaction_readahead_size = 0;
  // Largest write the WritableFileWriter issues. Must be > 0 with direct
  // writes. Mutable.
  size_t writable_file_max_buffer_size = 1 << 20;
  // Range-sync buffered SSTs every this many bytes (0 = never). Mutable.
  uint64_t bytes_per_sync = 0;
  // The same for the WAL. Mutable.
  uint64_t wal_bytes_per_sync = 0;
  // fsync instead of fdatasync for the WAL and SSTs.
  bool use_fsync = false;
  // The WAL is written to the OS only by FlushWAL() (or when its buffer
  // fills), not after every write.
  bool manual_wal_flush = false;
  WALRecoveryMode wal_recovery_mode =
      WALRecoveryMode::kTolerateCorruptedTailRecords;

  // ---- Background work ------------------------------------------------------
  // Flushes and compactions running at once (one flush at a time; the rest
  // compactions). The Env's pool is grown to at least this many threads.
  int max_background_jobs = 2;
  // > 1: flush and compaction compress (and checksum) data blocks on this
  // many threads of the DB's own while the job keeps building the table
  // (RocksDB's compression_opts.parallel_threads); the files are the same
  // as single-threaded ones. Only used with compression. Immutable.
  int compression_parallel_threads = 1;
  // Flush and compaction outputs hand each full writable_file_max_buffer_size
  // buffer to a DB thread and go on building the table, so building and
  // the write calls overlap (direct files always; buffered files when
  // bytes_per_sync is 0). The files and the order of their write calls are
  // the same either way. strata only. Immutable. Off by default: on 2 cores
  // the extra thread competes with the job and with foreground reads
  // (db_bench fillseq,fillrandom,overwrite,readseq,readseq,compact, none,
  // 1 GiB cache, direct flush: compact 0.35-0.44 s on, 0.29-0.33 off; the
  // first readseq 0.77-1.08 us/op on, 0.46-0.60 off).
  bool background_table_writes = false;
  // Skip the memtable flush at Close (the WAL replays it at the next Open).
  bool avoid_flush_during_shutdown = false;

  // ---- Memtable and levels (mutable unless noted) -------------------------
  size_t write_buffer_size = 64 << 20;
  // Memtables (active + waiting for flush) before writes stop.
  int max_write_buffer_number = 2;
  int level0_file_num_compaction_trigger = 4;
  // Writes are slowed (1 ms per write) at this many L0 files and stopped at
  // the next.
  int level0_slowdown_writes_trigger = 20;
  int level0_stop_writes_trigger = 36;
  uint64_t max_bytes_for_level_base = 256ull << 20;
  double max_bytes_for_level_multiplier = 10;
  uint64_t target_file_size_base = 64ull << 20;
  int target_file_size_multiplier = 1;
  // Cap on the input bytes of one compaction; 0 = 25 * target_file_size_base.
  uint64_t max_compaction_bytes = 0;
  int num_levels = 7;  // Immutable.
  bool disable_auto_compactions = false;

  // ---- Tables -------------------------------------------------------------
  // Format, block size, bloom bits, checksum, compression of new SSTs.
  TableOptions table_options;
  // Shared block cache for user reads; null = a private 32 MiB LRU cache
  // (RocksDB's default 8 MiB is small for a store read with direct I/O).
  std::shared_ptr<Cache> block_cache;
  bool cache_index_and_filter_blocks = false;
  // User iterators: max auto readahead (0 disables it) and its first step.
  size_t max_auto_readahead_size = 256 << 10;
  size_t initial_auto_readahead_size = 8 << 10;
  // Every new SST is opened and read back in full (checksums verified) with
  // the flush/compaction I/O mode before it is added to the tree.
  bool paranoid_file_checks = false;
};

struct ReadOptions {
  // Read as of this snapshot (from DB::GetSnapshot); null = the latest.
  const Snapshot* snapshot = nullptr;
  bool verify_checksums = true;
  // Insert the blocks read into the block cache.
  bool fill_cache = true;
  // Iterators: fixed readahead on every block miss (0 = automatic).
  size_t readahead_size = 0;
  // Iterators (strata): once automatic readahead has started on a table,
  // read its next chunk on a DB thread while the current one is consumed,
  // so the scan overlaps its own processing with the device (direct reads)
  // or with the kernel's copy out of the page cache (buffered reads of data
  // not yet cached). Chunk sizes and I/O modes are those of synchronous
  // readahead. RocksDB's nearest equivalent is async_io (off by default).
  bool background_readahead = true;
  // Iterators: keys in [lower, upper). Borrowed; must outlive the iterator.
  const Slice* iterate_lower_bound = nullptr;
  const Slice* iterate_upper_bound = nullptr;
};

struct WriteOptions {
  // fdatasync (fsync with use_fsync) the WAL before acknowledging.
  bool sync = false;
  // Skip the WAL: the write is lost by a crash before the next flush.
  bool disable_wal = false;  // RocksDB: disableWAL.
};

struct FlushOptions {
  // Wait until the flush is durable in the MANIFEST.
  bool wait = true;
};

struct CompactRangeOptions {
  // Accepted for RocksDB compatibility; strata's manual compactions always
  // run alone against other manual compactions. CompactRange compacts every
  // level above the deepest one holding keys in the range into the next
  // (L0 into L1 when only L0 holds data); the deepest level is not
  // rewritten in place (RocksDB's default, kIfHaveCompactionFilter without
  // a compaction filter).
  bool exclusive_manual_compaction = true;
};

struct IngestExternalFileOptions {
  // Rename the files into the DB instead of hard-linking them.
  bool move_files = false;
  // Read every block of each file (with the flush/compaction I/O mode) and
  // verify its checksum before ingesting. strata verifies by default.
  bool verify_checksums_before_ingest = true;
  // Fail instead of flushing the memtable when it overlaps a file.
  bool allow_blocking_flush = true;
};

}  // namespace strata
