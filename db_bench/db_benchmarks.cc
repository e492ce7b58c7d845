// The store benchmarks (DB::Open), with RocksDB db_bench's meaning of each
// name, counts and messages:
//   writes   fillseq, fillrandom, filluniquerandom, fillsync (num/1000,
//            synced), fill100K (num/1000 values of 100 KB), fillbatch
//            (batches of 1000), overwrite; the fill* ones start from an
//            empty DB and are skipped with --use_existing_db
//   reads    readseq, readreverse, readrandom, readmissing (keys one byte
//            longer: never found), seekrandom (--seek_nexts), multireadrandom
//            (--batch_size keys per MultiGet)
//   mixed    readwhilewriting (one extra writer thread, not counted),
//            readrandomwriterandom (--readwritepercent), updaterandom
//   deletes  deleteseq, deleterandom
//   upkeep   compact; flush and waitforcompaction (RocksDB's lines
//            "flush memtable" and "waitforcompaction(<db>): started/finished",
//            no result line)
//   print    stats, levelstats, sstables (no result line)
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db_bench/bench_flags.h"
#include "db_bench/benchmark_suite.h"
#include "strata/db.h"
#include "strata/statistics.h"
#include "strata/write_batch.h"

namespace strata::bench {
namespace {

[[noreturn]] void Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "%s error: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// What one benchmark does, decided in Prepare from its name and the flags.
struct Plan {
  KeyOrder order = KeyOrder::kSequential;
  int64_t num = 0;  // Key space.
  int64_t ops = 0;  // Operations per thread.
  int value_size = 100;
  int64_t batch = 1;       // Entries per WriteBatch / keys per MultiGet.
  int key_size_delta = 0;  // readmissing: 1.
  WriteOptions write;
};

class DBSuite : public BenchmarkSuite {
 public:
  bool Has(const std::string& name) const override {
    static const std::set<std::string> names = {
        "fillseq",         "fillrandom",       "filluniquerandom",
        "overwrite",       "fillsync",         "fill100K",
        "fillbatch",       "readseq",          "readreverse",
        "readrandom",      "readmissing",      "seekrandom",
        "multireadrandom", "readwhilewriting", "readrandomwriterandom",
        "updaterandom",    "deleteseq",        "deleterandom",
        "flush",           "compact",          "waitforcompaction",
        "stats",           "levelstats",       "sstables"};
    return names.count(name) > 0;
  }

  int ExtraThreads(const std::string& name) const override {
    return name == "readwhilewriting" ? 1 : 0;
  }

  // As RocksDB's db_bench, flush and waitforcompaction print what they did
  // instead of a result line.
  bool PrintOnly(const std::string& name) const override {
    return name == "stats" || name == "levelstats" || name == "sstables" ||
           name == "flush" || name == "waitforcompaction";
  }

  std::string SkipReason(const std::string& name) const override {
    return IsFill(name) && FLAGS_use_existing_db ? "--use_existing_db is true"
                                                 : "";
  }

  Status Prepare(const std::string& name) override {
    Status s;
    if (IsFill(name)) {
      s = Reopen(/*destroy=*/true);
    } else if (db_ == nullptr) {
      s = Reopen(/*destroy=*/!FLAGS_use_existing_db && !destroyed_once_);
    }
    if (!s.ok()) return s;
    MakePlan(name);
    TakeSnapshot();
    return Status::OK();
  }

  void Run(const std::string& name, ThreadState* thread) override {
    if (name == "readseq" || name == "readreverse") {
      ReadSequential(thread, name == "readreverse");
    } else if (name == "readrandom" || name == "readmissing") {
      ReadRandom(thread);
    } else if (name == "seekrandom") {
      SeekRandom(thread);
    } else if (name == "multireadrandom") {
      MultiReadRandom(thread);
    } else if (name == "readwhilewriting") {
      if (thread->tid == 0) {
        BackgroundWriter(thread);
      } else {
        ReadRandom(thread);
      }
    } else if (name == "readrandomwriterandom") {
      ReadRandomWriteRandom(thread);
    } else if (name == "updaterandom") {
      UpdateRandom(thread);
    } else if (name == "deleteseq" || name == "deleterandom") {
      Delete(thread);
    } else if (name == "compact") {
      Status s = db_->CompactRange(CompactRangeOptions(), nullptr, nullptr);
      if (!s.ok()) Fail("compact", s);
    } else {
      Write(thread);
    }
  }

