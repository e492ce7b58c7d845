// Byte identity: the same entries and options through RocksDB 7.8.3's
// SstFileWriter and through strata's TableBuilder give the same file, byte
// for byte, over the pairwise option matrix and the edge-case data sets.
//
// SstFileWriter's only nondeterministic bytes are its random session id and
// the host name (spec section 16); both are read back from RocksDB's file
// and given to strata as its identity.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compat/compat_util.h"

namespace strata::compat {
namespace {

class ByteIdentityTest : public ::testing::TestWithParam<Case> {
 protected:
  DataSeedTrace seed_trace_;
};

TEST_P(ByteIdentityTest, StrataWritesTheBytesSstFileWriterWrites) {
  test::ScratchDir dir;
  const DataSet data = MakeDataSet(GetParam().data);
  const std::string rocksdb_path = dir.Join("rocksdb.sst");
  ASSERT_TRUE(
      RocksOk(WriteWithSstFileWriter(GetParam().combo, data, rocksdb_path)));
  RocksDbView view;
  ASSERT_TRUE(RocksOk(ReadWithSstFileReader(rocksdb_path, &view)));
  ASSERT_NE(view.properties, nullptr);
  ASSERT_EQ(view.properties->db_session_id.size(), 20u);
  ASSERT_EQ(view.properties->orig_file_number, 1u);

  const std::string strata_path = dir.Join("strata.sst");
  ASSERT_OK(
      BuildWithStrata(GetParam().combo, data,
                      SstFileWriterIdentity(view.properties->db_session_id,
                                            view.properties->db_host_id),
                      strata_path));
  const std::string want = ReadFileBytes(rocksdb_path);
  const std::string got = ReadFileBytes(strata_path);
  ASSERT_FALSE(want.empty());
  EXPECT_TRUE(want == got) << DescribeFirstDifference(want, got, rocksdb_path);
}

INSTANTIATE_TEST_SUITE_P(Compat, ByteIdentityTest,
                         ::testing::ValuesIn(AllCases()), CaseNamer());

// block_align (data blocks zero-padded to min(block_size, 4 KiB) units):
// every format version at 4 KiB blocks, plus a smaller and a larger block
// size, with and without a filter.
std::vector<Case> BlockAlignCases() {
  std::vector<Case> cases;
  const CompressionType none = CompressionType::kNoCompression;
  for (uint32_t fv : kFormatVersions) {
    cases.push_back({DataSetKind::kRandom,
                     {fv, ChecksumType::kXXH3, none, 4096, 16, 1, fv == 5,
                      /*block_align=*/true}});
  }
  for (size_t block_size : {512, 16384}) {
    cases.push_back({DataSetKind::kManyEntries,
                     {5, ChecksumType::kCRC32c, none, block_size, 16, 16, true,
                      /*block_align=*/true}});
  }
  cases.push_back({DataSetKind::kBigValues,
                   {4, ChecksumType::kxxHash64, none, 4096, 1, 1, false,
                    /*block_align=*/true}});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(BlockAlign, ByteIdentityTest,
                         ::testing::ValuesIn(BlockAlignCases()), CaseNamer());

}  // namespace
}  // namespace strata::compat
