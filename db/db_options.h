// The store's option rules in one place: validation at Open and SetOptions
// (RocksDB's exact texts and check order), sanitization, the LOG dump, and
// FileOptionsFor: the only function that says how each kind of file is
// opened (../shared/ARCHITECTURE.md, "db/"; README "Direct I/O").
#pragma once

#include <string>
#include <vector>

#include "strata/file_system.h"
#include "strata/options.h"
#include "strata/status.h"

namespace strata {

// Exact texts (Status::ToString adds "Not implemented: " / "Invalid
// argument: "). Note the trailing spaces, as RocksDB has them.
inline constexpr const char* kMmapReadsDirectReadsMessage =
    "If memory mapped reads (allow_mmap_reads) are enabled then direct I/O "
    "reads (use_direct_reads) must be disabled. ";
inline constexpr const char* kMmapReadsDirectWritesMessage =
    "If memory mapped reads (allow_mmap_reads) are enabled then direct I/O "
    "writes (use_direct_io_for_flush_and_compaction) must be disabled. ";
inline constexpr const char* kMmapWritesDirectWritesMessage =
    "If memory mapped writes (allow_mmap_writes) are enabled then direct I/O "
    "writes (use_direct_io_for_flush_and_compaction) must be disabled. ";
inline constexpr const char* kDirectWritesZeroBufferMessage =
    "writes in direct IO require writable_file_max_buffer_size > 0";
inline constexpr const char* kDirectIONotSupportedMessage =
    "Direct I/O is not supported by the specified DB.";

// Readahead used for compaction inputs when compaction_readahead_size is 0.
inline constexpr size_t kDefaultCompactionReadaheadBytes = 2 << 20;

// Checks, in this order, returning the first failure: mmap reads + direct
// reads (S4), mmap reads + direct flush/compaction (S8), mmap writes +
// direct flush/compaction (S5), direct writes with a zero writer buffer
// (S6); then the numeric options (num_levels >= 2, write_buffer_size > 0,
// max_write_buffer_number >= 1, triggers >= 1, multiplier > 0, ...).
Status ValidateOptions(const Options& options);

// Fills defaults (a block cache when none was given; max_background_jobs at
// least 1; L0 stop >= slowdown >= compaction trigger, as RocksDB adjusts).
Options SanitizeOptions(const Options& options);

// The effective compaction readahead: 0 means 2 MiB.
size_t EffectiveCompactionReadahead(const Options& options);

// How a file of `kind` is opened under `options`:
//   kTableFlush, kTableCompactionOutput: direct iff
//     use_direct_io_for_flush_and_compaction; else mmap iff
//     allow_mmap_writes; else buffered (bytes_per_sync applies).
//   kTableCompactionInput, kTableVerify: direct iff
//     use_direct_io_for_flush_and_compaction; else buffered.
//   kTableUserRead: direct iff use_direct_reads; mmap iff allow_mmap_reads.
//   kTableExternal (ingestion copies and their verification): the
//     flush/compaction mode, for writing and for reading.
//   kWal (wal_bytes_per_sync), kManifest, kCurrent, kInfoLog, kLock,
//     kTemp, kOther: always buffered.
FileOptions FileOptionsFor(FileKind kind, const Options& options);

// One "Options.<name>: <value>" line per option, as the LOG shows them.
std::vector<std::string> DescribeOptions(const Options& options);

// Applies RocksDB-named mutable options to *options (validating the result
// with ValidateOptions); InvalidArgument naming the first unknown or
// immutable name or bad value, and *options unchanged then.
Status ApplyMutableOptions(
    const std::vector<std::pair<std::string, std::string>>& changes,
    Options* options);

}  // namespace strata
