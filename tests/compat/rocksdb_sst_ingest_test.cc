// Files written by RocksDB 7.8.3's own SstFileWriter, ingested into a
// strata DB on the real disk: Get and iteration (both directions) then see
// the file's Puts, Deletes and range tombstone on top of the older data,
// before and after a reopen and a full compaction. Run with RocksDB's
// default options and with zstd and XXH3 variants.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compat/compat_util.h"
#include "strata/db.h"
#include "strata/iterator.h"

namespace strata::compat {
namespace {

struct IngestCase {
  const char* name;
  bool rocksdb_defaults;  // rocksdb::Options() untouched; else `combo`.
  Combo combo;
};

std::vector<IngestCase> IngestCases() {
  Combo zstd_xxh3;
  zstd_xxh3.checksum = ChecksumType::kXXH3;
  zstd_xxh3.compression = CompressionType::kZSTD;
  Combo crc_old;
  crc_old.format_version = 2;
  crc_old.checksum = ChecksumType::kCRC32c;
  crc_old.block_size = 512;
  crc_old.restart_interval = 1;
  crc_old.bloom = true;
  Combo xxh64_zstd_bloom;
  xxh64_zstd_bloom.checksum = ChecksumType::kxxHash64;
  xxh64_zstd_bloom.compression = CompressionType::kZSTD;
  xxh64_zstd_bloom.bloom = true;
  return {{"RocksDbDefaults", true, Combo()},
          {"Zstd_XXH3", false, zstd_xxh3},
          {"Fv2_CRC32c_Bloom", false, crc_old},
          {"Zstd_XXH64_Bloom", false, xxh64_zstd_bloom}};
}

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%05d", i);
  return buf;
}

constexpr int kKeys = 3000;

class RocksDbSstIngestTest : public ::testing::TestWithParam<IngestCase> {
 protected:
  void SetUp() override {
    options_.create_if_missing = true;
    options_.disable_auto_compactions = true;
    db_path_ = dir_.Join("db");
    ASSERT_OK(DB::Open(options_, db_path_, &db_));
    // Older data, partly in an SST and partly in the memtable.
    for (int i = 0; i < kKeys; i += 2) {
      ASSERT_OK(db_->Put(WriteOptions(), Key(i), "old" + std::to_string(i)));
      model_[Key(i)] = "old" + std::to_string(i);
    }
    ASSERT_OK(db_->Flush(FlushOptions()));
    for (int i = 1; i < 200; i += 2) {
      ASSERT_OK(db_->Put(WriteOptions(), Key(i), "mem" + std::to_string(i)));
      model_[Key(i)] = "mem" + std::to_string(i);
    }
  }

