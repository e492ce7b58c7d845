// The option matrix (issue 7): one test per combination of I/O and table
// options, named by its values (OptionMatrix/Row.Run/DirectReads_DirectFlush_
// NoMmap_Zstd_XXH3_Fv5_B4096_Align4096_...), each running the workload of
// matrix/matrix_runner.h against a std::map model and checking the evidence
// of how every file was read and written. Each row also writes its result
// to the build tree, from which ctest's matrix.Table prints the whole table.
//
// The other tests here check the matrix itself: stable, unique names,
// every flag combination, every pair of values covered.
#include "matrix/option_matrix.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "matrix/matrix_report.h"
#include "matrix/matrix_runner.h"
#include "testutil/testutil.h"

namespace strata::matrix {
namespace {

class Row : public ::testing::TestWithParam<MatrixRow> {};

TEST_P(Row, Run) {
  test::ScratchDir dir;
  RunConfig config;
  config.scratch_dir = dir.path();
  config.sst_dump = STRATA_MATRIX_SST_DUMP;
  const RowResult result = RunRow(GetParam(), config);
  std::error_code ec;
  std::filesystem::create_directories(STRATA_MATRIX_RESULTS_DIR, ec);
  EXPECT_TRUE(WriteResultFile(STRATA_MATRIX_RESULTS_DIR, result))
      << "cannot write the result to " << STRATA_MATRIX_RESULTS_DIR;
  std::printf(
      "%s: %s in %.2f s; writes %s; reads %s; padding %llu; "
      "compaction reads %s; page cache %s; sst_dump %s\n",
      result.name.c_str(), OutcomeName(result.outcome), result.seconds,
      result.write_bytes.c_str(), result.read_bytes.c_str(),
      static_cast<unsigned long long>(result.padding_bytes),
      result.readahead_sizes.c_str(), result.residency.c_str(),
      result.sst_dump.c_str());
  for (const auto& failure : result.failures) ADD_FAILURE() << failure;
  if (result.outcome == Outcome::kSkip) GTEST_SKIP() << result.skip_reason;
}

INSTANTIATE_TEST_SUITE_P(OptionMatrix, Row,
                         ::testing::ValuesIn(ReducedMatrix()),
                         [](const ::testing::TestParamInfo<MatrixRow>& info) {
                           return info.param.Name();
                         });

TEST(OptionMatrixList, SameSeedSameRowsAndNamesAreUnique) {
  const auto a = ReducedMatrix();
  const auto b = ReducedMatrix();
  ASSERT_EQ(a.size(), b.size());
  std::set<std::string> names;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].Name(), b[i].Name());
    EXPECT_TRUE(names.insert(a[i].Name()).second) << a[i].Name();
  }
  // Another seed gives another list (the seed is really used).
  const auto c = ReducedMatrix(kPairwiseSeed + 1);
  bool differs = c.size() != a.size();
  for (size_t i = 0; !differs && i < a.size(); ++i) {
    differs = a[i].Name() != c[i].Name();
  }
  EXPECT_TRUE(differs);
  std::printf("option matrix: %zu rows from pairwise seed 0x%llx\n", a.size(),
              static_cast<unsigned long long>(kPairwiseSeed));
}

TEST(OptionMatrixList, EveryPairOfValuesIsCovered) {
  const auto rows = ReducedMatrix();
  const Coverage c = PairCoverage(rows);
  EXPECT_GT(c.coverable_pairs, 500u);
  EXPECT_EQ(c.coverable_pairs, c.covered_pairs);
  // The check can fail: without its last valid row, coverage drops.
  auto fewer = rows;
  while (!fewer.back().valid()) fewer.pop_back();
  fewer.pop_back();
  EXPECT_LT(PairCoverage(fewer).covered_pairs, c.covered_pairs);
}

TEST(OptionMatrixList, AllSixteenFlagCombinationsAndRejections) {
  std::set<int> flags, disk_flags;
  size_t zero_buffer_rejections = 0;
  for (const MatrixRow& r : ReducedMatrix()) {
    const int bits = (r.direct_reads ? 1 : 0) | (r.direct_flush ? 2 : 0) |
                     (r.mmap_reads ? 4 : 0) | (r.mmap_writes ? 8 : 0);
    flags.insert(bits);
    if (r.valid() && r.on_disk()) disk_flags.insert(bits);
    if (r.ExpectedOpenStatus().IsInvalidArgument()) ++zero_buffer_rejections;
  }
  EXPECT_EQ(16u, flags.size());
  // The real disk sees every valid direct/mmap combination.
  EXPECT_EQ(8u, disk_flags.size());
  EXPECT_EQ(2u, zero_buffer_rejections);
}

