// Model-based randomized test of the store: thousands of random Put,
// Delete, SingleDelete, DeleteRange, Write, Get, MultiGet, iteration,
// snapshot, Flush, CompactRange and reopen operations, each checked against
// a std::map, under every valid combination of the two direct-I/O options
// and the two mmap options, on the in-memory file system (which enforces the
// kernel's direct-I/O alignment rules).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "strata/db.h"
#include "strata/statistics.h"
#include "strata/write_batch.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using Model = std::map<std::string, std::string>;

struct IOConfig {
  bool direct_reads;
  bool direct_flush;
  bool mmap_reads;
  bool mmap_writes;
  std::string Name() const {
    std::string n;
    n += direct_reads ? "DirectReads" : "BufferedReads";
    n += direct_flush ? "_DirectFlush" : "_BufferedFlush";
    if (mmap_reads) n += "_MmapReads";
    if (mmap_writes) n += "_MmapWrites";
    return n;
  }
};

// Every combination RocksDB's rules (S4, S8, S5) allow.
std::vector<IOConfig> ValidConfigs() {
  std::vector<IOConfig> out;
  for (int bits = 0; bits < 16; ++bits) {
    IOConfig c{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0,
               (bits & 8) != 0};
    if (c.mmap_reads && (c.direct_reads || c.direct_flush)) continue;
    if (c.mmap_writes && c.direct_flush) continue;
    out.push_back(c);
  }
  return out;
}

class DBModelTest : public ::testing::TestWithParam<IOConfig> {
 protected:
  DBModelTest() : env_(&fs_, &clock_) {
    const IOConfig& c = GetParam();
    options_.env = &env_;
    options_.create_if_missing = true;
    options_.use_direct_reads = c.direct_reads;
    options_.use_direct_io_for_flush_and_compaction = c.direct_flush;
    options_.allow_mmap_reads = c.mmap_reads;
    options_.allow_mmap_writes = c.mmap_writes;
    // Small everything, so that flushes and compactions happen constantly.
    options_.write_buffer_size = 16 << 10;
    options_.level0_file_num_compaction_trigger = 2;
    options_.max_bytes_for_level_base = 8 << 10;
    options_.max_bytes_for_level_multiplier = 2;
    options_.target_file_size_base = 4 << 10;
    options_.table_options.block_size = 512;
    options_.table_options.bloom_bits_per_key = 10;
    options_.writable_file_max_buffer_size = 64 << 10;
    options_.statistics = CreateDBStatistics();
  }

  void Open() { ASSERT_OK(DB::Open(options_, "/db", &db_)); }
  void Reopen() {
    ASSERT_OK(db_->Close());
    db_.reset();
    Open();
  }

  std::string RandomKey(test::Random& rnd) {
    // A small key space, so keys are overwritten and deleted often.
    return "key" + std::to_string(rnd.Uniform(300));
  }

  // Checks a full forward or reverse scan, optionally bounded, against the
  // model.
  void CheckScan(const Model& model, const ReadOptions& ro, bool reverse,
                 const std::string* lower, const std::string* upper) {
    std::vector<std::pair<std::string, std::string>> expected;
    for (const auto& kv : model) {
      if (lower != nullptr && kv.first < *lower) continue;
      if (upper != nullptr && kv.first >= *upper) continue;
      expected.push_back(kv);
    }
    if (reverse) std::reverse(expected.begin(), expected.end());
    auto it = db_->NewIterator(ro);
    std::vector<std::pair<std::string, std::string>> got;
    if (reverse) {
      for (it->SeekToLast(); it->Valid(); it->Prev()) {
        got.emplace_back(it->key().ToString(), it->value().ToString());
      }
    } else {
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        got.emplace_back(it->key().ToString(), it->value().ToString());
      }
    }
    ASSERT_OK(it->status());
    ASSERT_EQ(expected, got) << (reverse ? "reverse" : "forward") << " scan";
  }

  FakeFileSystem fs_;
  ManualClock clock_;
  Env env_;
  Options options_;
  std::unique_ptr<DB> db_;
};

