// option_matrix: runs the store's option matrix (tests/matrix, issue 7) and
// prints it as one table: a row per combination of I/O and table options
// with pass/fail, bytes per file kind and I/O mode, padding, compaction read
// sizes, page-cache residency and RocksDB's sst_dump verdict.
//
//   option_matrix                      the reduced (pairwise) matrix
//   option_matrix --full [--shard=3/16] the unreduced product (nightly)
//   option_matrix --filter=DirectReads_DirectFlush --list
//   option_matrix --results_dir=DIR    only print the table of the results
//                                      strata_matrix_test wrote into DIR
//
// Exit status: 0 when every row that ran passed or was skipped (with its
// reason), 1 when a row failed, 2 on a usage error. --results_dir prints
// the table and exits 0 (the rows themselves are the tests).
#include "tests/matrix/option_matrix.h"

#include <gflags/gflags.h>

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/matrix/matrix_report.h"
#include "tests/matrix/matrix_runner.h"

DEFINE_bool(full, false,
            "Run the unreduced product of every axis instead of the "
            "pairwise-reduced matrix (about a million rows: shard it).");
DEFINE_string(shard, "0/1",
              "i/n: run only rows whose index % n == i (with --full or not).");
DEFINE_string(filter, "", "Run only rows whose name contains this.");
DEFINE_bool(list, false, "Print the selected rows' names and stop.");
DEFINE_string(results_dir, "",
              "Print the table from the per-row results strata_matrix_test "
              "wrote into this directory; run nothing.");
DEFINE_string(output, "", "Also write the table to this file.");
DEFINE_string(scratch, STRATA_MATRIX_SCRATCH_ROOT,
              "Real-disk directory for the rows' scratch directories (not "
              "tmpfs: direct I/O and residency mean nothing there).");
DEFINE_string(sst_dump, STRATA_MATRIX_SST_DUMP,
              "RocksDB's sst_dump (empty: skip that check).");

namespace strata::matrix {
namespace {

bool ParseShard(const std::string& s, uint64_t* index, uint64_t* count) {
  const size_t slash = s.find('/');
  if (slash == std::string::npos) return false;
  char* end = nullptr;
  *index = std::strtoull(s.c_str(), &end, 10);
  if (end != s.c_str() + slash) return false;
  *count = std::strtoull(s.c_str() + slash + 1, &end, 10);
  return *end == '\0' && *count > 0 && *index < *count;
}

void Emit(const std::string& table) {
  std::fputs(table.c_str(), stdout);
  if (!FLAGS_output.empty()) {
    std::ofstream out(FLAGS_output, std::ios::trunc);
    out << table;
    if (!out) std::fprintf(stderr, "cannot write %s\n", FLAGS_output.c_str());
  }
}

int Main() {
  uint64_t shard = 0, shards = 1;
  if (!ParseShard(FLAGS_shard, &shard, &shards)) {
    std::fprintf(stderr, "--shard must be i/n with i < n, not '%s'\n",
                 FLAGS_shard.c_str());
    return 2;
  }

  if (!FLAGS_results_dir.empty()) {
    const std::vector<MatrixRow> rows = ReducedMatrix();
    std::vector<RowResult> results(rows.size());
    std::vector<const RowResult*> found(rows.size(), nullptr);
    for (size_t i = 0; i < rows.size(); ++i) {
      if (ReadResultFile(FLAGS_results_dir, rows[i].Name(), &results[i])) {
        found[i] = &results[i];
      }
    }
    Emit(FormatTable(rows, found, "option matrix (strata_matrix_test)"));
    return 0;
  }

  // Select the rows.
  std::vector<MatrixRow> rows;
  if (FLAGS_full) {
    for (uint64_t i = shard; i < FullMatrixSize(); i += shards) {
      MatrixRow row;
      if (FullMatrixRow(i, &row) &&
          row.Name().find(FLAGS_filter) != std::string::npos) {
        rows.push_back(row);
      }
    }
  } else {
    const std::vector<MatrixRow> all = ReducedMatrix();
    for (uint64_t i = shard; i < all.size(); i += shards) {
      if (all[i].Name().find(FLAGS_filter) != std::string::npos) {
        rows.push_back(all[i]);
      }
    }
  }
  if (FLAGS_list) {
    for (const MatrixRow& row : rows) std::printf("%s\n", row.Name().c_str());
    return 0;
  }

  std::error_code ec;
  std::filesystem::create_directories(FLAGS_scratch, ec);
  std::vector<RowResult> results;
  results.reserve(rows.size());
  bool failed = false;
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string dir = FLAGS_scratch + "/row" + std::to_string(i);
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir, ec);
    RunConfig config;
    config.scratch_dir = dir;
    config.sst_dump = FLAGS_sst_dump;
    results.push_back(RunRow(rows[i], config));
    std::filesystem::remove_all(dir, ec);
    const RowResult& r = results.back();
    failed = failed || r.outcome == Outcome::kFail;
    std::fprintf(stderr, "[%zu/%zu] %s %s %.2f s\n", i + 1, rows.size(),
                 OutcomeName(r.outcome), r.name.c_str(), r.seconds);
  }
  std::vector<const RowResult*> found;
  for (const RowResult& r : results) found.push_back(&r);
  Emit(FormatTable(
      rows, found,
      FLAGS_full ? "option matrix (full product, shard " + FLAGS_shard + ")"
                 : "option matrix"));
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace strata::matrix

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "runs strata's option matrix and prints it as a table "
      "(see docs/option_matrix.md)");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return strata::matrix::Main();
}
