// IngestExternalFile on the in-memory file system: files from strata's
// SstFileWriter land at the right level with a global sequence number kept
// in the MANIFEST (the file's bytes never change), newer than everything in
// the DB and invisible to older snapshots; bad input ingests nothing; when
// the file cannot be linked it is copied with the flush/compaction I/O mode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "strata/db.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "strata/sst_file_writer.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using KVs = std::vector<std::pair<std::string, std::string>>;

constexpr int kNumLevels = 7;
constexpr int kBottom = kNumLevels - 1;

class DBIngestTest : public ::testing::Test {
 protected:
  DBIngestTest() : fs_(&fake_), env_(&fs_, &clock_) {
    options_.env = &env_;
    options_.create_if_missing = true;
    options_.num_levels = kNumLevels;
    options_.disable_auto_compactions = true;
    EXPECT_OK(fake_.CreateDirIfMissing("/ext"));
  }
  ~DBIngestTest() override { db_.reset(); }

  void Open() { ASSERT_OK(DB::Open(options_, "/db", &db_)); }
  void Reopen() {
    ASSERT_OK(db_->Close());
    db_.reset();
    Open();
  }

  // Writes an external file with strata's SstFileWriter (keys sorted).
  void WriteFile(const std::string& path, const KVs& kvs,
                 const std::vector<std::pair<std::string, std::string>>&
                     range_deletions = {}) {
    SstFileWriterOptions wo;
    wo.file_system = &fake_;
    wo.table.block_size = 256;
    SstFileWriter writer(wo);
    ASSERT_OK(writer.Open(path));
    for (const auto& [k, v] : kvs) ASSERT_OK(writer.Put(k, v));
    for (const auto& [b, e] : range_deletions) {
      ASSERT_OK(writer.DeleteRange(b, e));
    }
    ASSERT_OK(writer.Finish());
  }
  // Keys prefix000..prefix<n-1> with value `tag`.
  static KVs Keys(const std::string& prefix, int n, const std::string& tag) {
    KVs kvs;
    for (int i = 0; i < n; ++i) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%03d", i);
      kvs.emplace_back(prefix + buf, tag);
    }
    return kvs;
  }

  Status Ingest(const std::vector<std::string>& paths,
                const IngestExternalFileOptions& o = {}) {
    return db_->IngestExternalFile(paths, o);
  }

  std::string Get(const std::string& key, const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    std::string value;
    Status s = db_->Get(ro, key, &value);
    if (s.IsNotFound()) return "NOT_FOUND";
    if (!s.ok()) return "ERROR: " + s.ToString();
    return value;
  }
  std::string Scan(bool reverse = false, const Snapshot* snap = nullptr) {
    ReadOptions ro;
    ro.snapshot = snap;
    auto it = db_->NewIterator(ro);
    std::string out;
    if (reverse) {
      for (it->SeekToLast(); it->Valid(); it->Prev()) {
        out += it->key().ToString() + "=" + it->value().ToString() + " ";
      }
    } else {
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        out += it->key().ToString() + "=" + it->value().ToString() + " ";
      }
    }
    EXPECT_OK(it->status());
    return out;
  }
  // The scan a model would give.
  static std::string ModelScan(const std::map<std::string, std::string>& m,
                               bool reverse = false) {
    std::string out;
    if (reverse) {
      for (auto it = m.rbegin(); it != m.rend(); ++it) {
        out += it->first + "=" + it->second + " ";
      }
    } else {
      for (const auto& [k, v] : m) out += k + "=" + v + " ";
    }
    return out;
  }
  // Level of the live file holding `key`, -1 if none (several: the
  // shallowest).
  int LevelOf(const std::string& key) {
    int level = -1;
    for (const LiveFileMetaData& f : db_->GetLiveFilesMetaData()) {
      if (f.smallest_key <= key && key <= f.largest_key &&
          (level < 0 || f.level < level)) {
        level = f.level;
      }
    }
    return level;
  }
  std::string Content(const std::string& path) {
    std::string content;
    EXPECT_OK(fake_.ReadFileContent(path, &content));
    return content;
  }
  std::vector<std::string> TableFilesInDb() {
    std::vector<std::string> names, tables;
    EXPECT_OK(fake_.GetChildren("/db", &names));
    for (const auto& n : names) {
      if (n.size() > 4 && n.substr(n.size() - 4) == ".sst") tables.push_back(n);
    }
    return tables;
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_;
  ManualClock clock_;
  Env env_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBIngestTest, IntoEmptyDBLandsAtBottomLevel) {
  Open();
  WriteFile("/ext/a.sst", Keys("k", 100, "v"));
  ASSERT_OK(Ingest({"/ext/a.sst"}));
  auto files = db_->GetLiveFilesMetaData();
  ASSERT_EQ(1u, files.size());
  EXPECT_EQ(kBottom, files[0].level);
  EXPECT_EQ("k000", files[0].smallest_key);
  EXPECT_EQ("k099", files[0].largest_key);
  EXPECT_EQ(1u, files[0].smallest_seqno);
  EXPECT_EQ(1u, files[0].largest_seqno);
  EXPECT_EQ(100u, files[0].num_entries);
  EXPECT_EQ("v", Get("k000"));
  EXPECT_EQ("v", Get("k099"));
  EXPECT_EQ("NOT_FOUND", Get("k100"));
  std::map<std::string, std::string> model;
  for (const auto& [k, v] : Keys("k", 100, "v")) model[k] = v;
  EXPECT_EQ(ModelScan(model), Scan());
  EXPECT_EQ(ModelScan(model, /*reverse=*/true), Scan(/*reverse=*/true));
  // Later writes get newer sequence numbers than the file's.
  ASSERT_OK(db_->Put(WriteOptions(), "k005", "w"));
  EXPECT_EQ("w", Get("k005"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  EXPECT_EQ("w", Get("k005"));
}

TEST_F(DBIngestTest, OverlappingMemtableIsFlushedAndIngestedValuesWin) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "k010", "old"));
  ASSERT_OK(db_->Put(WriteOptions(), "k500", "mem"));
  ASSERT_EQ(0u, db_->GetLiveFilesMetaData().size());
  WriteFile("/ext/a.sst", Keys("k", 20, "new"));
  ASSERT_OK(Ingest({"/ext/a.sst"}));
  // The memtable went to L0 first, and the file overlaps it there.
  auto files = db_->GetLiveFilesMetaData();
  ASSERT_EQ(2u, files.size());
  for (const auto& f : files) EXPECT_EQ(0, f.level) << f.name;
  EXPECT_EQ("new", Get("k010"));
  EXPECT_EQ("mem", Get("k500"));
  std::map<std::string, std::string> model;
  for (const auto& [k, v] : Keys("k", 20, "new")) model[k] = v;
  model["k500"] = "mem";
  EXPECT_EQ(ModelScan(model), Scan());
  EXPECT_EQ(ModelScan(model, true), Scan(true));
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  EXPECT_EQ("new", Get("k010"));
  EXPECT_EQ(ModelScan(model), Scan());
}

