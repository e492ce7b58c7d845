// RocksDB 7.8.3's SstFileWriter writes, strata reads: over the pairwise
// option matrix and the edge-case data sets, strata opens every file and
// sees exactly what RocksDB's own readers (rocksdb::SstFileReader and
// `sst_dump`) see: the same entries, seeks landing on the same entries,
// point lookups, checksums and properties.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/iterator.h>
#include <rocksdb/sst_file_reader.h>

#include "compat/compat_util.h"
#include "table/table_iterator.h"

namespace strata::compat {
namespace {

class RocksDbWritesStrataReadsTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    data_ = MakeDataSet(GetParam().data);
    path_ = dir_.Join("rocksdb.sst");
    ASSERT_TRUE(
        RocksOk(WriteWithSstFileWriter(GetParam().combo, data_, path_)));
    ASSERT_OK(OpenWithStrata(path_, &table_));
  }

  DataSeedTrace seed_trace_;
  test::ScratchDir dir_;
  DataSet data_;
  std::string path_;
  std::unique_ptr<TableReader> table_;
};

TEST_P(RocksDbWritesStrataReadsTest, IteratesEveryEntryInBothDirections) {
  std::vector<Entry> forward;
  ASSERT_OK(ReadAllWithStrata(*table_, /*backward=*/false, &forward));
  EXPECT_TRUE(SameEntries(data_.entries, forward));
  std::vector<Entry> backward;
  ASSERT_OK(ReadAllWithStrata(*table_, /*backward=*/true, &backward));
  std::reverse(backward.begin(), backward.end());
  EXPECT_TRUE(SameEntries(data_.entries, backward));
}

TEST_P(RocksDbWritesStrataReadsTest, IterationMatchesSstFileReader) {
  RocksDbView view;
  ASSERT_TRUE(RocksOk(ReadWithSstFileReader(path_, &view)));
  std::vector<Entry> entries;
  ASSERT_OK(ReadAllWithStrata(*table_, /*backward=*/false, &entries));
  // RocksDB's iterator hides Deletes and reads a lone Merge as its operand.
  EXPECT_EQ(view.visible, VisiblePairs(entries));
}

TEST_P(RocksDbWritesStrataReadsTest, IterationMatchesSstDumpScan) {
  const ToolResult scan = RunSstDump({"--file=" + path_, "--command=scan",
                                      "--output_hex", "--verify_checksum"},
                                     dir_.path());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  ASSERT_EQ(scan.err, "");
  std::vector<Entry> dumped;
  std::string error;
  ASSERT_TRUE(ParseSstDumpScan(scan.out, &dumped, &error)) << error;
  std::vector<Entry> entries;
  ASSERT_OK(ReadAllWithStrata(*table_, /*backward=*/false, &entries));
  EXPECT_TRUE(SameEntries(dumped, entries));
}

