// Crash tests of the store on the in-memory file system: power is lost at
// the n-th mutating file operation of a workload of synced and unsynced
// Puts, Deletes, DeleteRanges and WriteBatches with flushes, compactions and
// clean reopens, for every n (or a dense sample) over the whole run, under
// both settings of use_direct_io_for_flush_and_compaction.
//
// After each crash the DB must reopen, and what it holds must be the state
// after some prefix of the writes that is at least as long as the last
// write acknowledged with sync=true (values are unique, so a value that was
// never written, or an older one, shows up as a mismatch). Every SST the
// MANIFEST references must open and pass its checksums, and no other SST may
// be left in the directory.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/db_files.h"
#include "env/fake_file_system.h"
#include "env/file_system_wrapper.h"
#include "strata/db.h"
#include "strata/env.h"
#include "strata/iterator.h"
#include "strata/sst_file_reader.h"
#include "strata/write_batch.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

// A FileSystem over another that loses power at its n-th mutating
// operation (creating, writing, truncating, syncing, deleting, renaming or
// linking a file, creating or deleting a directory, fsyncing a directory):
// that operation and every later mutating one fail with EIO and never reach
// the base, which is left exactly as the crash found it. Reads, opens for
// reading, listings, locks and closes pass through. Thread-safe: the count
// is taken under a mutex, so every operation is either before the crash
// (and happens) or after it (and fails).
class CrashPointFileSystem final : public FileSystemWrapper {
 public:
  explicit CrashPointFileSystem(FileSystem* base) : FileSystemWrapper(base) {}

  // Counting restarts; the crash_at-th mutating operation from now on
  // crashes (0: never).
  void Arm(uint64_t crash_at) {
    std::lock_guard<std::mutex> lock(mutex_);
    count_ = 0;
    crash_at_ = crash_at;
    crashed_ = false;
    crash_what_.clear();
  }
  bool crashed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return crashed_;
  }
  uint64_t count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return count_;
  }
  // Mutating operations on SSTs (not reset by Arm).
  uint64_t sst_ops() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return sst_ops_;
  }
  std::string crash_what() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return crash_what_;
  }

  // OK if a mutating operation `what` on `path` may go ahead.
  IOStatus Mutate(const char* what, const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!crashed_) {
      ++count_;
      if (path.size() > 4 && path.compare(path.size() - 4, 4, ".sst") == 0) {
        ++sst_ops_;
      }
      if (crash_at_ == 0 || count_ < crash_at_) return IOStatus::OK();
      crashed_ = true;
      crash_what_ = std::string(what) + " " + path;
    }
    return IOStatus::FromErrno(
        std::string("While ") + what + " (after the crash point): " + path,
        EIO);
  }


  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override;
  IOStatus NewDirectory(const std::string& path,
                        std::unique_ptr<Directory>* result) override;
  IOStatus DeleteFile(const std::string& path) override {
    IOStatus s = Mutate("delete", path);
    return s.ok() ? target()->DeleteFile(path) : s;
  }
  IOStatus CreateDir(const std::string& path) override {
    IOStatus s = Mutate("mkdir", path);
    return s.ok() ? target()->CreateDir(path) : s;
  }
  IOStatus CreateDirIfMissing(const std::string& path) override {
    IOStatus s = Mutate("mkdir", path);
    return s.ok() ? target()->CreateDirIfMissing(path) : s;
  }
  IOStatus DeleteDir(const std::string& path) override {
    IOStatus s = Mutate("rmdir", path);
    return s.ok() ? target()->DeleteDir(path) : s;
  }
  IOStatus RenameFile(const std::string& source,
                      const std::string& target) override {
    IOStatus s = Mutate("rename", source + " -> " + target);
    return s.ok() ? FileSystemWrapper::RenameFile(source, target) : s;
  }
  IOStatus LinkFile(const std::string& source,
                    const std::string& target) override {
    IOStatus s = Mutate("link", source + " -> " + target);
    return s.ok() ? FileSystemWrapper::LinkFile(source, target) : s;
  }

 private:
  mutable std::mutex mutex_;
  uint64_t count_ = 0;      // Guarded by mutex_.
  uint64_t crash_at_ = 0;   // Guarded by mutex_.
  uint64_t sst_ops_ = 0;    // Guarded by mutex_.
  bool crashed_ = false;    // Guarded by mutex_.
  std::string crash_what_;  // Guarded by mutex_.
};