TEST_F(DBIngestTest, NonOverlappingMemtableIsNotFlushed) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "z", "mem"));
  WriteFile("/ext/a.sst", Keys("k", 20, "new"));
  ASSERT_OK(Ingest({"/ext/a.sst"}));
  auto files = db_->GetLiveFilesMetaData();
  ASSERT_EQ(1u, files.size());
  EXPECT_EQ(kBottom, files[0].level);
  EXPECT_EQ("mem", Get("z"));
  EXPECT_EQ("new", Get("k003"));
}

TEST_F(DBIngestTest, OverlappingMemtableWithoutBlockingFlushIngestsNothing) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "k010", "old"));
  WriteFile("/ext/a.sst", Keys("k", 20, "new"));
  IngestExternalFileOptions o;
  o.allow_blocking_flush = false;
  Status s = Ingest({"/ext/a.sst"}, o);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(0u, db_->GetLiveFilesMetaData().size());
  EXPECT_TRUE(TableFilesInDb().empty());
  EXPECT_EQ("old", Get("k010"));
  EXPECT_EQ("NOT_FOUND", Get("k011"));
}

TEST_F(DBIngestTest, MemtableRangeTombstoneOverlapForcesFlush) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->DeleteRange(WriteOptions(), "k", "l"));
  WriteFile("/ext/a.sst", Keys("k", 5, "new"));
  ASSERT_OK(Ingest({"/ext/a.sst"}));
  // The older tombstone must not hide the newer ingested keys.
  EXPECT_EQ("new", Get("k002"));
  EXPECT_EQ("1", Get("a"));
}

