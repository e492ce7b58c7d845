// A file flushed by a RocksDB 7.8.3 database (not SstFileWriter): real
// sequence numbers, several versions of user keys kept alive by
// snapshots, Deletes, SingleDeletes and a range tombstone. strata reads
// every internal entry exactly as `sst_dump` (RocksDB's table reader)
// prints it, drops exactly the entries RocksDB's internal iterator drops
// under the file's range tombstone, seeks in internal-key order, and answers
// point lookups at each snapshot as the database does.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/utilities/debug.h>

#include "compat/compat_util.h"
#include "table/table_iterator.h"

namespace strata::compat {
namespace {

std::string Key(int i) { return "k" + std::to_string(10000 + i); }

class RocksDbFlushedFileTest : public ::testing::TestWithParam<Combo> {
 protected:
  void SetUp() override {
    rocksdb::Options options = RocksDbOptions(GetParam());
    options.create_if_missing = true;
    options.disable_auto_compactions = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(RocksOk(rocksdb::DB::Open(options, dir_.Join("db"), &db)));
    db_.reset(db);
    WriteHistory();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(RocksOk(db_->Flush(rocksdb::FlushOptions())));

    std::vector<rocksdb::LiveFileMetaData> files;
    db_->GetLiveFilesMetaData(&files);
    ASSERT_EQ(files.size(), 1u);
    path_ = files[0].db_path + files[0].name;
    ASSERT_OK(OpenWithStrata(path_, &table_));

    // The database's internal iterator over the flushed file (the memtable
    // is empty): every entry except those its range tombstone covers.
    std::vector<rocksdb::KeyVersion> versions;
    ASSERT_TRUE(RocksOk(rocksdb::GetAllKeyVersions(
        db_.get(), rocksdb::Slice(), rocksdb::Slice(), 1 << 20, &versions)));
    for (const rocksdb::KeyVersion& v : versions) {
      live_entries_.push_back(
          {v.user_key, v.sequence, static_cast<ValueType>(v.type), v.value});
    }
  }

  // Every entry of the file as RocksDB's table reader reads it
  // (`sst_dump --command=scan`), in file order.
  void DumpFile(std::vector<Entry>* entries) {
    const ToolResult scan = RunSstDump({"--file=" + path_, "--command=scan",
                                        "--output_hex", "--verify_checksum"},
                                       dir_.path());
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
    ASSERT_EQ(scan.err, "");
    std::string error;
    ASSERT_TRUE(ParseSstDumpScan(scan.out, entries, &error)) << error;
    ASSERT_FALSE(entries->empty());
  }

  void TearDown() override {
    if (db_ == nullptr) return;
    for (const rocksdb::Snapshot* s : snapshots_) db_->ReleaseSnapshot(s);
    EXPECT_TRUE(RocksOk(db_->Close()));
  }

  // Puts, then (snapshot) overwrites, Deletes and SingleDeletes, then
  // (snapshot) a DeleteRange and later Puts: the flush must keep several
  // versions of many keys.
  void WriteHistory() {
    test::Random rnd(kDataSeed);
    const rocksdb::WriteOptions w;
    for (int i = 0; i < 400; ++i) {
      ASSERT_TRUE(
          RocksOk(db_->Put(w, Key(i), rnd.RandomBytes(rnd.Uniform(80)))));
    }
    snapshots_.push_back(db_->GetSnapshot());
    for (int i = 0; i < 400; ++i) {
      switch (rnd.Uniform(6)) {
        case 0:
        case 1:
          ASSERT_TRUE(RocksOk(db_->Put(w, Key(i), "v2-" + std::to_string(i))));
          break;
        case 2:
          ASSERT_TRUE(RocksOk(db_->Delete(w, Key(i))));
          break;
        case 3:
          // Each key had exactly one Put so far, as SingleDelete requires.
          ASSERT_TRUE(RocksOk(db_->SingleDelete(w, Key(i))));
          break;
        default:
          break;
      }
    }
    snapshots_.push_back(db_->GetSnapshot());
    ASSERT_TRUE(RocksOk(
        db_->DeleteRange(w, db_->DefaultColumnFamily(), Key(100), Key(120))));
    tombstone_ = {Key(100), Key(120), db_->GetLatestSequenceNumber()};
    for (int i = 0; i < 40; ++i) {
      ASSERT_TRUE(RocksOk(db_->Put(w, Key(rnd.Uniform(400)) + "n", "v3")));
      ASSERT_TRUE(
          RocksOk(db_->Put(w, Key(105 + i % 10), "v3-" + std::to_string(i))));
    }
  }