class CrashPointWritableFile final : public WritableFileWrapper {
 public:
  CrashPointWritableFile(std::unique_ptr<WritableFile> target,
                         CrashPointFileSystem* fs)
      : WritableFileWrapper(std::move(target)), fs_(fs) {}
  IOStatus Append(Slice data) override {
    IOStatus s = fs_->Mutate("write", path());
    return s.ok() ? target()->Append(data) : s;
  }
  IOStatus PositionedAppend(Slice data, uint64_t offset) override {
    IOStatus s = fs_->Mutate("pwrite", path());
    return s.ok() ? target()->PositionedAppend(data, offset) : s;
  }
  IOStatus Truncate(uint64_t size) override {
    IOStatus s = fs_->Mutate("truncate", path());
    return s.ok() ? target()->Truncate(size) : s;
  }
  IOStatus Sync() override {
    IOStatus s = fs_->Mutate("fdatasync", path());
    return s.ok() ? target()->Sync() : s;
  }
  IOStatus Fsync() override {
    IOStatus s = fs_->Mutate("fsync", path());
    return s.ok() ? target()->Fsync() : s;
  }
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes) override {
    IOStatus s = fs_->Mutate("sync_file_range", path());
    return s.ok() ? target()->RangeSync(offset, nbytes) : s;
  }
  IOStatus Allocate(uint64_t offset, uint64_t len) override {
    IOStatus s = fs_->Mutate("fallocate", path());
    return s.ok() ? target()->Allocate(offset, len) : s;
  }

 private:
  CrashPointFileSystem* const fs_;
};

class CrashPointDirectory final : public Directory {
 public:
  CrashPointDirectory(std::unique_ptr<Directory> base, std::string path,
                      CrashPointFileSystem* fs)
      : base_(std::move(base)), path_(std::move(path)), fs_(fs) {}
  IOStatus Fsync() override {
    IOStatus s = fs_->Mutate("fsync directory", path_);
    return s.ok() ? base_->Fsync() : s;
  }
  IOStatus Close() override { return base_->Close(); }

 private:
  std::unique_ptr<Directory> base_;
  const std::string path_;
  CrashPointFileSystem* const fs_;
};

IOStatus CrashPointFileSystem::NewWritableFile(
    const std::string& path, const FileOptions& options,
    std::unique_ptr<WritableFile>* result) {
  IOStatus s = Mutate("create", path);
  if (!s.ok()) return s;
  std::unique_ptr<WritableFile> file;
  s = target()->NewWritableFile(path, options, &file);
  if (!s.ok()) return s;
  *result = std::make_unique<CrashPointWritableFile>(std::move(file), this);
  return IOStatus::OK();
}

IOStatus CrashPointFileSystem::NewDirectory(
    const std::string& path, std::unique_ptr<Directory>* result) {
  std::unique_ptr<Directory> dir;
  IOStatus s = target()->NewDirectory(path, &dir);
  if (!s.ok()) return s;
  *result = std::make_unique<CrashPointDirectory>(std::move(dir), path, this);
  return IOStatus::OK();
}

// ---- The workload and its model ----------------------------------------

using State = std::map<std::string, std::string>;

struct Mutation {
  enum Type { kPut, kDelete, kDeleteRange } type;
  std::string a;  // Key, or the range's begin.
  std::string b;  // Value, or the range's end.
};

struct Step {
  enum Type { kWrite, kFlush, kCompact, kReopen } type = kWrite;
  std::vector<Mutation> mutations;  // kWrite: one, or a WriteBatch of many.
  bool batch = false;
  bool sync = false;
};

constexpr int kNumKeys = 40;

std::string KeyName(uint64_t i) {
  char buf[16];
  snprintf(buf, sizeof(buf), "k%03d", static_cast<int>(i));
  return buf;
}