TEST_F(DBIngestTest, OverlapWithL0LandsInL0) {
  Open();
  for (const auto& [k, v] : Keys("k", 50, "old")) {
    ASSERT_OK(db_->Put(WriteOptions(), k, v));
  }
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_EQ(0, LevelOf("k000"));
  WriteFile("/ext/a.sst", Keys("k0", 10, "new"));  // k0000..k0009
  WriteFile("/ext/b.sst", Keys("k04", 5, "new"));  // k04000..: between keys.
  ASSERT_OK(Ingest({"/ext/a.sst", "/ext/b.sst"}));
  for (const auto& f : db_->GetLiveFilesMetaData()) {
    EXPECT_EQ(0, f.level) << f.name << " " << f.smallest_key;
  }
  EXPECT_EQ(3u, db_->GetLiveFilesMetaData().size());
  std::map<std::string, std::string> model;
  for (const auto& [k, v] : Keys("k", 50, "old")) model[k] = v;
  for (const auto& [k, v] : Keys("k0", 10, "new")) model[k] = v;
  for (const auto& [k, v] : Keys("k04", 5, "new")) model[k] = v;
  EXPECT_EQ(ModelScan(model), Scan());
  EXPECT_EQ(ModelScan(model, true), Scan(true));
  EXPECT_EQ("old", Get("k000"));
  EXPECT_EQ("new", Get("k0000"));
}

TEST_F(DBIngestTest, PlacedAboveTheFirstOverlappingLevel) {
  options_.disable_auto_compactions = false;
  options_.level0_file_num_compaction_trigger = 1;
  Open();
  for (const auto& [k, v] : Keys("m", 50, "old")) {
    ASSERT_OK(db_->Put(WriteOptions(), k, v));
  }
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->WaitForCompact());
  const int data_level = LevelOf("m000");
  ASSERT_GT(data_level, 0) << "the flushed file was not compacted down";
  ASSERT_OK(db_->SetOptions({{"disable_auto_compactions", "true"}}));

  // Overlapping the data: the deepest level above it.
  WriteFile("/ext/over.sst", Keys("m01", 3, "new"));
  ASSERT_OK(Ingest({"/ext/over.sst"}));
  EXPECT_EQ(data_level - 1, LevelOf("m01001"));
  EXPECT_EQ("new", Get("m01001"));
  EXPECT_EQ("old", Get("m010"));

  // Not overlapping anything: the bottom level, below the data.
  WriteFile("/ext/after.sst", Keys("z", 3, "z"));
  WriteFile("/ext/before.sst", Keys("a", 3, "a"));
  ASSERT_OK(Ingest({"/ext/after.sst", "/ext/before.sst"}));
  EXPECT_EQ(kBottom, LevelOf("z000"));
  EXPECT_EQ(kBottom, LevelOf("a002"));
  EXPECT_EQ("z", Get("z001"));
  EXPECT_EQ("a", Get("a001"));
  EXPECT_EQ("a000=a a001=a a002=a ", Scan().substr(0, 21));
}

