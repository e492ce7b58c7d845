// The micro benchmarks: crc32c, xxhash, xxhash64, xxh3, compress,
// uncompress. Each works on --block_size bytes per op (the same fixed input
// or one generated value) until it has processed RocksDB's amount of data
// (5000 MiB for checksums, 1024 MiB for compression; --micro_bench_bytes
// overrides), and reports it like RocksDB's db_bench.
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "db_bench/bench_flags.h"
#include "db_bench/benchmark_suite.h"
#include "util/compression.h"
#include "util/crc32c.h"
#include "util/xxhash.h"

namespace strata::bench {
namespace {

uint64_t BytesToProcess(uint64_t rocksdb_default) {
  return FLAGS_micro_bench_bytes > 0 ? FLAGS_micro_bench_bytes
                                     : rocksdb_default;
}

class MicroSuite : public BenchmarkSuite {
 public:
  bool Has(const std::string& name) const override {
    return name == "crc32c" || name == "xxhash" || name == "xxhash64" ||
           name == "xxh3" || name == "compress" || name == "uncompress";
  }

  Status Prepare(const std::string& name) override {
    if (name == "compress" || name == "uncompress") {
      return CompressionFromFlag(&compression_);
    }
    return Status::OK();
  }

  void Run(const std::string& name, ThreadState* thread) override {
    if (name == "compress") {
      Compress(thread);
    } else if (name == "uncompress") {
      Uncompress(thread);
    } else {
      Checksum(name, thread);
    }
  }

 private:
  void Checksum(const std::string& name, ThreadState* thread) {
    const size_t size = static_cast<size_t>(FLAGS_block_size);
    const std::string data(size, 'x');
    const uint64_t limit = BytesToProcess(5000ull << 20);
    uint64_t bytes = 0;
    uint64_t value = 0;
    const OpType type = name == "crc32c" ? OpType::kCrc : OpType::kHash;
    while (bytes < limit) {
      if (name == "crc32c") {
        value = crc32c::Value(data.data(), size);
      } else if (name == "xxhash") {
        value = XxHash32(data.data(), size);
      } else if (name == "xxhash64") {
        value = XxHash64(data.data(), size);
      } else {
        value = XxHash3_64(data.data(), size);
      }
      thread->stats.FinishedOps(1, type);
      bytes += size;
    }
    // Printed so the computation cannot be optimized away.
    std::fprintf(stderr, "... val=0x%" PRIx64 "\r", value);
    thread->stats.AddBytes(static_cast<int64_t>(bytes));
    thread->stats.AddMessage("(" + std::to_string(size) + " per op)");
  }

  void Compress(ThreadState* thread) {
    ValueGenerator gen(FLAGS_compression_ratio,
                       static_cast<size_t>(FLAGS_block_size));
    const Slice input = gen.Generate(static_cast<size_t>(FLAGS_block_size));
    const uint64_t limit = BytesToProcess(1024ull << 20);
    Compressor compressor;
    std::string compressed;
    uint64_t bytes = 0;
    uint64_t produced = 0;
    bool ok = true;
    while (ok && bytes < limit) {
      ok = compressor
               .Compress(compression_, FLAGS_compression_level,
                         static_cast<uint32_t>(FLAGS_format_version), input,
                         &compressed)
               .ok();
      produced += compressed.size();
      bytes += input.size();
      thread->stats.FinishedOps(1, OpType::kCompress);
    }
    if (!ok) {
      thread->stats.AddMessage("(compression failure)");
      return;
    }
    char message[64];
    std::snprintf(
        message, sizeof(message), "(output: %.1f%%)",
        static_cast<double>(produced) * 100.0 / static_cast<double>(bytes));
    thread->stats.AddMessage(message);
    thread->stats.AddBytes(static_cast<int64_t>(bytes));
  }

  void Uncompress(ThreadState* thread) {
    ValueGenerator gen(FLAGS_compression_ratio,
                       static_cast<size_t>(FLAGS_block_size));
    const Slice input = gen.Generate(static_cast<size_t>(FLAGS_block_size));
    const uint32_t format_version = static_cast<uint32_t>(FLAGS_format_version);
    std::string compressed;
    bool ok = CompressBlock(compression_, FLAGS_compression_level,
                            format_version, input, &compressed)
                  .ok();
    const uint64_t limit = BytesToProcess(1024ull << 20);
    Decompressor decompressor;
    std::string output;
    uint64_t bytes = 0;
    while (ok && bytes < limit) {
      ok = decompressor
               .Uncompress(compression_, format_version, compressed, &output)
               .ok();
      bytes += input.size();
      thread->stats.FinishedOps(1, OpType::kUncompress);
    }
    if (!ok) {
      thread->stats.AddMessage("(compression failure)");
    } else {
      thread->stats.AddBytes(static_cast<int64_t>(bytes));
    }
  }

  CompressionType compression_ = CompressionType::kNoCompression;
};

const SuiteRegistrar kRegistrar([] {
  return std::unique_ptr<BenchmarkSuite>(new MicroSuite());
});

}  // namespace
}  // namespace strata::bench