  void Print(const std::string& name) override {
    if (db_ == nullptr) {
      Status s = Reopen(/*destroy=*/false);
      if (!s.ok()) Fail("open", s);
    }
    if (name == "flush") {
      Status s = db_->Flush(FlushOptions());
      if (!s.ok()) Fail("flush", s);
      std::fprintf(stdout, "flush memtable\n");
      return;
    }
    if (name == "waitforcompaction") {
      // RocksDB's lines. It polls the DB's properties, sleeping 5 s first and
      // 10 s while work is pending, and checks twice because polling can
      // miss a compaction about to be picked; WaitForCompact waits for
      // exactly that, so the second check finds nothing to wait for.
      for (int check = 0; check < 2; ++check) {
        std::fprintf(stdout, "waitforcompaction(%s): started\n",
                     DBPath().c_str());
        Status s = db_->WaitForCompact();
        if (!s.ok()) Fail("waitforcompaction", s);
        std::fprintf(stdout, "waitforcompaction(%s): finished\n",
                     DBPath().c_str());
      }
      return;
    }
    std::string value;
    if (!db_->GetProperty("rocksdb." + name, &value)) value = "(failed)";
    std::fprintf(stdout, "\n%s\n", value.c_str());
  }

  bool IOStatisticsDelta(IOSnapshot* delta) override {
    if (statistics_ == nullptr) return false;
    *delta = IOSnapshotDelta(TakeIOSnapshot(*statistics_), before_);
    return true;
  }

  std::string StatisticsDump() override {
    return statistics_ != nullptr ? statistics_->ToString() : "";
  }

  Status Finish() override {
    if (db_ == nullptr) return Status::OK();
    Status s = db_->Close();
    db_.reset();
    return s;
  }

 private:
  static bool IsFill(const std::string& name) {
    return name == "fillseq" || name == "fillrandom" ||
           name == "filluniquerandom" || name == "fillsync" ||
           name == "fill100K" || name == "fillbatch";
  }

  Status Reopen(bool destroy) {
    if (db_ != nullptr) {
      Status s = db_->Close();
      db_.reset();
      if (!s.ok()) return s;
    }
    Options options;
    Status s = OptionsFromFlags(&options);
    if (!s.ok()) return s;
    if (FLAGS_statistics || FLAGS_io_report || !FLAGS_report_json.empty()) {
      if (statistics_ == nullptr) statistics_ = CreateDBStatistics();
      options.statistics = statistics_;
    }
    if (destroy) {
      s = DestroyDB(DBPath(), options);
      if (!s.ok()) return s;
      destroyed_once_ = true;
    }
    return DB::Open(options, DBPath(), &db_);
  }

  void MakePlan(const std::string& name) {
    plan_ = Plan();
    plan_.num = FLAGS_num;
    plan_.ops = WritesPerThread();
    plan_.value_size = FLAGS_value_size;
    plan_.batch = std::max<int64_t>(1, FLAGS_batch_size);
    plan_.write.sync = FLAGS_sync;
    plan_.write.disable_wal = FLAGS_disable_wal;
    if (name == "fillrandom" || name == "overwrite" || name == "deleterandom") {
      plan_.order = KeyOrder::kRandom;
    } else if (name == "filluniquerandom") {
      plan_.order = KeyOrder::kUniqueRandom;
    } else if (name == "fillsync") {
      plan_.order = KeyOrder::kRandom;
      plan_.num /= 1000;
      plan_.ops = std::max<int64_t>(1, plan_.ops / 1000);
      plan_.write.sync = true;
    } else if (name == "fill100K") {
      plan_.num /= 1000;
      plan_.ops = std::max<int64_t>(1, plan_.ops / 1000);
      plan_.value_size = 100 * 1000;
    } else if (name == "fillbatch") {
      plan_.batch = 1000;
    } else if (name == "readmissing") {
      plan_.key_size_delta = 1;
    }
    if (name == "deleteseq" || name == "deleterandom") {
      plan_.ops = DeletesPerThread();
    }
  }