TEST_F(DBIngestTest, SeveralFilesGetSeparateSequenceNumbers) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "x", "1"));  // Sequence 1.
  WriteFile("/ext/c.sst", Keys("c", 10, "c"));
  WriteFile("/ext/a.sst", Keys("a", 10, "a"));
  WriteFile("/ext/b.sst", Keys("b", 10, "b"));
  ASSERT_OK(Ingest({"/ext/c.sst", "/ext/a.sst", "/ext/b.sst"}));
  auto files = db_->GetLiveFilesMetaData();
  ASSERT_EQ(3u, files.size());
  std::vector<uint64_t> seqs;
  for (const auto& f : files) {
    EXPECT_EQ(kBottom, f.level);
    EXPECT_EQ(f.smallest_seqno, f.largest_seqno);
    seqs.push_back(f.smallest_seqno);
  }
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ((std::vector<uint64_t>{2, 3, 4}), seqs);
  std::map<std::string, std::string> model = {{"x", "1"}};
  for (const char* p : {"a", "b", "c"}) {
    for (const auto& [k, v] : Keys(p, 10, p)) model[k] = v;
  }
  EXPECT_EQ(ModelScan(model), Scan());
  EXPECT_EQ(ModelScan(model, true), Scan(true));
  // The next write continues after the files' numbers.
  const Snapshot* snap = db_->GetSnapshot();
  EXPECT_EQ(4u, snap->GetSequenceNumber());
  db_->ReleaseSnapshot(snap);
  Reopen();
  EXPECT_EQ(ModelScan(model), Scan());
}

TEST_F(DBIngestTest, OverlappingFilesInOneCallAreInvalidArgument) {
  Open();
  WriteFile("/ext/a.sst", Keys("k", 10, "a"));
  WriteFile("/ext/b.sst", Keys("k00", 3, "b"));  // k000 < k0000 < k001.
  Status s = Ingest({"/ext/a.sst", "/ext/b.sst"});
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("/ext/a.sst"));
  EXPECT_NE(std::string::npos, s.ToString().find("/ext/b.sst"));
  EXPECT_EQ(0u, db_->GetLiveFilesMetaData().size());
  EXPECT_TRUE(TableFilesInDb().empty());
  EXPECT_EQ("NOT_FOUND", Get("k000"));
  // The same file twice overlaps itself.
  s = Ingest({"/ext/a.sst", "/ext/a.sst"});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ("", Scan());
}

TEST_F(DBIngestTest, RangeTombstonesInIngestedFileHideOlderKeys) {
  Open();
  for (char c = 'a'; c <= 'h'; ++c) {
    ASSERT_OK(db_->Put(WriteOptions(), std::string(1, c), "old"));
  }
  ASSERT_OK(db_->Flush(FlushOptions()));
  // A file holding a tombstone [c, f) and a newer value for g.
  WriteFile("/ext/t.sst", {{"g", "new"}}, {{"c", "f"}});
  ASSERT_OK(Ingest({"/ext/t.sst"}));
  EXPECT_EQ("NOT_FOUND", Get("c"));
  EXPECT_EQ("NOT_FOUND", Get("e"));
  EXPECT_EQ("old", Get("b"));
  EXPECT_EQ("old", Get("f"));
  EXPECT_EQ("new", Get("g"));
  const std::string want = "a=old b=old f=old g=new h=old ";
  EXPECT_EQ(want, Scan());
  EXPECT_EQ("h=old g=new f=old b=old a=old ", Scan(true));
  // Only a tombstone: its range alone decides the placement.
  WriteFile("/ext/only.sst", {}, {{"a", "b"}});
  ASSERT_OK(Ingest({"/ext/only.sst"}));
  EXPECT_EQ("NOT_FOUND", Get("a"));
  EXPECT_EQ("b=old f=old g=new h=old ", Scan());
  // Keys written after the ingestion are newer than its tombstones.
  ASSERT_OK(db_->Put(WriteOptions(), "d", "later"));
  EXPECT_EQ("b=old d=later f=old g=new h=old ", Scan());
  Reopen();
  EXPECT_EQ("b=old d=later f=old g=new h=old ", Scan());
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  EXPECT_EQ("b=old d=later f=old g=new h=old ", Scan());
  EXPECT_EQ("NOT_FOUND", Get("c"));
}

