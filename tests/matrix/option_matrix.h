// The option matrix: which combinations of the store's I/O and table options
// the matrix suite runs (issue 7; ../shared/spec/direct-io.md D13-D24).
//
// Axes (values in the order they are listed; a row's name spells every one):
//   the four I/O flags: use_direct_reads x use_direct_io_for_flush_and_
//     compaction x allow_mmap_reads x allow_mmap_writes (all 16; the 8 that
//     validation rejects are rows that expect Open's exact status),
//   direct_io_fallback {off, on, on over a file system refusing O_DIRECT},
//   compaction_readahead_size {0, 4096, 1000003, 2 MiB},
//   writable_file_max_buffer_size {0, 511, 4096, 64 KiB, 1 MiB, 1 MiB + 1},
//   bytes_per_sync {0, 1 MiB}, compression {none, zstd, snappy if built},
//   checksum {crc32c, xxHash, xxHash64, XXH3}, format_version {2, 3, 4, 5},
//   block_size {512, 4096, 16384},
//   file system {real disk, in-memory with alignment 512, 4096, 16384}.
//
// ReducedMatrix() is what the test suite runs: every pair of values of any
// two axes appears in at least one valid row (the four flags count as one
// axis of their 8 valid combinations, so every combination of them, not only
// every triple, is covered), chosen greedily from candidates drawn with a
// fixed seed, so the list is the same on every run and a failure reproduces
// by its name. Rows that Open must reject are added once per invalid flag
// combination (check order S4, S8, S5), plus the zero-buffer rejection (S6).
// FullMatrix*() enumerates the unreduced product (nightly runs, sharded).
//
// Constraints: "fallback over a refusing file system" needs an in-memory
// file system (a real disk cannot be told to refuse O_DIRECT).
//
// Thread-safety: free functions; safe to call concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "strata/options.h"
#include "strata/status.h"
#include "strata/table_options.h"

namespace strata::matrix {

// The seed of the pairwise reduction; printed with every table.
inline constexpr uint64_t kPairwiseSeed = 0x5eed0007;

enum class FsKind : uint8_t { kDisk, kMem512, kMem4096, kMem16384 };
enum class Fallback : uint8_t { kStrict, kOn, kOnRefused };

// One combination. Plain values; Options() turns it into store options.
struct MatrixRow {
  bool direct_reads = false;
  bool direct_flush = false;  // use_direct_io_for_flush_and_compaction.
  bool mmap_reads = false;
  bool mmap_writes = false;
  Fallback fallback = Fallback::kStrict;
  size_t compaction_readahead_size = 0;
  size_t writable_file_max_buffer_size = 1 << 20;
  uint64_t bytes_per_sync = 0;
  CompressionType compression = CompressionType::kNoCompression;
  ChecksumType checksum = ChecksumType::kXXH3;
  uint32_t format_version = 5;
  uint64_t block_size = 4096;
  FsKind fs = FsKind::kMem4096;

  // "DirectReads_DirectFlush_NoMmap_Zstd_XXH3_Fv5_B4096_Align4096_Ra2M_
  // Buf1M_Bps0_Strict": every axis, so distinct rows have distinct names.
  std::string Name() const;
  // The status DB::Open must return, OK for a valid row: S4, then S8, then
  // S5, then S6 (db/db_options.h has the texts).
  Status ExpectedOpenStatus() const;
  bool valid() const { return ExpectedOpenStatus().ok(); }
  // 0 for the real disk (its alignment is found at run time).
  size_t fake_alignment() const;
  bool on_disk() const { return fs == FsKind::kDisk; }
  // The I/O options in effect once Open has applied the fallback: over a
  // refusing file system both direct options are off.
  bool effective_direct_reads() const;
  bool effective_direct_flush() const;
};

// The axes' values, for the generator, the full product and documentation.
struct Axes {
  std::vector<size_t> readahead_sizes;
  std::vector<size_t> max_buffer_sizes;
  std::vector<uint64_t> bytes_per_sync;
  std::vector<CompressionType> compressions;  // Snappy only if built.
  std::vector<ChecksumType> checksums;
  std::vector<uint32_t> format_versions;
  std::vector<uint64_t> block_sizes;
  std::vector<FsKind> file_systems;
  std::vector<Fallback> fallbacks;
};
const Axes& MatrixAxes();

// The rows the suite runs: valid rows covering every pair, then the invalid
// rows. Same result for the same seed.
std::vector<MatrixRow> ReducedMatrix(uint64_t seed = kPairwiseSeed);

// The unreduced product (all 16 flag combinations x every other axis,
// minus rows the constraints exclude), enumerated by index so a nightly job
// can shard it: rows with index % num_shards == shard.
uint64_t FullMatrixSize();
// REQUIRES: index < FullMatrixSize(). *row is unset (false) when the
// combination at `index` violates a constraint.
bool FullMatrixRow(uint64_t index, MatrixRow* row);

// Pairs of axis values the rows cover, out of those a valid row can have
// (for the report: "pairwise coverage 100%").
struct Coverage {
  uint64_t covered_pairs = 0;
  uint64_t coverable_pairs = 0;
};
Coverage PairCoverage(const std::vector<MatrixRow>& rows);

// Store options for the row (the I/O and table axes; the workload sets the
// sizes). env is left for the caller.
Options RowOptions(const MatrixRow& row);

}  // namespace strata::matrix