  // With RocksDB's SstFileWriter: Puts of every third key (new values),
  // Deletes of every seventh, and one range tombstone [k02000, k02100).
  void WriteRocksDbFile(const std::string& path) {
    const IngestCase& c = GetParam();
    rocksdb::Options options =
        c.rocksdb_defaults ? rocksdb::Options() : RocksDbOptions(c.combo);
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), options);
    ASSERT_TRUE(RocksOk(writer.Open(path)));
    for (int i = 0; i < kKeys; ++i) {
      if (i % 7 == 0) {
        ASSERT_TRUE(RocksOk(writer.Delete(Key(i))));
        model_.erase(Key(i));
      } else if (i % 3 == 0) {
        const std::string value =
            "new" + std::to_string(i) + std::string(i % 50, 'x');
        ASSERT_TRUE(RocksOk(writer.Put(Key(i), value)));
        model_[Key(i)] = value;
      }
    }
    ASSERT_TRUE(RocksOk(writer.DeleteRange(Key(2000), Key(2100))));
    for (int i = 2000; i < 2100; ++i) {
      // The file's own Puts in the range share its sequence number, which
      // the tombstone does not cover.
      if (!(i % 3 == 0 && i % 7 != 0)) model_.erase(Key(i));
    }
    rocksdb::ExternalSstFileInfo info;
    ASSERT_TRUE(RocksOk(writer.Finish(&info)));
    ASSERT_GT(info.num_entries, 1000u);
  }

  void CheckAgainstModel(const std::string& when) {
    SCOPED_TRACE(when);
    for (int i = 0; i < kKeys + 10; ++i) {
      std::string value;
      Status s = db_->Get(ReadOptions(), Key(i), &value);
      auto it = model_.find(Key(i));
      if (it == model_.end()) {
        ASSERT_TRUE(s.IsNotFound())
            << Key(i) << ": " << s.ToString() << " " << value;
      } else {
        ASSERT_OK(s);
        ASSERT_EQ(it->second, value) << Key(i);
      }
    }
    auto iter = db_->NewIterator(ReadOptions());
    auto m = model_.begin();
    for (iter->SeekToFirst(); iter->Valid(); iter->Next(), ++m) {
      ASSERT_NE(m, model_.end()) << iter->key().ToString();
      ASSERT_EQ(m->first, iter->key().ToString());
      ASSERT_EQ(m->second, iter->value().ToString());
    }
    ASSERT_OK(iter->status());
    EXPECT_EQ(m, model_.end());
    auto r = model_.rbegin();
    for (iter->SeekToLast(); iter->Valid(); iter->Prev(), ++r) {
      ASSERT_NE(r, model_.rend()) << iter->key().ToString();
      ASSERT_EQ(r->first, iter->key().ToString());
      ASSERT_EQ(r->second, iter->value().ToString());
    }
    ASSERT_OK(iter->status());
    EXPECT_EQ(r, model_.rend());
    iter->Seek(Key(1999));
    ASSERT_TRUE(iter->Valid());
    EXPECT_EQ(model_.lower_bound(Key(1999))->first, iter->key().ToString());
  }

  void Reopen() {
    ASSERT_OK(db_->Close());
    db_.reset();
    ASSERT_OK(DB::Open(options_, db_path_, &db_));
  }

  DataSeedTrace trace_;
  test::ScratchDir dir_;
  std::string db_path_;
  Options options_;
  std::unique_ptr<DB> db_;
  std::map<std::string, std::string> model_;
};

TEST_P(RocksDbSstIngestTest, GetAndIterateSeeTheFile) {
  const std::string path = dir_.Join("rocksdb.sst");
  WriteRocksDbFile(path);
  if (HasFatalFailure()) return;
  const std::string bytes = ReadFileBytes(path);
  ASSERT_OK(db_->IngestExternalFile({path}, IngestExternalFileOptions()));
  CheckAgainstModel("after ingestion");
  if (HasFatalFailure()) return;
  Reopen();
  CheckAgainstModel("after reopen");
  if (HasFatalFailure()) return;
  // The ingested file is RocksDB's bytes, unchanged.
  bool found = false;
  for (const LiveFileMetaData& f : db_->GetLiveFilesMetaData()) {
    if (ReadFileBytes(f.db_path + f.name) == bytes) found = true;
  }
  EXPECT_TRUE(found);
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  CheckAgainstModel("after compaction");
  if (HasFatalFailure()) return;
  Reopen();
  CheckAgainstModel("after compaction and reopen");
  ASSERT_OK(db_->Close());
}

TEST_P(RocksDbSstIngestTest, IntoEmptyDBLandsAtTheBottom) {
  ASSERT_OK(db_->Close());
  db_.reset();
  ASSERT_OK(DestroyDB(db_path_, options_));
  ASSERT_OK(DB::Open(options_, db_path_, &db_));
  model_.clear();
  const std::string path = dir_.Join("rocksdb.sst");
  WriteRocksDbFile(path);
  if (HasFatalFailure()) return;
  ASSERT_OK(db_->IngestExternalFile({path}, IngestExternalFileOptions()));
  auto files = db_->GetLiveFilesMetaData();
  ASSERT_EQ(1u, files.size());
  EXPECT_EQ(options_.num_levels - 1, files[0].level);
  CheckAgainstModel("empty DB");
  ASSERT_OK(db_->Close());
}

INSTANTIATE_TEST_SUITE_P(, RocksDbSstIngestTest,
                         ::testing::ValuesIn(IngestCases()),
                         [](const ::testing::TestParamInfo<IngestCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace strata::compat