  // What strata answers for `user_key` at `snapshot`: the newest entry at
  // or below it, unless that is a deletion or a visible range tombstone
  // newer than the entry covers the key. NotFound-equivalent is nullopt.
  std::optional<std::string> StrataGet(const std::string& user_key,
                                       SequenceNumber snapshot) {
    bool found = false;
    std::string key, value;
    EXPECT_OK(
        table_->Get(TableReadOptions(),
                    MakeInternalKey(user_key, snapshot, kValueTypeForSeek),
                    &found, &key, &value));
    if (!found) return std::nullopt;
    Entry e;
    EXPECT_OK(ToEntry(key, value, &e));
    EXPECT_EQ(e.user_key, user_key);
    EXPECT_LE(e.sequence, snapshot);
    for (const RangeTombstone& t : table_->range_tombstones()) {
      if (t.sequence <= snapshot && t.sequence > e.sequence &&
          Slice(user_key).compare(Slice(t.begin_user_key)) >= 0 &&
          Slice(user_key).compare(Slice(t.end_user_key)) < 0) {
        return std::nullopt;
      }
    }
    if (e.type != ValueType::kValue) return std::nullopt;
    return e.value;
  }

  DataSeedTrace seed_trace_;
  test::ScratchDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<const rocksdb::Snapshot*> snapshots_;
  RangeDeletion tombstone_;
  std::string path_;
  std::unique_ptr<TableReader> table_;
  std::vector<Entry> live_entries_;
};

// The premise of the other tests: the file really holds what a DB flush
// writes and SstFileWriter never does.
TEST_P(RocksDbFlushedFileTest,
       FileHoldsSeveralVersionsWithRealSequenceNumbers) {
  std::vector<Entry> entries;
  DumpFile(&entries);
  if (HasFatalFailure()) return;
  std::map<std::string, int> versions;
  std::set<ValueType> types;
  for (const Entry& e : entries) {
    EXPECT_GT(e.sequence, 0u) << e;
    ++versions[e.user_key];
    types.insert(e.type);
  }
  EXPECT_TRUE(std::any_of(versions.begin(), versions.end(),
                          [](const auto& kv) { return kv.second >= 2; }));
  EXPECT_TRUE(types.contains(ValueType::kValue));
  EXPECT_TRUE(types.contains(ValueType::kDeletion));
  EXPECT_TRUE(types.contains(ValueType::kSingleDeletion));
  EXPECT_LT(live_entries_.size(), entries.size())
      << "nothing under the tombstone";
  EXPECT_EQ(table_->global_seqno(), kDisableGlobalSequenceNumber);
}

TEST_P(RocksDbFlushedFileTest, IteratesEveryEntrySstDumpPrints) {
  std::vector<Entry> dumped;
  DumpFile(&dumped);
  if (HasFatalFailure()) return;
  std::vector<Entry> forward;
  ASSERT_OK(ReadAllWithStrata(*table_, /*backward=*/false, &forward));
  EXPECT_TRUE(SameEntries(dumped, forward));
  std::vector<Entry> backward;
  ASSERT_OK(ReadAllWithStrata(*table_, /*backward=*/true, &backward));
  std::reverse(backward.begin(), backward.end());
  EXPECT_TRUE(SameEntries(dumped, backward));
}

// Applying the range tombstones strata reads (each hides older entries in
// its range) leaves exactly the entries RocksDB's internal iterator shows.
TEST_P(RocksDbFlushedFileTest, TombstoneHidesWhatTheDatabaseHides) {
  std::vector<Entry> entries;
  ASSERT_OK(ReadAllWithStrata(*table_, /*backward=*/false, &entries));
  std::vector<Entry> live;
  for (const Entry& e : entries) {
    const bool covered = std::any_of(
        table_->range_tombstones().begin(), table_->range_tombstones().end(),
        [&e](const RangeTombstone& t) {
          return t.sequence > e.sequence &&
                 Slice(e.user_key).compare(Slice(t.begin_user_key)) >= 0 &&
                 Slice(e.user_key).compare(Slice(t.end_user_key)) < 0;
        });
    if (!covered) live.push_back(e);
  }
  EXPECT_TRUE(SameEntries(live_entries_, live));
}

TEST_P(RocksDbFlushedFileTest, SeekFollowsRocksDbInternalKeyOrder) {
  std::vector<Entry> dumped;
  DumpFile(&dumped);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(std::is_sorted(dumped.begin(), dumped.end(), EntryLess));
  test::Random rnd(kDataSeed + 1);
  std::unique_ptr<TableIterator> it = table_->NewIterator(TableReadOptions());
  const SequenceNumber last = db_->GetLatestSequenceNumber();
  for (int i = 0; i < 500; ++i) {
    Entry target;
    target.user_key = dumped[rnd.Uniform(dumped.size())].user_key;
    if (rnd.OneIn(4)) target.user_key += static_cast<char>(rnd.Uniform(256));
    target.sequence = rnd.Uniform(last + 2);
    target.type = kValueTypeForSeek;
    SCOPED_TRACE(::testing::PrintToString(target));
    const auto want =
        std::lower_bound(dumped.begin(), dumped.end(), target, EntryLess);
    it->Seek(MakeInternalKey(target.user_key, target.sequence, target.type));
    ASSERT_OK(it->status());
    ASSERT_EQ(it->Valid(), want != dumped.end());
    if (it->Valid()) {
      Entry got;
      ASSERT_OK(ToEntry(it->key(), it->value(), &got));
      ASSERT_EQ(got, *want);
    }
  }
}

TEST_P(RocksDbFlushedFileTest, GetAtEachSnapshotAnswersAsTheDatabase) {
  std::vector<Entry> entries;
  ASSERT_OK(ReadAllWithStrata(*table_, /*backward=*/false, &entries));
  std::set<std::string> user_keys;
  for (const Entry& e : entries) user_keys.insert(e.user_key);
  for (int i = 0; i < 50; ++i) user_keys.insert(Key(i) + "absent");
  std::vector<std::pair<const rocksdb::Snapshot*, SequenceNumber>> reads;
  for (const rocksdb::Snapshot* s : snapshots_) {
    reads.emplace_back(s, s->GetSequenceNumber());
  }
  reads.emplace_back(nullptr, db_->GetLatestSequenceNumber());
  for (const auto& [snapshot, seq] : reads) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    for (const std::string& k : user_keys) {
      std::string value;
      const rocksdb::Status s = db_->Get(ro, k, &value);
      ASSERT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
      const std::optional<std::string> want =
          s.ok() ? std::optional<std::string>(value) : std::nullopt;
      ASSERT_EQ(StrataGet(k, seq), want)
          << "key " << k << " at sequence " << seq;
    }
  }
}

// rocksdb::SstFileReader's iterator shows the newest version of each key
// (tombstones are not applied to a lone file): strata's newest entry per
// user key, when it is a Put.
TEST_P(RocksDbFlushedFileTest, NewestVersionsMatchSstFileReader) {
  RocksDbView view;
  ASSERT_TRUE(RocksOk(ReadWithSstFileReader(path_, &view)));
  std::vector<Entry> entries;
  ASSERT_OK(ReadAllWithStrata(*table_, /*backward=*/false, &entries));
  std::vector<std::pair<std::string, std::string>> newest;
  for (size_t i = 0; i < entries.size(); ++i) {
    const bool first_of_key =
        i == 0 || entries[i].user_key != entries[i - 1].user_key;
    if (first_of_key && entries[i].type == ValueType::kValue) {
      newest.emplace_back(entries[i].user_key, entries[i].value);
    }
  }
  ASSERT_FALSE(newest.empty());
  EXPECT_EQ(view.visible, newest);
}

TEST_P(RocksDbFlushedFileTest, RangeTombstoneIsTheOneDeleted) {
  std::vector<RangeDeletion> got;
  for (const RangeTombstone& t : table_->range_tombstones()) {
    got.push_back({t.begin_user_key, t.end_user_key, t.sequence});
  }
  EXPECT_EQ(got, std::vector<RangeDeletion>{tombstone_});
}

TEST_P(RocksDbFlushedFileTest, VerifyChecksumAcceptsEveryBlock) {
  EXPECT_OK(table_->VerifyChecksum(/*readahead_bytes=*/0));
}

TEST_P(RocksDbFlushedFileTest, PropertiesMatchSstFileReader) {
  RocksDbView view;
  ASSERT_TRUE(RocksOk(ReadWithSstFileReader(path_, &view)));
  ASSERT_NE(view.properties, nullptr);
  EXPECT_TRUE(SameProperties(*view.properties, table_->properties()));
  EXPECT_EQ(table_->properties().column_family_name, "default");
  EXPECT_FALSE(table_->properties().is_external);
}

INSTANTIATE_TEST_SUITE_P(Compat, RocksDbFlushedFileTest,
                         ::testing::Values(EdgeCaseCombos()[0],
                                           EdgeCaseCombos()[1],
                                           Combo{4, ChecksumType::kxxHash64,
                                                 CompressionType::kZSTD, 1024,
                                                 16, 16, false}),
                         [](const ::testing::TestParamInfo<Combo>& info) {
                           return ComboName(info.param);
                         });

}  // namespace
}  // namespace strata::compat
