#include "db_bench/bench_flags.h"

#include <string>

#include "strata/cache.h"
#include "util/compression.h"

DEFINE_bool(io_report, false,
            "strata: after each benchmark, print the bytes and operations per "
            "file kind and I/O mode and the page-cache residency of the DB's "
            "files (lines start with '#'). Default: on when "
            "--use_direct_reads or --use_direct_io_for_flush_and_compaction "
            "is set, off otherwise.");
DEFINE_string(report_json, "",
              "strata: write the I/O report's figures of every benchmark run "
              "to this file as JSON (schema in db_bench/README.md); empty "
              "means no file.");
DEFINE_bool(direct_io_fallback, false,
            "strata: when a direct option is on and the DB directory refuses "
            "O_DIRECT, open buffered (with a warning) instead of failing.");
DEFINE_bool(background_table_writes, false,
            "strata: flush and compaction hand full output buffers to a DB "
            "thread and go on building the table (false: the job writes "
            "them itself, as RocksDB does).");
DEFINE_bool(background_readahead, true,
            "strata: iterators read their next readahead chunk on a DB "
            "thread while the current one is consumed "
            "(ReadOptions::background_readahead; false: synchronous "
            "readahead, as RocksDB without async_io).");
DEFINE_bool(block_memory_pool, true,
            "strata: blocks put in the block cache get their memory from a "
            "pool of the cache's own (LRUCacheOptions::"
            "use_block_memory_pool; false: malloc, as RocksDB without a "
            "memory allocator).");
DEFINE_uint64(micro_bench_bytes, 0,
              "strata: bytes each micro benchmark processes; 0 means "
              "RocksDB's amounts (5000 MiB for hashes, 1024 MiB for "
              "compress and uncompress).");