TEST(OptionMatrixList, ExpectedStatusFollowsCheckOrder) {
  MatrixRow all;
  all.direct_reads = all.direct_flush = all.mmap_reads = all.mmap_writes = true;
  all.writable_file_max_buffer_size = 0;
  EXPECT_EQ(
      "Not implemented: If memory mapped reads (allow_mmap_reads) are enabled "
      "then direct I/O reads (use_direct_reads) must be disabled. ",
      all.ExpectedOpenStatus().ToString());
  all.direct_reads = false;
  EXPECT_EQ(
      "Not implemented: If memory mapped reads (allow_mmap_reads) are enabled "
      "then direct I/O writes (use_direct_io_for_flush_and_compaction) must "
      "be disabled. ",
      all.ExpectedOpenStatus().ToString());
  all.mmap_reads = false;
  EXPECT_EQ(
      "Not implemented: If memory mapped writes (allow_mmap_writes) are "
      "enabled then direct I/O writes (use_direct_io_for_flush_and_compaction) "
      "must be disabled. ",
      all.ExpectedOpenStatus().ToString());
  all.mmap_writes = false;
  EXPECT_EQ(
      "Invalid argument: writes in direct IO require "
      "writable_file_max_buffer_size > 0",
      all.ExpectedOpenStatus().ToString());
}

TEST(OptionMatrixList, FullProductEnumeratesEveryCombination) {
  const Axes& a = MatrixAxes();
  const uint64_t expected =
      16ull * a.fallbacks.size() * a.readahead_sizes.size() *
      a.max_buffer_sizes.size() * a.bytes_per_sync.size() *
      a.compressions.size() * a.checksums.size() * a.format_versions.size() *
      a.block_sizes.size() * a.file_systems.size();
  EXPECT_EQ(expected, FullMatrixSize());
  MatrixRow first, last;
  ASSERT_TRUE(FullMatrixRow(0, &first));
  ASSERT_TRUE(FullMatrixRow(FullMatrixSize() - 1, &last));
  EXPECT_EQ(
      "BufferedReads_BufferedFlush_NoMmap_NoCompression_Crc32c_Fv2_B512_"
      "Disk_Ra0_Buf0_Bps0_Strict",
      first.Name());
  EXPECT_TRUE(last.direct_reads && last.direct_flush && last.mmap_reads &&
              last.mmap_writes);
  // Fallback over a refusing file system never lands on the real disk.
  size_t excluded = 0;
  for (uint64_t i = 0; i < 4096; ++i) {
    MatrixRow r;
    if (!FullMatrixRow(i * 97 % FullMatrixSize(), &r))
      ++excluded;
    else
      EXPECT_FALSE(r.on_disk() && r.fallback == Fallback::kOnRefused);
  }
  EXPECT_GT(excluded, 0u);
}

TEST(OptionMatrixReport, ResultRoundTripsAndTableNamesFailures) {
  RowResult r;
  r.name = ReducedMatrix()[0].Name();
  r.Fail("line one\nline two | with a bar");
  r.write_bytes = "flush:D=12K";
  r.seconds = 0.25;
  RowResult back;
  ASSERT_TRUE(ParseResult(SerializeResult(r), &back));
  EXPECT_EQ(r.name, back.name);
  EXPECT_EQ(Outcome::kFail, back.outcome);
  EXPECT_EQ(r.failures, back.failures);
  EXPECT_EQ(r.write_bytes, back.write_bytes);
  const std::string table = FormatTable({ReducedMatrix()[0]}, {&back}, "test");
  EXPECT_NE(std::string::npos, table.find("| FAIL |")) << table;
  EXPECT_NE(std::string::npos, table.find("line two / with a bar")) << table;
  EXPECT_FALSE(ParseResult("garbage", &back));
}

}  // namespace
}  // namespace strata::matrix