// A fixed plan of steps from a seed; every value is unique ("v<step>.<i>"
// followed by padding, so memtables fill up quickly).
std::vector<Step> MakePlan(uint64_t seed, int num_steps) {
  test::Random rnd(seed);
  std::vector<Step> plan;
  auto value = [&](size_t step, size_t i) {
    std::string v = "v" + std::to_string(step) + "." + std::to_string(i) + ".";
    v.append(40 + rnd.Uniform(160), static_cast<char>('a' + step % 26));
    return v;
  };
  auto mutation = [&](size_t step, size_t i) {
    const uint64_t r = rnd.Uniform(10);
    Mutation m;
    if (r < 6) {
      m = {Mutation::kPut, KeyName(rnd.Uniform(kNumKeys)), value(step, i)};
    } else if (r < 9) {
      m = {Mutation::kDelete, KeyName(rnd.Uniform(kNumKeys)), ""};
    } else {
      uint64_t x = rnd.Uniform(kNumKeys), y = rnd.Uniform(kNumKeys);
      if (x > y) std::swap(x, y);
      m = {Mutation::kDeleteRange, KeyName(x), KeyName(y + 1)};
    }
    return m;
  };
  for (int i = 0; i < num_steps; ++i) {
    Step step;
    const uint64_t r = rnd.Uniform(100);
    if (r < 4) {
      step.type = Step::kFlush;
    } else if (r < 6) {
      step.type = Step::kCompact;
    } else if (r < 7) {
      step.type = Step::kReopen;
    } else {
      step.type = Step::kWrite;
      step.sync = rnd.OneIn(4);
      step.batch = rnd.OneIn(4);
      const size_t n = step.batch ? 2 + rnd.Uniform(4) : 1;
      for (size_t j = 0; j < n; ++j) {
        step.mutations.push_back(mutation(plan.size(), j));
      }
    }
    plan.push_back(std::move(step));
  }
  return plan;
}

void Apply(const Mutation& m, State* state) {
  switch (m.type) {
    case Mutation::kPut:
      (*state)[m.a] = m.b;
      break;
    case Mutation::kDelete:
      state->erase(m.a);
      break;
    case Mutation::kDeleteRange:
      state->erase(state->lower_bound(m.a), state->lower_bound(m.b));
      break;
  }
}

std::string Describe(const State& state) {
  std::string out;
  for (const auto& [k, v] : state) {
    out += k + "=" + v.substr(0, v.find('.', v.find('.') + 1)) + " ";
  }
  return out;
}

struct RunResult {
  bool crashed = false;
  std::string crash_what;
  uint64_t ops = 0;  // Mutating operations counted.
  // Writes (plan order, counted from 1) attempted, the last possibly failed;
  // and the last one acknowledged with sync=true (0: none).
  size_t attempted = 0;
  size_t last_synced = 0;
};

struct CrashConfig {
  bool direct_flush;
};

class DBCrashTest : public ::testing::TestWithParam<CrashConfig> {
 protected:
  Options MakeOptions(Env* env) const {
    Options o;
    o.env = env;
    o.create_if_missing = true;
    o.use_direct_io_for_flush_and_compaction = GetParam().direct_flush;
    o.write_buffer_size = 8 << 10;
    o.level0_file_num_compaction_trigger = 2;
    o.max_bytes_for_level_base = 8 << 10;
    o.max_bytes_for_level_multiplier = 2;
    o.target_file_size_base = 4 << 10;
    o.table_options.block_size = 512;
    o.writable_file_max_buffer_size = 64 << 10;
    return o;
  }

