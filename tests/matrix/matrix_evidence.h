// The I/O evidence of one matrix row, proven from what the recording file
// system saw (env/io_recorder.h), not from what the options promise
// (issue 7, "Evidence checked"; ../shared/ARCHITECTURE.md, FileOptionsFor):
//   - SSTs written by flush and compaction: direct iff
//     use_direct_io_for_flush_and_compaction, else mmap iff
//     allow_mmap_writes, else buffered; compaction inputs and the check read
//     of new tables: direct iff that option; user reads: direct iff
//     use_direct_reads, mmap iff allow_mmap_reads; SstFileWriter output as
//     its own option says, its ingestion read with the flush mode; WAL,
//     MANIFEST, CURRENT, LOG and LOCK never direct (or mmap);
//   - every direct read and write aligned in offset, length and buffer;
//   - compaction input reads are compaction_readahead_size (0 -> 2 MiB)
//     rounded up to the file's alignment, longer only when one block is
//     larger than that, shorter only where they reach the end of the file
//     (the table-open tail read is one of those);
//   - every SST written (flush, compaction, SstFileWriter) is synced after
//     its last write and before the next MANIFEST write; a direct one closes
//     with truncate (to its final size) then fsync;
//   - buffered SSTs of flush and compaction range-sync once past 1 MiB +
//     bytes_per_sync, in page-aligned ranges short of the last 1 MiB (mmap
//     ones may too); direct ones, and any with bytes_per_sync 0, never do;
//   - Statistics counted the same bytes per file kind and mode as the
//     recorder saw; no padding without a direct writer.
// Effective options are used (a fallback over a refusing file system turns
// both direct options off).
//
// Thread-safety: a function of its arguments.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "env/io_recorder.h"
#include "matrix/matrix_runner.h"
#include "strata/statistics.h"

namespace strata::matrix {

struct EvidenceInput {
  bool direct_reads = false;  // Effective options.
  bool direct_flush = false;
  bool mmap_reads = false;
  bool mmap_writes = false;
  bool sst_writer_direct = false;  // How SstFileWriter wrote its file.
  size_t offset_alignment = 4096;  // Of direct files.
  size_t memory_alignment = 4096;
  size_t compaction_readahead = 0;  // As configured (0 = 2 MiB).
  uint64_t bytes_per_sync = 0;
  uint64_t block_size = 4096;
  // The largest key + value the workload wrote: a block can exceed
  // block_size by one entry.
  uint64_t max_entry_bytes = 1024;
};

// Checks every record; failures go to result->Fail, and the byte,
// padding and readahead summaries are filled in.
void CheckIOEvidence(const EvidenceInput& in,
                     const std::vector<IORecord>& records,
                     const Statistics& stats, RowResult* result);

// File sizes seen in the records (GetFileSize results, direct truncates,
// write extents), by path, hard links included.
std::map<std::string, uint64_t> FileSizesFromRecords(
    const std::vector<IORecord>& records);

// Bytes of `path`'s pages (4 KiB, capped at `file_size`) that successful
// buffered or mmap reads and writes touched.
uint64_t TouchedPageBytes(const std::vector<IORecord>& records,
                          const std::string& path, uint64_t file_size);

// "412K", "1.1M", "37".
std::string HumanBytes(uint64_t bytes);

}  // namespace strata::matrix