namespace strata::bench {

void ApplyIOReportDefault() {
  gflags::CommandLineFlagInfo info;
  const bool given =
      gflags::GetCommandLineFlagInfo("io_report", &info) && !info.is_default;
  if (!given) {
    FLAGS_io_report =
        FLAGS_use_direct_reads || FLAGS_use_direct_io_for_flush_and_compaction;
  }
}

Status CompressionFromFlag(CompressionType* type) {
  if (!ParseCompressionTypeFlag(FLAGS_compression_type, type)) {
    return Status::InvalidArgument(
        "--compression_type=" + FLAGS_compression_type +
        ": unknown (valid: none, snappy, zlib, "
        "bzip2, lz4, lz4hc, xpress, zstd)");
  }
  if (!CompressionTypeSupported(*type)) {
    return Status::NotSupported("--compression_type=" + FLAGS_compression_type +
                                ": not built into this strata");
  }
  return Status::OK();
}

Status TableOptionsFromFlags(TableOptions* table) {
  Status s = CompressionFromFlag(&table->compression);
  if (!s.ok()) return s;
  if (FLAGS_checksum_type < 0 || FLAGS_checksum_type > 4) {
    return Status::InvalidArgument(
        "--checksum_type=" + std::to_string(FLAGS_checksum_type) +
        ": must be 0 to 4");
  }
  if (FLAGS_format_version < 2 || FLAGS_format_version > 5) {
    return Status::InvalidArgument(
        "--format_version=" + std::to_string(FLAGS_format_version) +
        ": strata writes versions 2 to 5");
  }
  if (FLAGS_block_size <= 0) {
    return Status::InvalidArgument(
        "--block_size=" + std::to_string(FLAGS_block_size) +
        ": must be positive");
  }
  table->checksum = static_cast<ChecksumType>(FLAGS_checksum_type);
  table->format_version = static_cast<uint32_t>(FLAGS_format_version);
  table->compression_level = FLAGS_compression_level;
  table->block_size = static_cast<uint64_t>(FLAGS_block_size);
  table->block_restart_interval = FLAGS_block_restart_interval;
  table->index_block_restart_interval = FLAGS_index_block_restart_interval;
  // RocksDB's db_bench: negative means BlockBasedTableOptions' default filter
  // policy, which is none (RocksDB 7.8.3's tables from default flags carry no
  // filter block).
  table->bloom_bits_per_key = FLAGS_bloom_bits < 0 ? 0 : FLAGS_bloom_bits;
  table->block_align = FLAGS_block_align;
  return Status::OK();
}

Status OptionsFromFlags(Options* options) {
  Status s = TableOptionsFromFlags(&options->table_options);
  if (!s.ok()) return s;
  options->create_if_missing = true;
  options->use_direct_reads = FLAGS_use_direct_reads;
  options->use_direct_io_for_flush_and_compaction =
      FLAGS_use_direct_io_for_flush_and_compaction;
  options->allow_mmap_reads = FLAGS_mmap_read;
  options->allow_mmap_writes = FLAGS_mmap_write;
  options->direct_io_fallback = FLAGS_direct_io_fallback;
  options->compaction_readahead_size =
      static_cast<size_t>(FLAGS_compaction_readahead_size);
  options->writable_file_max_buffer_size =
      static_cast<size_t>(FLAGS_writable_file_max_buffer_size);
  options->bytes_per_sync = FLAGS_bytes_per_sync;
  options->wal_bytes_per_sync = FLAGS_wal_bytes_per_sync;
  options->use_fsync = FLAGS_use_fsync;
  options->manual_wal_flush = FLAGS_manual_wal_flush;
  options->max_background_jobs = FLAGS_max_background_jobs;
  options->compression_parallel_threads = FLAGS_compression_parallel_threads;
  options->background_table_writes = FLAGS_background_table_writes;
  options->write_buffer_size = static_cast<size_t>(FLAGS_write_buffer_size);
  options->max_write_buffer_number = FLAGS_max_write_buffer_number;
  options->level0_file_num_compaction_trigger =
      FLAGS_level0_file_num_compaction_trigger;
  options->level0_slowdown_writes_trigger =
      FLAGS_level0_slowdown_writes_trigger;
  options->level0_stop_writes_trigger = FLAGS_level0_stop_writes_trigger;
  options->max_bytes_for_level_base = FLAGS_max_bytes_for_level_base;
  options->max_bytes_for_level_multiplier =
      FLAGS_max_bytes_for_level_multiplier;
  options->target_file_size_base =
      static_cast<uint64_t>(FLAGS_target_file_size_base);
  options->target_file_size_multiplier = FLAGS_target_file_size_multiplier;
  options->max_compaction_bytes = FLAGS_max_compaction_bytes;
  options->num_levels = FLAGS_num_levels;
  options->disable_auto_compactions = FLAGS_disable_auto_compactions;
  options->cache_index_and_filter_blocks = FLAGS_cache_index_and_filter_blocks;
  options->max_auto_readahead_size =
      static_cast<size_t>(FLAGS_max_auto_readahead_size);
  options->initial_auto_readahead_size =
      static_cast<size_t>(FLAGS_initial_auto_readahead_size);
  if (FLAGS_cache_size > 0) {
    LRUCacheOptions cache;
    cache.capacity = static_cast<size_t>(FLAGS_cache_size);
    cache.num_shard_bits = FLAGS_cache_numshardbits;
    cache.high_pri_pool_ratio = FLAGS_cache_high_pri_pool_ratio;
    cache.use_block_memory_pool = FLAGS_block_memory_pool;
    s = NewLRUCache(cache, &options->block_cache);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

std::string IgnoredFlagsSet() {
  std::string ignored;
  for (int i = 0; i < kNumRocksDBFlags; ++i) {
    if (kRocksDBFlags[i].implemented) continue;
    gflags::CommandLineFlagInfo info;
    if (gflags::GetCommandLineFlagInfo(kRocksDBFlags[i].name, &info) &&
        !info.is_default) {
      if (!ignored.empty()) ignored += ", ";
      ignored += kRocksDBFlags[i].name;
    }
  }
  return ignored;
}

}  // namespace strata::bench