  // Runs the plan over `fs`, which crashes at its crash_at-th mutating
  // operation (0: never), stopping at the first failed step; then closes
  // the DB.
  RunResult RunPlan(const std::vector<Step>& plan, CrashPointFileSystem* fs,
                    Env* env, uint64_t crash_at) {
    RunResult r;
    fs->Arm(crash_at);
    const Options options = MakeOptions(env);
    std::unique_ptr<DB> db;
    Status s = DB::Open(options, "/db", &db);
    size_t write_index = 0;
    for (size_t i = 0; s.ok() && i < plan.size(); ++i) {
      const Step& step = plan[i];
      switch (step.type) {
        case Step::kWrite: {
          ++write_index;
          r.attempted = write_index;
          WriteOptions wo;
          wo.sync = step.sync;
          if (step.batch) {
            WriteBatch batch;
            for (const auto& m : step.mutations) {
              if (m.type == Mutation::kPut) s = batch.Put(m.a, m.b);
              if (m.type == Mutation::kDelete) s = batch.Delete(m.a);
              if (m.type == Mutation::kDeleteRange) {
                s = batch.DeleteRange(m.a, m.b);
              }
              EXPECT_OK(s);
            }
            s = db->Write(wo, &batch);
          } else {
            const Mutation& m = step.mutations[0];
            if (m.type == Mutation::kPut) s = db->Put(wo, m.a, m.b);
            if (m.type == Mutation::kDelete) s = db->Delete(wo, m.a);
            if (m.type == Mutation::kDeleteRange) {
              s = db->DeleteRange(wo, m.a, m.b);
            }
          }
          if (s.ok() && step.sync) r.last_synced = write_index;
          break;
        }
        case Step::kFlush:
          s = db->Flush(FlushOptions());
          break;
        case Step::kCompact:
          s = db->CompactRange(CompactRangeOptions(), nullptr, nullptr);
          break;
        case Step::kReopen:
          s = db->Close();
          db.reset();
          if (s.ok()) s = DB::Open(options, "/db", &db);
          break;
      }
    }
    if (db != nullptr) {
      (void)db->Close();  // Fails after the crash point; that is the test.
      db.reset();
    }
    r.crashed = fs->crashed();
    r.crash_what = fs->crash_what();
    r.ops = fs->count();
    return r;
  }

  // Reopens after the crash and checks everything the file header lists.
  void CheckRecovered(const std::vector<Step>& plan, const RunResult& r,
                      FakeFileSystem* base, CrashPointFileSystem* fs,
                      Env* env) {
    fs->Arm(0);
    const Options options = MakeOptions(env);
    std::unique_ptr<DB> db;
    Status s = DB::Open(options, "/db", &db);
    ASSERT_TRUE(s.ok()) << "reopen after the crash: " << s.ToString();

    State recovered;
    {
      auto it = db->NewIterator(ReadOptions());
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        recovered[it->key().ToString()] = it->value().ToString();
      }
      ASSERT_OK(it->status());
    }
    for (int i = 0; i < kNumKeys; ++i) {
      std::string value;
      s = db->Get(ReadOptions(), KeyName(i), &value);
      auto found = recovered.find(KeyName(i));
      if (found == recovered.end()) {
        EXPECT_TRUE(s.IsNotFound()) << KeyName(i) << ": " << s.ToString();
      } else {
        EXPECT_OK(s);
        EXPECT_EQ(found->second, value) << KeyName(i);
      }
    }

    // The state after writes [1, p] for every p; the recovered one must be
    // one of those with p >= last_synced.
    State state;
    size_t write_index = 0;
    bool matched = false;
    State at_synced;
    if (r.last_synced == 0) matched = recovered == state;
    for (const Step& step : plan) {
      if (step.type != Step::kWrite) continue;
      if (++write_index > r.attempted) break;
      for (const auto& m : step.mutations) Apply(m, &state);
      if (write_index == r.last_synced) at_synced = state;
      if (write_index >= r.last_synced && recovered == state) matched = true;
    }
    EXPECT_TRUE(matched)
        << "the recovered DB is not the state after any prefix of the "
           "writes at least as long as the last synced one ("
        << r.last_synced << " of " << r.attempted << " attempted)\n"
        << "recovered: " << Describe(recovered) << "\n"
        << "at the last synced write: " << Describe(at_synced) << "\n"
        << "after every attempted write: " << Describe(state);

    // Every live SST is whole.
    ASSERT_OK(db->WaitForCompact());
    for (const auto& f : db->GetLiveFilesMetaData()) {
      const std::string path = "/db" + f.name;
      SstFileReaderOptions ro;
      ro.file_system = base;
      SstFileReader reader(ro);
      EXPECT_OK(reader.Open(path));
      EXPECT_OK(reader.VerifyChecksum());
      EXPECT_OK(reader.VerifyNumEntries());
    }
    // The DB works on: a write, a flush, a reopen.
    WriteOptions wo;
    wo.sync = true;
    ASSERT_OK(db->Put(wo, "zz-after", "crash"));
    ASSERT_OK(db->Flush(FlushOptions()));
    // Files obsolete while the scan above pinned them went when its
    // iterator did; the crash's leftovers went at Open.
    ASSERT_OK(db->WaitForCompact());
    const std::set<std::string> live_names = test::LiveTables(*db);
    for (const auto& name : test::TablesOnDisk(*base, "/db")) {
      EXPECT_TRUE(live_names.count(name) > 0)
          << "/db/" << name << " is left behind, not referenced";
    }