  void Write(ThreadState* thread) {
    const KeyFormat format = KeyFormatFromFlags();
    KeySequence keys(&thread->rand, plan_.order,
                     static_cast<uint64_t>(std::max<int64_t>(plan_.num, 1)));
    ValueGenerator values(FLAGS_compression_ratio,
                          static_cast<size_t>(plan_.value_size));
    std::string key(static_cast<size_t>(format.key_size), '\0');
    WriteBatch batch;
    Duration duration(static_cast<uint64_t>(FLAGS_duration), plan_.ops);
    int64_t bytes = 0;
    while (!duration.Done(plan_.batch)) {
      batch.Clear();
      for (int64_t j = 0; j < plan_.batch; ++j) {
        format.Encode(keys.Next(), key.data());
        Status put =
            batch.Put(key, values.Generate(static_cast<size_t>(plan_.value_size)));
        if (!put.ok()) Fail("put", put);
        bytes += format.key_size + plan_.value_size;
      }
      Status s = db_->Write(plan_.write, &batch);
      if (!s.ok()) Fail("put", s);
      thread->stats.FinishedOps(plan_.batch, OpType::kWrite);
    }
    thread->stats.AddBytes(bytes);
  }

  void Delete(ThreadState* thread) {
    const KeyFormat format = KeyFormatFromFlags();
    KeySequence keys(&thread->rand, plan_.order,
                     static_cast<uint64_t>(std::max<int64_t>(plan_.num, 1)));
    std::string key(static_cast<size_t>(format.key_size), '\0');
    WriteBatch batch;
    Duration duration(static_cast<uint64_t>(FLAGS_duration), plan_.ops);
    while (!duration.Done(plan_.batch)) {
      batch.Clear();
      for (int64_t j = 0; j < plan_.batch; ++j) {
        format.Encode(keys.Next(), key.data());
        Status del = batch.Delete(key);
        if (!del.ok()) Fail("del", del);
      }
      Status s = db_->Write(plan_.write, &batch);
      if (!s.ok()) Fail("del", s);
      thread->stats.FinishedOps(plan_.batch, OpType::kDelete);
    }
  }

  ReadOptions Read() const {
    ReadOptions read;
    read.verify_checksums = FLAGS_verify_checksum;
    read.readahead_size = static_cast<size_t>(FLAGS_readahead_size);
    read.background_readahead = FLAGS_background_readahead;
    return read;
  }

  void ReadSequential(ThreadState* thread, bool reverse) {
    std::unique_ptr<Iterator> it = db_->NewIterator(Read());
    const int64_t reads = ReadsPerThread();
    int64_t done = 0;
    int64_t bytes = 0;
    if (reverse) {
      it->SeekToLast();
    } else {
      it->SeekToFirst();
    }
    while (done < reads && it->Valid()) {
      bytes += static_cast<int64_t>(it->key().size() + it->value().size());
      thread->stats.FinishedOps(1, OpType::kRead);
      ++done;
      if (reverse) {
        it->Prev();
      } else {
        it->Next();
      }
    }
    if (!it->status().ok()) Fail("iterator", it->status());
    thread->stats.AddBytes(bytes);
  }

  void ReadRandom(ThreadState* thread) {
    const KeyFormat format = KeyFormatFromFlags(plan_.key_size_delta);
    std::string key(static_cast<size_t>(format.key_size), '\0');
    std::string value;
    const ReadOptions read = Read();
    Duration duration(static_cast<uint64_t>(FLAGS_duration), ReadsPerThread());
    uint64_t reads = 0, found = 0;
    int64_t bytes = 0;
    while (!duration.Done(1)) {
      format.Encode(thread->rand.Uniform(static_cast<uint64_t>(FLAGS_num)),
                    key.data());
      ++reads;
      Status s = db_->Get(read, key, &value);
      if (s.ok()) {
        ++found;
        bytes += static_cast<int64_t>(key.size() + value.size());
      } else if (!s.IsNotFound()) {
        Fail("get", s);
      }
      thread->stats.FinishedOps(1, OpType::kRead);
    }
    thread->stats.AddBytes(bytes);
    thread->stats.AddMessage(FoundMessage(found, reads));
  }