// strata's Seek and SeekForPrev land on the entry the data says, and, once
// Deletes are stepped over, on the entry RocksDB's iterator lands on.
TEST_P(RocksDbWritesStrataReadsTest, SeeksLandWhereRocksDbIteratorLands) {
  rocksdb::Options options;
  options.merge_operator = StringAppendOperator();
  rocksdb::SstFileReader reader(options);
  ASSERT_TRUE(RocksOk(reader.Open(path_)));
  std::unique_ptr<rocksdb::Iterator> rocks(
      reader.NewIterator(rocksdb::ReadOptions()));
  std::unique_ptr<TableIterator> it = table_->NewIterator(TableReadOptions());
  auto is_visible = [&it] {
    const uint8_t type = ExtractValueTypeByte(it->key());
    return type == static_cast<uint8_t>(ValueType::kValue) ||
           type == static_cast<uint8_t>(ValueType::kMerge);
  };
  const std::vector<Entry>& entries = data_.entries;
  for (const std::string& target : ProbeKeys(data_, 300)) {
    SCOPED_TRACE("target " + Slice(target).ToHex());
    // Seek: first entry with user key >= target.
    auto want =
        std::lower_bound(entries.begin(), entries.end(), target,
                         [](const Entry& e, const std::string& k) {
                           return Slice(e.user_key).compare(Slice(k)) < 0;
                         });
    it->Seek(MakeInternalKey(target, kMaxSequenceNumber, kValueTypeForSeek));
    ASSERT_OK(it->status());
    ASSERT_EQ(it->Valid(), want != entries.end());
    if (it->Valid()) {
      Entry got;
      ASSERT_OK(ToEntry(it->key(), it->value(), &got));
      ASSERT_EQ(got, *want);
    }
    while (it->Valid() && !is_visible()) it->Next();
    rocks->Seek(target);
    ASSERT_TRUE(RocksOk(rocks->status()));
    ASSERT_EQ(it->Valid(), rocks->Valid());
    if (it->Valid()) {
      ASSERT_EQ(ExtractUserKey(it->key()).ToHex(),
                Slice(rocks->key().data(), rocks->key().size()).ToHex());
      ASSERT_EQ(it->value().ToString(), rocks->value().ToString());
    }

    // SeekForPrev: last entry with user key <= target.
    auto upper =
        std::upper_bound(entries.begin(), entries.end(), target,
                         [](const std::string& k, const Entry& e) {
                           return Slice(k).compare(Slice(e.user_key)) < 0;
                         });
    it->SeekForPrev(MakeInternalKey(target, 0, kValueTypeForSeekForPrev));
    ASSERT_OK(it->status());
    ASSERT_EQ(it->Valid(), upper != entries.begin());
    if (it->Valid()) {
      Entry got;
      ASSERT_OK(ToEntry(it->key(), it->value(), &got));
      ASSERT_EQ(got, *std::prev(upper));
    }
    while (it->Valid() && !is_visible()) it->Prev();
    rocks->SeekForPrev(target);
    ASSERT_TRUE(RocksOk(rocks->status()));
    ASSERT_EQ(it->Valid(), rocks->Valid());
    if (it->Valid()) {
      ASSERT_EQ(ExtractUserKey(it->key()).ToHex(),
                Slice(rocks->key().data(), rocks->key().size()).ToHex());
    }
  }
}

TEST_P(RocksDbWritesStrataReadsTest, GetFindsEveryKeyAndNoAbsentOne) {
  // Every key of the small data sets; an even sample of the 100k one.
  const size_t stride = std::max<size_t>(1, data_.entries.size() / 20000);
  for (size_t i = 0; i < data_.entries.size(); i += stride) {
    const Entry& want = data_.entries[i];
    bool found = false;
    std::string key, value;
    ASSERT_OK(table_->Get(
        TableReadOptions(),
        MakeInternalKey(want.user_key, kMaxSequenceNumber, kValueTypeForSeek),
        &found, &key, &value));
    ASSERT_TRUE(found) << want;
    Entry got;
    ASSERT_OK(ToEntry(key, value, &got));
    ASSERT_EQ(got, want);
  }
  for (const std::string& absent : AbsentKeys(data_, 300)) {
    bool found = false;
    std::string key, value;
    ASSERT_OK(table_->Get(
        TableReadOptions(),
        MakeInternalKey(absent, kMaxSequenceNumber, kValueTypeForSeek), &found,
        &key, &value));
    ASSERT_FALSE(found) << "absent key " << Slice(absent).ToHex()
                        << " found as " << Slice(key).ToHex();
  }
}

TEST_P(RocksDbWritesStrataReadsTest, VerifyChecksumAcceptsEveryBlock) {
  EXPECT_OK(table_->VerifyChecksum(/*readahead_bytes=*/256 << 10));
}

TEST_P(RocksDbWritesStrataReadsTest, PropertiesMatchSstFileReader) {
  RocksDbView view;
  ASSERT_TRUE(RocksOk(ReadWithSstFileReader(path_, &view)));
  ASSERT_NE(view.properties, nullptr);
  EXPECT_TRUE(SameProperties(*view.properties, table_->properties()));
  EXPECT_EQ(table_->has_filter(),
            GetParam().combo.bloom && !data_.entries.empty());
}

TEST_P(RocksDbWritesStrataReadsTest, RangeTombstonesAreTheOnesWritten) {
  std::vector<RangeDeletion> got;
  for (const RangeTombstone& t : table_->range_tombstones()) {
    got.push_back({t.begin_user_key, t.end_user_key, t.sequence});
  }
  EXPECT_EQ(got, data_.tombstones);
}

INSTANTIATE_TEST_SUITE_P(Compat, RocksDbWritesStrataReadsTest,
                         ::testing::ValuesIn(AllCases()), CaseNamer());

}  // namespace
}  // namespace strata::compat