    ASSERT_OK(db->Close());
    db.reset();
    ASSERT_OK(DB::Open(options, "/db", &db));
    std::string value;
    ASSERT_OK(db->Get(ReadOptions(), "zz-after", &value));
    EXPECT_EQ("crash", value);
    ASSERT_OK(db->Close());
  }

  // One run: the plan, a crash at operation `crash_at`, the checks. Returns
  // the run's result (crashed false once crash_at is past the end).
  RunResult CrashAt(const std::vector<Step>& plan, uint64_t plan_seed,
                    uint64_t crash_at) {
    FakeFileSystem base;
    CrashPointFileSystem fs(&base);
    ManualClock clock;
    Env env(&fs, &clock);
    const RunResult r = RunPlan(plan, &fs, &env, crash_at);
    // Even crash points drop every unsynced byte; odd ones keep a random
    // prefix of each file's unsynced tail (a torn write).
    const bool torn = crash_at % 2 == 1;
    if (torn) {
      base.SimulateCrash(crash_at * 1000003 + plan_seed);
    } else {
      base.SimulateCrash();
    }
    SCOPED_TRACE("plan seed " + std::to_string(plan_seed) + ", crash at " +
                 "mutating operation " + std::to_string(crash_at) + " (" +
                 (r.crashed ? r.crash_what : std::string("none")) + "), " +
                 (torn ? "torn tails" : "unsynced bytes dropped"));
    CheckRecovered(plan, r, &base, &fs, &env);
    return r;
  }
};

TEST_P(DBCrashTest, CrashAtEveryNthOperation) {
  for (uint64_t plan_seed : {20240611u, 7u, 99u}) {
    const std::vector<Step> plan = MakePlan(plan_seed, 180);

    // A run without a crash measures the number of operations and shows
    // that the plan flushes, compacts and syncs.
    uint64_t total = 0;
    {
      FakeFileSystem base;
      CrashPointFileSystem fs(&base);
      ManualClock clock;
      Env env(&fs, &clock);
      const RunResult r = RunPlan(plan, &fs, &env, 0);
      ASSERT_FALSE(r.crashed);
      ASSERT_GT(r.last_synced, 0u);
      ASSERT_GT(fs.sst_ops(), 20u) << "the plan writes too few tables";
      total = r.ops;
    }
    // Every operation when that is affordable, else a dense sample (the
    // stride is odd, so both crash modes are covered).
    constexpr uint64_t kMaxRuns = 1000;
    uint64_t stride = 1;
    while (total / stride > kMaxRuns) stride += 2;
    uint64_t crashed_runs = 0;
    for (uint64_t n = 1;; n += stride) {
      const RunResult r = CrashAt(plan, plan_seed, n);
      if (::testing::Test::HasFailure()) {
        ADD_FAILURE() << "first failure at crash point " << n << " of about "
                      << total << " (plan seed " << plan_seed << ")";
        return;
      }
      if (!r.crashed) break;
      ++crashed_runs;
    }
    EXPECT_GT(crashed_runs, total / stride / 2);
    std::printf("plan %llu: %llu operations, %llu crash points (stride %llu)\n",
                static_cast<unsigned long long>(plan_seed),
                static_cast<unsigned long long>(total),
                static_cast<unsigned long long>(crashed_runs),
                static_cast<unsigned long long>(stride));
  }
}

INSTANTIATE_TEST_SUITE_P(DirectFlush, DBCrashTest,
                         ::testing::Values(CrashConfig{false},
                                           CrashConfig{true}),
                         [](const ::testing::TestParamInfo<CrashConfig>& info) {
                           return info.param.direct_flush
                                      ? std::string("DirectFlush")
                                      : std::string("BufferedFlush");
                         });

}  // namespace
}  // namespace strata