  static std::string FoundMessage(uint64_t found, uint64_t reads) {
    char message[100];
    std::snprintf(message, sizeof(message),
                  "(%" PRIu64 " of %" PRIu64 " found)\n", found, reads);
    return message;
  }

  void SeekRandom(ThreadState* thread) {
    const KeyFormat format = KeyFormatFromFlags();
    std::string key(static_cast<size_t>(format.key_size), '\0');
    const ReadOptions read = Read();
    Duration duration(static_cast<uint64_t>(FLAGS_duration), ReadsPerThread());
    uint64_t reads = 0, found = 0;
    int64_t bytes = 0;
    while (!duration.Done(1)) {
      format.Encode(thread->rand.Uniform(static_cast<uint64_t>(FLAGS_num)),
                    key.data());
      std::unique_ptr<Iterator> it = db_->NewIterator(read);
      it->Seek(key);
      ++reads;
      if (it->Valid() && it->key() == Slice(key)) ++found;
      for (int j = 0; j < FLAGS_seek_nexts && it->Valid(); ++j) {
        bytes += static_cast<int64_t>(it->key().size() + it->value().size());
        if (FLAGS_reverse_iterator) {
          it->Prev();
        } else {
          it->Next();
        }
      }
      if (!it->status().ok()) Fail("seek", it->status());
      thread->stats.FinishedOps(1, OpType::kSeek);
    }
    thread->stats.AddBytes(bytes);
    thread->stats.AddMessage(FoundMessage(found, reads));
  }

  void MultiReadRandom(ThreadState* thread) {
    const KeyFormat format = KeyFormatFromFlags();
    const ReadOptions read = Read();
    const int64_t total = ReadsPerThread();
    std::vector<std::string> keys;
    std::vector<Slice> key_slices;
    std::vector<std::string> values;
    uint64_t reads = 0, found = 0;
    int64_t bytes = 0;
    Duration duration(static_cast<uint64_t>(FLAGS_duration), total);
    while (true) {
      const int64_t n =
          FLAGS_duration > 0
              ? plan_.batch
              : std::min<int64_t>(plan_.batch,
                                  total - static_cast<int64_t>(reads));
      if (n <= 0 || duration.Done(n)) break;
      keys.resize(static_cast<size_t>(n));
      key_slices.clear();
      for (std::string& k : keys) {
        k = format.Key(thread->rand.Uniform(static_cast<uint64_t>(FLAGS_num)));
        key_slices.emplace_back(k);
      }
      std::vector<Status> statuses = db_->MultiGet(read, key_slices, &values);
      for (size_t i = 0; i < statuses.size(); ++i) {
        if (statuses[i].ok()) {
          ++found;
          bytes += static_cast<int64_t>(keys[i].size() + values[i].size());
        } else if (!statuses[i].IsNotFound()) {
          Fail("multiget", statuses[i]);
        }
      }
      reads += static_cast<uint64_t>(n);
      thread->stats.FinishedOps(n, OpType::kRead);
    }
    thread->stats.AddBytes(bytes);
    thread->stats.AddMessage(FoundMessage(found, reads));
  }

