// strata-only benchmarks of single SST files through the public
// SstFileWriter and SstFileReader, over the keys and values the store
// benchmarks use:
//   sstwrite   writes --num entries in key order to <db>/sstbench-<tid>.sst
//   sstscan    reads --reads entries (all, if fewer) with an iterator
//   sstget     --reads point lookups of random keys in [0, --num)
//   sstverify  reads every block and checks its checksum
// Each thread has its own file; the read benchmarks read what sstwrite wrote
// (with the same --threads). I/O options: --use_direct_io_for_flush_and_
// compaction and --writable_file_max_buffer_size for the writer,
// --use_direct_reads, --mmap_read, --cache_size, --readahead_size for the
// readers.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "db_bench/bench_flags.h"
#include "db_bench/benchmark_suite.h"
#include "strata/cache.h"
#include "strata/sst_file_reader.h"
#include "strata/sst_file_writer.h"

namespace strata::bench {
namespace {

std::string SstPath(int tid) {
  return DBPath() + "/sstbench-" + std::to_string(tid) + ".sst";
}

[[noreturn]] void Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "%s error: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

class SstSuite : public BenchmarkSuite {
 public:
  bool Has(const std::string& name) const override {
    return name == "sstwrite" || name == "sstscan" || name == "sstget" ||
           name == "sstverify";
  }

  Status Prepare(const std::string& /*name*/) override {
    Status s = TableOptionsFromFlags(&table_);
    if (!s.ok()) return s;
    std::error_code ec;
    std::filesystem::create_directories(DBPath(), ec);
    if (ec) {
      return Status::IOError(DBPath() + ": cannot create: " + ec.message());
    }
    if (FLAGS_cache_size > 0 && cache_ == nullptr) {
      LRUCacheOptions cache;
      cache.capacity = static_cast<size_t>(FLAGS_cache_size);
      cache.num_shard_bits = FLAGS_cache_numshardbits;
      cache.use_block_memory_pool = FLAGS_block_memory_pool;
      Status s = NewLRUCache(cache, &cache_);
      if (!s.ok()) {
        return Status::InvalidArgument("--cache_size/--cache_numshardbits: " +
                                       std::string(s.message()));
      }
    }
    return Status::OK();
  }

  void Run(const std::string& name, ThreadState* thread) override {
    if (name == "sstwrite") {
      Write(thread);
      return;
    }
    SstFileReaderOptions options;
    options.use_direct_reads = FLAGS_use_direct_reads;
    options.allow_mmap_reads = FLAGS_mmap_read;
    options.block_cache = cache_;
    options.cache_index_and_filter_blocks = FLAGS_cache_index_and_filter_blocks;
    SstFileReader reader(options);
    Status s = reader.Open(SstPath(thread->tid));
    if (!s.ok()) Fail("open", s);
    if (name == "sstscan") {
      Scan(reader, thread);
    } else if (name == "sstget") {
      Get(reader, thread);
    } else {
      Verify(reader, thread);
    }
  }

 private:
  SstReadOptions ReadOptions() const {
    SstReadOptions read;
    read.verify_checksums = FLAGS_verify_checksum;
    read.readahead_size = static_cast<uint64_t>(FLAGS_readahead_size);
    return read;
  }

  void Write(ThreadState* thread) {
    SstFileWriterOptions options;
    options.table = table_;
    options.use_direct_io_for_flush_and_compaction =
        FLAGS_use_direct_io_for_flush_and_compaction;
    options.writable_file_max_buffer_size =
        static_cast<uint64_t>(FLAGS_writable_file_max_buffer_size);
    SstFileWriter writer(options);
    Status s = writer.Open(SstPath(thread->tid));
    if (!s.ok()) Fail("open", s);
    const KeyFormat format = KeyFormatFromFlags();
    ValueGenerator values(FLAGS_compression_ratio,
                          static_cast<size_t>(FLAGS_value_size));
    std::string key(static_cast<size_t>(FLAGS_key_size), '\0');
    int64_t bytes = 0;
    for (int64_t i = 0; i < FLAGS_num; ++i) {
      format.Encode(static_cast<uint64_t>(i), key.data());
      s = writer.Put(key,
                     values.Generate(static_cast<size_t>(FLAGS_value_size)));
      if (!s.ok()) Fail("put", s);
      bytes += FLAGS_key_size + FLAGS_value_size;
      thread->stats.FinishedOps(1, OpType::kWrite);
    }
    s = writer.Finish();
    if (!s.ok()) Fail("finish", s);
    thread->stats.AddBytes(bytes);
  }

  void Scan(const SstFileReader& reader, ThreadState* thread) {
    std::unique_ptr<Iterator> it = reader.NewIterator(ReadOptions());
    const int64_t reads = ReadsPerThread();
    int64_t done = 0;
    int64_t bytes = 0;
    for (it->SeekToFirst(); done < reads && it->Valid(); it->Next()) {
      bytes += static_cast<int64_t>(it->key().size() + it->value().size());
      thread->stats.FinishedOps(1, OpType::kRead);
      ++done;
    }
    if (!it->status().ok()) Fail("scan", it->status());
    thread->stats.AddBytes(bytes);
  }

  void Get(const SstFileReader& reader, ThreadState* thread) {
    const KeyFormat format = KeyFormatFromFlags();
    std::string key(static_cast<size_t>(FLAGS_key_size), '\0');
    std::string value;
    const SstReadOptions read = ReadOptions();
    Duration duration(static_cast<uint64_t>(FLAGS_duration), ReadsPerThread());
    uint64_t reads = 0;
    uint64_t found = 0;
    int64_t bytes = 0;
    while (!duration.Done(1)) {
      format.Encode(thread->rand.Uniform(static_cast<uint64_t>(FLAGS_num)),
                    key.data());
      ++reads;
      Status s = reader.Get(read, key, &value);
      if (s.ok()) {
        ++found;
        bytes += static_cast<int64_t>(key.size() + value.size());
      } else if (!s.IsNotFound()) {
        Fail("get", s);
      }
      thread->stats.FinishedOps(1, OpType::kRead);
    }
    char message[100];
    std::snprintf(message, sizeof(message),
                  "(%" PRIu64 " of %" PRIu64 " found)\n", found, reads);
    thread->stats.AddBytes(bytes);
    thread->stats.AddMessage(message);
  }

  void Verify(const SstFileReader& reader, ThreadState* thread) {
    Status s = reader.VerifyChecksum(
        static_cast<uint64_t>(FLAGS_compaction_readahead_size));
    if (!s.ok()) Fail("verify", s);
    const TableProperties& props = reader.GetTableProperties();
    thread->stats.FinishedOps(static_cast<int64_t>(props.num_entries),
                              OpType::kRead);
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(SstPath(thread->tid), ec);
    if (!ec) thread->stats.AddBytes(static_cast<int64_t>(size));
  }

  TableOptions table_;
  std::shared_ptr<Cache> cache_;
};

const SuiteRegistrar kRegistrar([] {
  return std::unique_ptr<BenchmarkSuite>(new SstSuite());
});

}  // namespace
}  // namespace strata::bench
