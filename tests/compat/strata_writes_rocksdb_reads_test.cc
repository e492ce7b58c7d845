// strata writes, RocksDB 7.8.3 reads: over the pairwise option matrix and
// the edge-case data sets, a file from strata's TableBuilder that claims to
// be an SstFileWriter file passes `sst_dump` verification, dumps the exact
// entries, reads back through rocksdb::SstFileReader, can be ingested into
// a RocksDB database that then answers every Get from it, and its bloom
// filter is the one RocksDB consults.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>

#include "compat/compat_util.h"

namespace strata::compat {
namespace {

// The host id strata's files claim (SstFileWriter records the host name).
constexpr char kHostId[] = "strata-compat-test";

class StrataWritesRocksDbReadsTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    data_ = MakeDataSet(GetParam().data);
    identity_ = SstFileWriterIdentity(MakeSessionId(kDataSeed), kHostId);
    path_ = dir_.Join("strata.sst");  // sst_dump insists on ".sst".
    ASSERT_OK(BuildWithStrata(GetParam().combo, data_, identity_, path_));
  }

  // A fresh database (merge operator, the combo's table options including
  // its filter policy, statistics) with strata's file ingested into it.
  void OpenDbAndIngest() {
    rocksdb::Options options = RocksDbOptions(GetParam().combo);
    options.create_if_missing = true;
    options.merge_operator = StringAppendOperator();
    options.statistics = rocksdb::CreateDBStatistics();
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(RocksOk(rocksdb::DB::Open(options, dir_.Join("db"), &db)));
    db_.reset(db);
    statistics_ = options.statistics;
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = false;
    ingest.verify_checksums_before_ingest = true;
    ASSERT_TRUE(RocksOk(db_->IngestExternalFile({path_}, ingest)));
  }

  DataSeedTrace seed_trace_;
  test::ScratchDir dir_;
  DataSet data_;
  TableProperties identity_;
  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
};

TEST_P(StrataWritesRocksDbReadsTest, SstDumpVerifiesEveryChecksum) {
  const ToolResult verify =
      RunSstDump({"--file=" + path_, "--command=verify", "--verify_checksum"},
                 dir_.path());
  // sst_dump exits 0 on most errors: the output is what tells.
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("The file is ok"), std::string::npos)
      << verify.out << verify.err;
  EXPECT_EQ((verify.out + verify.err).find("corrupted"), std::string::npos)
      << verify.out << verify.err;
  EXPECT_EQ(verify.err, "");
}

TEST_P(StrataWritesRocksDbReadsTest, SstDumpScanPrintsEveryEntry) {
  const ToolResult scan = RunSstDump({"--file=" + path_, "--command=scan",
                                      "--output_hex", "--verify_checksum"},
                                     dir_.path());
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  ASSERT_EQ(scan.err, "");
  std::vector<Entry> dumped;
  std::string error;
  ASSERT_TRUE(ParseSstDumpScan(scan.out, &dumped, &error)) << error;
  EXPECT_TRUE(SameEntries(data_.entries, dumped));
}

TEST_P(StrataWritesRocksDbReadsTest, SstFileReaderVerifiesEveryChecksum) {
  rocksdb::SstFileReader reader{rocksdb::Options()};
  ASSERT_TRUE(RocksOk(reader.Open(path_)));
  EXPECT_TRUE(RocksOk(reader.VerifyChecksum()));
}

TEST_P(StrataWritesRocksDbReadsTest, SstFileReaderIteratesEveryEntry) {
  RocksDbView view;
  ASSERT_TRUE(RocksOk(ReadWithSstFileReader(path_, &view)));
  EXPECT_EQ(view.visible, VisiblePairs(data_.entries));
}

TEST_P(StrataWritesRocksDbReadsTest, SstFileReaderSeesStrataProperties) {
  RocksDbView view;
  ASSERT_TRUE(RocksOk(ReadWithSstFileReader(path_, &view)));
  ASSERT_NE(view.properties, nullptr);
  std::unique_ptr<TableReader> table;
  ASSERT_OK(OpenWithStrata(path_, &table));
  EXPECT_TRUE(SameProperties(*view.properties, table->properties()));
  EXPECT_EQ(view.properties->num_entries,
            data_.entries.size() + data_.tombstones.size());
  EXPECT_EQ(view.properties->db_session_id, identity_.db_session_id);
}

TEST_P(StrataWritesRocksDbReadsTest, SstFileReaderSeeksCorrectly) {
  rocksdb::Options options;
  options.merge_operator = StringAppendOperator();
  rocksdb::SstFileReader reader(options);
  ASSERT_TRUE(RocksOk(reader.Open(path_)));
  std::unique_ptr<rocksdb::Iterator> it(
      reader.NewIterator(rocksdb::ReadOptions()));
  const auto visible = VisiblePairs(data_.entries);
  for (const std::string& target : ProbeKeys(data_, 300)) {
    SCOPED_TRACE("target " + Slice(target).ToHex());
    auto want = std::lower_bound(visible.begin(), visible.end(), target,
                                 [](const auto& kv, const std::string& k) {
                                   return Slice(kv.first).compare(Slice(k)) < 0;
                                 });
    it->Seek(target);
    ASSERT_TRUE(RocksOk(it->status()));
    ASSERT_EQ(it->Valid(), want != visible.end());
    if (it->Valid()) {
      ASSERT_EQ(it->key().ToString(), want->first);
      ASSERT_EQ(it->value().ToString(), want->second);
    }
  }
}