  // readwhilewriting's writer: random puts until every reader is done; its
  // numbers are not part of the result.
  void BackgroundWriter(ThreadState* thread) {
    thread->stats.SetExcludeFromMerge();
    const KeyFormat format = KeyFormatFromFlags();
    ValueGenerator values(FLAGS_compression_ratio,
                          static_cast<size_t>(FLAGS_value_size));
    std::string key(static_cast<size_t>(format.key_size), '\0');
    while (thread->running->load(std::memory_order_acquire) > 1) {
      format.Encode(thread->rand.Uniform(static_cast<uint64_t>(FLAGS_num)),
                    key.data());
      Status s =
          db_->Put(plan_.write, key,
                   values.Generate(static_cast<size_t>(FLAGS_value_size)));
      if (!s.ok()) Fail("put", s);
      thread->stats.FinishedOps(1, OpType::kWrite);
    }
  }

  void ReadRandomWriteRandom(ThreadState* thread) {
    const KeyFormat format = KeyFormatFromFlags();
    ValueGenerator values(FLAGS_compression_ratio,
                          static_cast<size_t>(FLAGS_value_size));
    std::string key(static_cast<size_t>(format.key_size), '\0');
    std::string value;
    const ReadOptions read = Read();
    Duration duration(static_cast<uint64_t>(FLAGS_duration), ReadsPerThread());
    uint64_t reads = 0, writes = 0, found = 0;
    while (!duration.Done(1)) {
      format.Encode(thread->rand.Uniform(static_cast<uint64_t>(FLAGS_num)),
                    key.data());
      if (static_cast<int>(thread->rand.Uniform(100)) <
          FLAGS_readwritepercent) {
        Status s = db_->Get(read, key, &value);
        if (s.ok()) {
          ++found;
        } else if (!s.IsNotFound()) {
          Fail("get", s);
        }
        ++reads;
      } else {
        Status s =
            db_->Put(plan_.write, key,
                     values.Generate(static_cast<size_t>(FLAGS_value_size)));
        if (!s.ok()) Fail("put", s);
        ++writes;
      }
      thread->stats.FinishedOps(1, OpType::kOthers);
    }
    char message[160];
    std::snprintf(message, sizeof(message),
                  "( reads:%" PRIu64 " writes:%" PRIu64 " total:%" PRIu64
                  " found:%" PRIu64 ")",
                  reads, writes, reads + writes, found);
    thread->stats.AddMessage(message);
  }

  void UpdateRandom(ThreadState* thread) {
    const KeyFormat format = KeyFormatFromFlags();
    ValueGenerator values(FLAGS_compression_ratio,
                          static_cast<size_t>(FLAGS_value_size));
    std::string key(static_cast<size_t>(format.key_size), '\0');
    std::string value;
    const ReadOptions read = Read();
    Duration duration(static_cast<uint64_t>(FLAGS_duration), ReadsPerThread());
    uint64_t updates = 0, found = 0;
    int64_t bytes = 0;
    while (!duration.Done(1)) {
      format.Encode(thread->rand.Uniform(static_cast<uint64_t>(FLAGS_num)),
                    key.data());
      Status s = db_->Get(read, key, &value);
      if (s.ok()) {
        ++found;
        bytes += static_cast<int64_t>(key.size() + value.size());
      } else if (!s.IsNotFound()) {
        Fail("get", s);
      }
      s = db_->Put(plan_.write, key,
                   values.Generate(static_cast<size_t>(FLAGS_value_size)));
      if (!s.ok()) Fail("put", s);
      bytes += static_cast<int64_t>(key.size()) + FLAGS_value_size;
      ++updates;
      thread->stats.FinishedOps(1, OpType::kUpdate);
    }
    char message[100];
    std::snprintf(message, sizeof(message),
                  "( updates:%" PRIu64 " found:%" PRIu64 ")", updates, found);
    thread->stats.AddBytes(bytes);
    thread->stats.AddMessage(message);
  }

  void TakeSnapshot() {
    if (statistics_ != nullptr) before_ = TakeIOSnapshot(*statistics_);
  }

  std::unique_ptr<DB> db_;
  std::shared_ptr<Statistics> statistics_;
  bool destroyed_once_ = false;
  Plan plan_;
  IOSnapshot before_;  // The Statistics when the benchmark started.
};

const SuiteRegistrar kRegistrar([] {
  return std::unique_ptr<BenchmarkSuite>(new DBSuite());
});

}  // namespace
}  // namespace strata::bench