TEST_P(DBModelTest, RandomOperationsMatchModel) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    test::Random rnd(seed * 7919 + 17);
    (void)DestroyDB("/db", options_);
    Open();
    Model model;
    struct SnapshotState {
      const Snapshot* snapshot;
      Model model;
    };
    std::vector<SnapshotState> snapshots;
    const int kOps = 4000;
    for (int op = 0; op < kOps; ++op) {
      const uint64_t r = rnd.Uniform(100);
      SCOPED_TRACE("op " + std::to_string(op));
      if (r < 35) {
        const std::string key = RandomKey(rnd);
        const std::string value =
            "v" + std::to_string(op) + std::string(rnd.Uniform(120), 'x');
        ASSERT_OK(db_->Put(WriteOptions(), key, value));
        model[key] = value;
      } else if (r < 45) {
        const std::string key = RandomKey(rnd);
        ASSERT_OK(db_->Delete(WriteOptions(), key));
        model.erase(key);
      } else if (r < 48) {
        const std::string key = RandomKey(rnd);
        ASSERT_OK(db_->SingleDelete(WriteOptions(), key));
        model.erase(key);
      } else if (r < 51) {
        std::string a = RandomKey(rnd), b = RandomKey(rnd);
        if (b < a) std::swap(a, b);
        ASSERT_OK(db_->DeleteRange(WriteOptions(), a, b));
        model.erase(model.lower_bound(a), model.lower_bound(b));
      } else if (r < 56) {
        WriteBatch batch;
        const int n = static_cast<int>(rnd.Uniform(8)) + 1;
        for (int i = 0; i < n; ++i) {
          const std::string key = RandomKey(rnd);
          if (rnd.OneIn(3)) {
            ASSERT_OK(batch.Delete(key));
            model.erase(key);
          } else {
            const std::string value = "b" + std::to_string(op) + "." +
                                      std::to_string(i);
            ASSERT_OK(batch.Put(key, value));
            model[key] = value;
          }
        }
        WriteOptions wo;
        wo.sync = rnd.OneIn(4);
        ASSERT_OK(db_->Write(wo, &batch));
      } else if (r < 70) {
        const std::string key = RandomKey(rnd);
        std::string value;
        Status s = db_->Get(ReadOptions(), key, &value);
        auto it = model.find(key);
        if (it == model.end()) {
          ASSERT_TRUE(s.IsNotFound()) << key << ": " << s.ToString();
        } else {
          ASSERT_OK(s);
          ASSERT_EQ(it->second, value) << key;
        }
      } else if (r < 73) {
        std::vector<std::string> keys;
        for (int i = 0; i < 5; ++i) keys.push_back(RandomKey(rnd));
        std::vector<Slice> slices(keys.begin(), keys.end());
        std::vector<std::string> values;
        auto statuses = db_->MultiGet(ReadOptions(), slices, &values);
        for (size_t i = 0; i < keys.size(); ++i) {
          auto it = model.find(keys[i]);
          if (it == model.end()) {
            ASSERT_TRUE(statuses[i].IsNotFound()) << keys[i];
          } else {
            ASSERT_OK(statuses[i]);
            ASSERT_EQ(it->second, values[i]);
          }
        }
      } else if (r < 78) {
        std::string lower = RandomKey(rnd), upper = RandomKey(rnd);
        if (upper < lower) std::swap(lower, upper);
        Slice lower_slice(lower), upper_slice(upper);
        ReadOptions ro;
        const bool bounded = rnd.OneIn(2);
        if (bounded) {
          ro.iterate_lower_bound = &lower_slice;
          ro.iterate_upper_bound = &upper_slice;
        }
        CheckScan(model, ro, rnd.OneIn(2), bounded ? &lower : nullptr,
                  bounded ? &upper : nullptr);
        if (HasFatalFailure()) return;
      } else if (r < 81) {
        // Seek / SeekForPrev at a random target, then a few steps.
        const std::string target = RandomKey(rnd);
        auto it = db_->NewIterator(ReadOptions());
        if (rnd.OneIn(2)) {
          it->Seek(target);
          auto m = model.lower_bound(target);
          for (int i = 0; i < 3 && m != model.end(); ++i, ++m) {
            ASSERT_TRUE(it->Valid()) << "Seek(" << target << ") step " << i
                                     << ": " << it->status().ToString();
            ASSERT_EQ(m->first, it->key().ToString());
            it->Next();
          }
          if (m == model.end()) {
            ASSERT_FALSE(it->Valid());
          }
        } else {
          it->SeekForPrev(target);
          auto m = model.upper_bound(target);
          if (m == model.begin()) {
            ASSERT_FALSE(it->Valid());
          } else {
            --m;
            ASSERT_TRUE(it->Valid()) << "SeekForPrev(" << target
                                     << "): " << it->status().ToString();
            ASSERT_EQ(m->first, it->key().ToString());
          }
        }
        ASSERT_OK(it->status());
      } else if (r < 84) {
        if (snapshots.size() < 4) {
          snapshots.push_back({db_->GetSnapshot(), model});
        } else {
          const size_t i = rnd.Uniform(snapshots.size());
          // Check it fully before releasing it.
          ReadOptions ro;
          ro.snapshot = snapshots[i].snapshot;
          CheckScan(snapshots[i].model, ro, false, nullptr, nullptr);
          if (HasFatalFailure()) return;
          db_->ReleaseSnapshot(snapshots[i].snapshot);
          snapshots.erase(snapshots.begin() + static_cast<long>(i));
        }
      } else if (r < 88 && !snapshots.empty()) {
        const auto& snap = snapshots[rnd.Uniform(snapshots.size())];
        const std::string key = RandomKey(rnd);
        ReadOptions ro;
        ro.snapshot = snap.snapshot;
        std::string value;
        Status s = db_->Get(ro, key, &value);
        auto it = snap.model.find(key);
        if (it == snap.model.end()) {
          ASSERT_TRUE(s.IsNotFound()) << key << " at snapshot";
        } else {
          ASSERT_OK(s);
          ASSERT_EQ(it->second, value) << key << " at snapshot";
        }
      } else if (r < 92) {
        ASSERT_OK(db_->Flush(FlushOptions()));
      } else if (r < 94) {
        std::string a = RandomKey(rnd), b = RandomKey(rnd);
        if (b < a) std::swap(a, b);
        Slice as(a), bs(b);
        const bool whole = rnd.OneIn(2);
        ASSERT_OK(db_->CompactRange(CompactRangeOptions(),
                                    whole ? nullptr : &as,
                                    whole ? nullptr : &bs));
      } else if (r < 96) {
        for (auto& s : snapshots) db_->ReleaseSnapshot(s.snapshot);
        snapshots.clear();
        Reopen();
      }
    }
    CheckScan(model, ReadOptions(), false, nullptr, nullptr);
    for (auto& s : snapshots) db_->ReleaseSnapshot(s.snapshot);
    snapshots.clear();
    ASSERT_OK(db_->WaitForCompact());
    Reopen();
    CheckScan(model, ReadOptions(), true, nullptr, nullptr);
    // The run exercised what it is meant to: flushes, compactions that
    // dropped overwritten entries, and tables on more than one level.
    Statistics& st = *options_.statistics;
    EXPECT_GT(st.getTickerCount(FLUSH_WRITE_BYTES), 0u);
    EXPECT_GT(st.getTickerCount(COMPACT_WRITE_BYTES), 0u);
    EXPECT_GT(st.getTickerCount(COMPACTION_KEY_DROP_NEWER_ENTRY), 0u);
    int levels_used = 0;
    for (int level = 0; level < 7; ++level) {
      uint64_t n = 0;
      ASSERT_TRUE(db_->GetIntProperty(
          "rocksdb.num-files-at-level" + std::to_string(level), &n));
      levels_used += n > 0 ? 1 : 0;
    }
    EXPECT_GE(levels_used, 2);
    ASSERT_OK(db_->Close());
    db_.reset();
  }
}

INSTANTIATE_TEST_SUITE_P(
    IOOptions, DBModelTest, ::testing::ValuesIn(ValidConfigs()),
    [](const ::testing::TestParamInfo<IOConfig>& info) {
      return info.param.Name();
    });

}  // namespace
}  // namespace strata
