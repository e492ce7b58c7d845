// Page-cache residency of the store's files on the real disk (Env::Default:
// the Posix file system and the real clock), measured with mincore
// (util/page_cache.h). With both direct options on, no SST page ever enters
// the page cache, through fill, flush, compaction, a full scan and random
// Gets, while the buffered WAL does. With direct flush/compaction only, new
// SSTs stay (almost) out of the cache until a buffered scan reads them in.
// With neither, a flushed SST is in the cache. Skipped, with the probe's
// reason, where residency cannot be measured (tmpfs, btrfs, ...).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "strata/db.h"
#include "strata/env.h"
#include "strata/file_system.h"
#include "strata/iterator.h"
#include "testutil/testutil.h"
#include "util/page_cache.h"

namespace strata {
namespace {

constexpr int kKeys = 6000;
constexpr size_t kValueBytes = 1000;  // About 6 MB in all.

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

class DBPageCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ResidencyProbeResult probe = ProbeResidencyMeasurable(dir_.path());
    if (!probe.measurable) {
      GTEST_SKIP() << "page-cache residency not measurable: " << probe.reason;
    }
    const std::string no_direct = test::DirectIOUnavailableReason(dir_.path());
    if (!no_direct.empty()) GTEST_SKIP() << no_direct;
    path_ = dir_.Join("db");
    options_.create_if_missing = true;
    options_.write_buffer_size = 2 << 20;
    options_.target_file_size_base = 2 << 20;
    options_.level0_file_num_compaction_trigger = 2;
    options_.writable_file_max_buffer_size = 256 << 10;
    options_.table_options.compression = CompressionType::kNoCompression;
  }
  void TearDown() override {
    if (db_ != nullptr) EXPECT_OK(db_->Close());
    db_.reset();
  }

  void Fill() {
    ASSERT_OK(DB::Open(options_, path_, &db_));
    test::Random rnd(7);
    for (int i = 0; i < kKeys; ++i) {
      // Written in a scattered order so that compactions merge files.
      const int k = static_cast<int>((static_cast<uint64_t>(i) * 7919) % kKeys);
      ASSERT_OK(db_->Put(WriteOptions(), Key(k), rnd.RandomBytes(kValueBytes)));
    }
  }
  void FullScan(size_t* count) {
    auto it = db_->NewIterator(ReadOptions());
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    ASSERT_OK(it->status());
    *count = n;
  }
  void RandomGets() {
    test::Random rnd(11);
    std::string value;
    for (int i = 0; i < 500; ++i) {
      ASSERT_OK(db_->Get(ReadOptions(),
                         Key(static_cast<int>(rnd.Uniform(kKeys))), &value));
      ASSERT_EQ(kValueBytes, value.size());
    }
  }

  struct FileResidency {
    std::string name;
    PageCacheResidency r;
  };
  // Every file of the DB whose name ends with `suffix`.
  std::vector<FileResidency> Measure(const std::string& suffix) {
    std::vector<std::string> names;
    EXPECT_OK(Env::Default()->file_system()->GetChildren(path_, &names));
    std::vector<FileResidency> out;
    for (const auto& n : names) {
      if (n.size() <= suffix.size() ||
          n.compare(n.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      FileResidency f{n, {}};
      EXPECT_OK(MeasurePageCacheResidency(path_ + "/" + n, &f.r));
      out.push_back(f);
    }
    return out;
  }
  static std::string Describe(const std::vector<FileResidency>& files) {
    std::string s;
    for (const auto& f : files) {
      s += f.name + ": " + std::to_string(f.r.resident_bytes) + " of " +
           std::to_string(f.r.file_bytes) + " resident\n";
    }
    return s;
  }
  uint64_t TotalBytes(const std::vector<FileResidency>& files) {
    uint64_t n = 0;
    for (const auto& f : files) n += f.r.file_bytes;
    return n;
  }
  uint64_t ResidentBytes(const std::vector<FileResidency>& files) {
    uint64_t n = 0;
    for (const auto& f : files) n += f.r.resident_bytes;
    return n;
  }

  test::ScratchDir dir_;
  std::string path_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_F(DBPageCacheTest, BothDirectOptionsKeepEverySstOutOfThePageCache) {
  options_.use_direct_reads = true;
  options_.use_direct_io_for_flush_and_compaction = true;
  Fill();
  if (HasFatalFailure()) return;
  ASSERT_OK(db_->Flush(FlushOptions()));
  ASSERT_OK(db_->WaitForCompact());
  ASSERT_OK(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr));
  size_t n = 0;
  FullScan(&n);
  ASSERT_EQ(static_cast<size_t>(kKeys), n);
  RandomGets();
  if (HasFatalFailure()) return;
  // Unflushed writes: the WAL holds them, buffered.
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(db_->Put(WriteOptions(), "wal" + std::to_string(i),
                       std::string(kValueBytes, 'w')));
  }
  const auto ssts = Measure(".sst");
  ASSERT_FALSE(ssts.empty());
  ASSERT_GT(TotalBytes(ssts), 4u << 20) << Describe(ssts);
  for (const auto& f : ssts) {
    EXPECT_EQ(0u, f.r.resident_bytes) << Describe(ssts);
  }
  const auto wals = Measure(".log");
  uint64_t wal_resident = 0;
  for (const auto& f : wals) wal_resident += f.r.resident_bytes;
  EXPECT_GE(wal_resident, 100 * kValueBytes) << Describe(wals);
}

TEST_F(DBPageCacheTest, DirectFlushOnlyLeavesSstsOutUntilABufferedScan) {
  options_.use_direct_io_for_flush_and_compaction = true;
  options_.disable_auto_compactions = true;
  Fill();
  if (HasFatalFailure()) return;
  ASSERT_OK(db_->Flush(FlushOptions()));
  const auto flushed = Measure(".sst");
  ASSERT_FALSE(flushed.empty());
  // Only what opening a table for user reads touches (its tail) may be
  // resident: well under a tenth of the data.
  EXPECT_LT(ResidentBytes(flushed), TotalBytes(flushed) / 10)
      << Describe(flushed);
  size_t n = 0;
  FullScan(&n);
  ASSERT_EQ(static_cast<size_t>(kKeys), n);
  const auto scanned = Measure(".sst");
  EXPECT_GE(ResidentBytes(scanned), TotalBytes(scanned) * 9 / 10)
      << Describe(scanned);
}

TEST_F(DBPageCacheTest, BufferedFlushLeavesSstsInThePageCache) {
  options_.disable_auto_compactions = true;
  Fill();
  if (HasFatalFailure()) return;
  ASSERT_OK(db_->Flush(FlushOptions()));
  const auto flushed = Measure(".sst");
  ASSERT_FALSE(flushed.empty());
  EXPECT_GE(ResidentBytes(flushed), TotalBytes(flushed) * 9 / 10)
      << Describe(flushed);
}

}  // namespace
}  // namespace strata
