// Runs one row of the option matrix (matrix/option_matrix.h): the workload,
// checked against a std::map model, then the evidence of how every file was
// really read and written (matrix/matrix_evidence.h), page-cache residency,
// checksum verification by strata and by RocksDB's sst_dump.
//
// Workload (small key counts, so a row takes well under a second in memory):
// puts with overwrites, point deletes and a range delete in four flushed
// rounds (auto compaction runs between them), CompactRange, an SST written
// by SstFileWriter (puts and deletes over existing keys) and ingested,
// unflushed writes replayed from the WAL at a reopen, full forward and
// reverse scans, random Gets and a MultiGet, a second CompactRange (the
// ingested file is an input), a last reopen and scan. Flushes and
// compactions never overlap (each Flush is followed by WaitForCompact), so
// "synced before the next MANIFEST write" is exact.
//
// A rejected row only opens: the status must equal the expected one
// byte for byte, and the DB directory must not have been created.
//
// Thread-safety: RunRow may run concurrently for rows with distinct
// scratch directories.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "matrix/option_matrix.h"

namespace strata::matrix {

struct RunConfig {
  // An empty directory on a real disk for this row: the DB of a disk row,
  // and copies of SSTs for sst_dump. Required.
  std::string scratch_dir;
  // RocksDB's sst_dump; empty: the check is skipped (and said so).
  std::string sst_dump;
};

enum class Outcome : uint8_t { kPass, kFail, kSkip };
const char* OutcomeName(Outcome outcome);  // "pass", "FAIL", "skip"

struct RowResult {
  std::string name;
  Outcome outcome = Outcome::kPass;
  // Why the row (or its residency part) was skipped; empty otherwise.
  std::string skip_reason;
  // One line per failed check; empty when the row passed.
  std::vector<std::string> failures;
  double seconds = 0;
  // Evidence, for the table.
  std::string open_status;     // Rejected rows: what Open returned.
  uint64_t alignment = 0;      // Direct I/O offset alignment used.
  std::string write_bytes;     // "flush:D=412K c_out:D=380K wal:B=90K ..."
  std::string read_bytes;      // "c_in:D=800K user:D=310K ..."
  uint64_t padding_bytes = 0;  // Zero padding of direct writes.
  uint64_t rewritten_tail_bytes = 0;
  std::string readahead_sizes;  // Distinct compaction input read lengths.
  std::string residency;        // "sst 0/1.1M wal 56K/56K" or "n/a: ..."
  std::string sst_dump;         // "7 ok" or why not run.

  // Records a failed check (the outcome becomes kFail).
  void Fail(const std::string& what);
};

RowResult RunRow(const MatrixRow& row, const RunConfig& config);

}  // namespace strata::matrix