TEST_F(DBIngestTest, LinkKeepsTheSourceAndMoveRemovesIt) {
  Open();
  WriteFile("/ext/a.sst", Keys("a", 10, "a"));
  WriteFile("/ext/b.sst", Keys("b", 10, "b"));
  const std::string a_bytes = Content("/ext/a.sst");
  const std::string b_bytes = Content("/ext/b.sst");
  ASSERT_OK(Ingest({"/ext/a.sst"}));
  EXPECT_OK(fake_.FileExists("/ext/a.sst"));
  EXPECT_EQ(a_bytes, Content("/ext/a.sst"));
  IngestExternalFileOptions move;
  move.move_files = true;
  ASSERT_OK(Ingest({"/ext/b.sst"}, move));
  EXPECT_TRUE(fake_.FileExists("/ext/b.sst").IsNotFound());
  // Neither was copied.
  EXPECT_EQ(1u, fs_.recorder().Count([](const IORecord& r) {
    return r.op == FileOp::kLink && r.ok();
  }));
  EXPECT_EQ(1u, fs_.recorder().Count([](const IORecord& r) {
    return r.op == FileOp::kRename && r.path == "/ext/b.sst" && r.ok();
  }));
  EXPECT_EQ(0u, fs_.recorder().Count([](const IORecord& r) {
    return r.op == FileOp::kWrite && r.kind == FileKind::kTableExternal;
  }));
  for (const auto& f : db_->GetLiveFilesMetaData()) {
    EXPECT_EQ(f.smallest_key[0] == 'a' ? a_bytes : b_bytes,
              Content("/db" + f.name));
  }
  EXPECT_EQ("a", Get("a003"));
  EXPECT_EQ("b", Get("b003"));
}

TEST_F(DBIngestTest, ReopenTakesTheGlobalSequenceNumberFromTheManifest) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "k1", "old"));
  ASSERT_OK(db_->Put(WriteOptions(), "k2", "old"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  WriteFile("/ext/a.sst", {{"k1", "new"}, {"k3", "new"}});
  const std::string bytes = Content("/ext/a.sst");
  ASSERT_OK(Ingest({"/ext/a.sst"}));
  const std::string want = "k1=new k2=old k3=new ";
  EXPECT_EQ(want, Scan());
  uint64_t ingested_number = 0;
  for (const auto& f : db_->GetLiveFilesMetaData()) {
    if (f.largest_key == "k3") {
      ingested_number = f.file_number;
      EXPECT_EQ(3u, f.smallest_seqno);
    }
  }
  ASSERT_NE(0u, ingested_number);
  Reopen();
  // Read with sequence 0 (the file's own), k1=old would win.
  EXPECT_EQ(want, Scan());
  EXPECT_EQ("k3=new k2=old k1=new ", Scan(true));
  EXPECT_EQ("new", Get("k1"));
  bool seen = false;
  for (const auto& f : db_->GetLiveFilesMetaData()) {
    if (f.file_number != ingested_number) continue;
    seen = true;
    EXPECT_EQ(3u, f.smallest_seqno);
    EXPECT_EQ(3u, f.largest_seqno);
    // Ingestion never rewrote the file.
    EXPECT_EQ(bytes, Content("/db" + f.name));
  }
  EXPECT_TRUE(seen);
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  EXPECT_EQ(want, Scan());
  Reopen();
  EXPECT_EQ(want, Scan());
}

TEST_F(DBIngestTest, SnapshotsTakenBeforeDoNotSeeTheFile) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "k1", "old"));
  const Snapshot* snap = db_->GetSnapshot();
  WriteFile("/ext/a.sst", {{"k1", "new"}, {"k2", "new"}});
  ASSERT_OK(Ingest({"/ext/a.sst"}));
  EXPECT_EQ("old", Get("k1", snap));
  EXPECT_EQ("NOT_FOUND", Get("k2", snap));
  EXPECT_EQ("k1=old ", Scan(false, snap));
  EXPECT_EQ("k1=old ", Scan(true, snap));
  EXPECT_EQ("k1=new k2=new ", Scan());
  const Snapshot* after = db_->GetSnapshot();
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  EXPECT_EQ("old", Get("k1", snap));
  EXPECT_EQ("new", Get("k1", after));
  db_->ReleaseSnapshot(snap);
  db_->ReleaseSnapshot(after);
}