TEST_P(StrataWritesRocksDbReadsTest, IngestedFileAnswersEveryGet) {
  OpenDbAndIngest();
  if (HasFatalFailure()) return;
  for (const Entry& e : data_.entries) {
    std::string value;
    const rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), e.user_key, &value);
    if (e.type == ValueType::kDeletion) {
      ASSERT_TRUE(s.IsNotFound()) << e << ": " << s.ToString();
    } else {
      // A Put, or a lone Merge operand (stringappend reads it back as is).
      ASSERT_TRUE(RocksOk(s)) << e;
      ASSERT_EQ(Slice(value).ToHex(), Slice(e.value).ToHex()) << e;
    }
  }
  for (const std::string& absent : AbsentKeys(data_, 300)) {
    std::string value;
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), absent, &value);
    ASSERT_TRUE(s.IsNotFound())
        << "absent key " << Slice(absent).ToHex() << ": " << s.ToString();
  }
}

// When the file overlaps data already in the database, ingestion assigns it
// a sequence number and writes it into the ingested copy's global_seqno
// property in place, leaving that block's checksum stale on purpose (spec
// sections 17-18). strata then reads every entry at that sequence number.
TEST_P(StrataWritesRocksDbReadsTest, GlobalSeqnoWrittenByIngestionReadsBack) {
  rocksdb::Options options = RocksDbOptions(GetParam().combo);
  options.create_if_missing = true;
  rocksdb::DB* raw_db = nullptr;
  ASSERT_TRUE(RocksOk(rocksdb::DB::Open(options, dir_.Join("db"), &raw_db)));
  db_.reset(raw_db);
  const std::string overlapping = data_.entries.empty()
                                      ? data_.tombstones.front().begin
                                      : data_.entries.front().user_key;
  ASSERT_TRUE(RocksOk(db_->Put(rocksdb::WriteOptions(), overlapping, "old")));
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = false;
  ingest.write_global_seqno = true;
  ASSERT_TRUE(RocksOk(db_->IngestExternalFile({path_}, ingest)));
  const SequenceNumber assigned = db_->GetLatestSequenceNumber();
  ASSERT_GT(assigned, 0u);

  std::vector<rocksdb::LiveFileMetaData> files;
  db_->GetLiveFilesMetaData(&files);
  std::string ingested;
  for (const rocksdb::LiveFileMetaData& f : files) {
    if (f.smallest_seqno == assigned && f.largest_seqno == assigned) {
      ingested = f.db_path + f.name;
    }
  }
  ASSERT_FALSE(ingested.empty()) << "no live file at sequence " << assigned;
  ASSERT_NE(ReadFileBytes(ingested), ReadFileBytes(path_))
      << "ingestion did not write the global sequence number";

  std::unique_ptr<TableReader> table;
  ASSERT_OK(OpenWithStrata(ingested, &table));
  EXPECT_EQ(table->global_seqno(), assigned);
  EXPECT_OK(table->VerifyChecksum(/*readahead_bytes=*/0));
  std::vector<Entry> want = data_.entries;
  for (Entry& e : want) e.sequence = assigned;
  std::vector<Entry> got;
  ASSERT_OK(ReadAllWithStrata(*table, /*backward=*/false, &got));
  EXPECT_TRUE(SameEntries(want, got));
}

INSTANTIATE_TEST_SUITE_P(Compat, StrataWritesRocksDbReadsTest,
                         ::testing::ValuesIn(AllCases()), CaseNamer());

// RocksDB answers lookups of absent keys from strata's bloom filter.
using StrataBloomFilterInRocksDbTest = StrataWritesRocksDbReadsTest;

TEST_P(StrataBloomFilterInRocksDbTest, AbsentKeysAreRejectedByTheFilter) {
  OpenDbAndIngest();
  if (HasFatalFailure()) return;
  // Only keys inside the file's range reach its filter.
  const std::string& first = data_.entries.front().user_key;
  const std::string& last = data_.entries.back().user_key;
  std::vector<std::string> in_range;
  for (const std::string& k : AbsentKeys(data_, 2000)) {
    if (Slice(k).compare(Slice(first)) > 0 &&
        Slice(k).compare(Slice(last)) < 0) {
      in_range.push_back(k);
    }
  }
  ASSERT_GE(in_range.size(), 20u);
  const uint64_t useful_before =
      statistics_->getTickerCount(rocksdb::BLOOM_FILTER_USEFUL);
  for (const std::string& k : in_range) {
    std::string value;
    ASSERT_TRUE(db_->Get(rocksdb::ReadOptions(), k, &value).IsNotFound());
  }
  const uint64_t useful =
      statistics_->getTickerCount(rocksdb::BLOOM_FILTER_USEFUL) - useful_before;
  EXPECT_GT(useful, 0u);
  // 10 bits per key: about 1% false positives (legacy bloom a little more).
  EXPECT_GE(useful * 10, in_range.size() * 9)
      << useful << " of " << in_range.size() << " absent keys rejected";
}

INSTANTIATE_TEST_SUITE_P(Compat, StrataBloomFilterInRocksDbTest,
                         ::testing::ValuesIn(BloomCases()), CaseNamer());

}  // namespace
}  // namespace strata::compat