TEST_F(DBIngestTest, CorruptFileIsCorruptionNamingItAndNothingIsIngested) {
  Open();
  WriteFile("/ext/good.sst", Keys("a", 10, "a"));
  KVs big;
  for (int i = 0; i < 200; ++i) {
    big.emplace_back("b" + std::to_string(1000 + i), std::string(50, 'x'));
  }
  WriteFile("/ext/bad.sst", big);
  std::string bytes = Content("/ext/bad.sst");
  bytes[20] ^= 0x40;  // Inside the first data block.
  ASSERT_OK(fake_.WriteFileContent("/ext/bad.sst", bytes));
  Status s = Ingest({"/ext/good.sst", "/ext/bad.sst"});
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("/ext/bad.sst"))
      << s.ToString();
  EXPECT_EQ(0u, db_->GetLiveFilesMetaData().size());
  EXPECT_TRUE(TableFilesInDb().empty());
  EXPECT_EQ("", Scan());
  // Both sources are still there.
  EXPECT_OK(fake_.FileExists("/ext/good.sst"));
  EXPECT_OK(fake_.FileExists("/ext/bad.sst"));
  // Not a file from SstFileWriter at all.
  ASSERT_OK(fake_.WriteFileContent("/ext/junk.sst", std::string(100, 'j')));
  s = Ingest({"/ext/junk.sst"});
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("/ext/junk.sst"));
}

TEST_F(DBIngestTest, DBOwnTableIsNotAnExternalFile) {
  Open();
  ASSERT_OK(db_->Put(WriteOptions(), "a", "1"));
  ASSERT_OK(db_->Flush(FlushOptions()));
  auto files = db_->GetLiveFilesMetaData();
  ASSERT_EQ(1u, files.size());
  ASSERT_OK(
      fake_.WriteFileContent("/ext/own.sst", Content("/db" + files[0].name)));
  Status s = Ingest({"/ext/own.sst"});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("/ext/own.sst"));
}

TEST_F(DBIngestTest, FailedMoveLeavesTheSourcesWhereTheyWere) {
  Open();
  WriteFile("/ext/a.sst", Keys("a", 10, "a"));
  WriteFile("/ext/b.sst", Keys("b", 10, "b"));
  const std::string a_bytes = Content("/ext/a.sst");
  // b.sst can be neither renamed nor copied.
  FaultRule no_rename;
  no_rename.op = FileOp::kRename;
  no_rename.path_pattern = "/ext/b.sst";
  no_rename.error_number = EXDEV;
  fs_.AddRule(no_rename);
  FaultRule no_copy;
  no_copy.op = FileOp::kWrite;
  no_copy.path_pattern = "/db/";
  no_copy.error_number = ENOSPC;
  fs_.AddRule(no_copy);
  IngestExternalFileOptions move;
  move.move_files = true;
  Status s = Ingest({"/ext/a.sst", "/ext/b.sst"}, move);
  EXPECT_FALSE(s.ok());
  fs_.ClearRules();
  EXPECT_EQ(0u, db_->GetLiveFilesMetaData().size());
  EXPECT_TRUE(TableFilesInDb().empty());
  // a.sst was moved before b.sst failed: it is back in place.
  ASSERT_OK(fake_.FileExists("/ext/a.sst"));
  EXPECT_EQ(a_bytes, Content("/ext/a.sst"));
  EXPECT_OK(fake_.FileExists("/ext/b.sst"));
  ASSERT_OK(Ingest({"/ext/a.sst", "/ext/b.sst"}, move));
  EXPECT_EQ("a", Get("a001"));
  EXPECT_EQ("b", Get("b001"));
}

// Linking is impossible (another file system): the file is copied, written
// and read with the flush/compaction I/O mode.
class DBIngestCopyTest : public DBIngestTest,
                         public ::testing::WithParamInterface<bool> {};

TEST_P(DBIngestCopyTest, CopyUsesTheFlushAndCompactionMode) {
  const bool direct = GetParam();
  options_.use_direct_io_for_flush_and_compaction = direct;
  options_.writable_file_max_buffer_size = 8 << 10;
  options_.compaction_readahead_size = 4096;
  Open();
  KVs kvs;
  for (int i = 0; i < 300; ++i) {
    kvs.emplace_back("k" + std::to_string(1000 + i), std::string(60, 'v'));
  }
  WriteFile("/ext/a.sst", kvs);
  const std::string bytes = Content("/ext/a.sst");
  ASSERT_GT(bytes.size(), 16u << 10);
  FaultRule no_link;
  no_link.op = FileOp::kLink;
  no_link.error_number = EXDEV;
  const int rule = fs_.AddRule(no_link);
  fs_.recorder().Clear();
  ASSERT_OK(Ingest({"/ext/a.sst"}));
  EXPECT_EQ(1u, fs_.FireCount(rule));
  auto files = db_->GetLiveFilesMetaData();
  ASSERT_EQ(1u, files.size());
  const std::string target = "/db" + files[0].name;
  EXPECT_EQ(bytes, Content(target));
  EXPECT_OK(fake_.FileExists("/ext/a.sst"));

  const IOMode want = direct ? IOMode::kDirect : IOMode::kBuffered;
  const auto& rec = fs_.recorder();
  auto writes = rec.Records([&](const IORecord& r) {
    return r.op == FileOp::kWrite && r.path == target;
  });
  ASSERT_FALSE(writes.empty()) << rec.Dump();
  for (const auto& r : writes) {
    EXPECT_EQ(want, r.mode) << r.ToString();
    EXPECT_EQ(FileKind::kTableExternal, r.kind) << r.ToString();
    EXPECT_TRUE(r.ok()) << r.ToString();
  }
  // Verification and copy reads of the source.
  auto reads = rec.Records([&](const IORecord& r) {
    return r.op == FileOp::kRead && r.path == "/ext/a.sst";
  });
  ASSERT_FALSE(reads.empty()) << rec.Dump();
  uint64_t read_bytes = 0;
  for (const auto& r : reads) {
    EXPECT_EQ(want, r.mode) << r.ToString();
    EXPECT_EQ(FileKind::kTableExternal, r.kind) << r.ToString();
    read_bytes += r.result_length;
  }
  // Verified in full, then copied in full.
  EXPECT_GE(read_bytes, 2 * bytes.size()) << rec.Dump();
  // The copy is durable before the MANIFEST names it.
  const uint64_t synced = rec.Count([&](const IORecord& r) {
    return (r.op == FileOp::kSync || r.op == FileOp::kFsync) &&
           r.path == target && r.ok();
  });
  EXPECT_GE(synced, 1u) << rec.Dump();
  EXPECT_EQ(bytes.size(), fake_.SyncedSize(target));

  EXPECT_EQ(std::string(60, 'v'), Get("k1000"));
  EXPECT_EQ(std::string(60, 'v'), Get("k1299"));
  Reopen();
  EXPECT_EQ(std::string(60, 'v'), Get("k1150"));
}

INSTANTIATE_TEST_SUITE_P(, DBIngestCopyTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "DirectFlushAndCompaction"
                                             : "Buffered";
                         });

}  // namespace
}  // namespace strata
