// sst_bench: strata's SstFileWriter/SstFileReader against RocksDB 7.8.3's
// (Debian's librocksdb, linked into this binary), on the workload of
// RocksDB's SST writer and reader.
//
//   sst_bench --dir=<dir on the disk under test> [--num=5000000]
//             [--lookups=1000000] [--bloom_bits=0] [--cache_mib=0]
//             [--readahead_kib=0] [--block_align] [--rocksdb_first]
//             [--keep_read_tables] [google benchmark flags]
//
// Data: --num sorted entries with db_bench's 16-byte keys (the entry number
// big-endian in 8 bytes, then 8 '0's) and 100-byte values from db_bench's
// generator at compression_ratio 0.5. Both libraries get the same table
// options: format_version 5, XXH3 checksums, 4 KiB blocks, restart interval
// 16, no compression or zstd at its default level (3), no filter
// (--bloom_bits=10 gives both a 10-bit bloom filter), no block cache
// (--cache_mib gives both an LRU cache of that size), --block_align gives
// both libraries' uncompressed tables block_align (each data block padded to
// a 4 KiB page, so a direct Get reads exactly one aligned page). Each
// benchmark runs for strata, then RocksDB (--rocksdb_first: the other way
// round).
//
// Write/<none|zstd>/<buffered|direct>/<lib>: Open, --num Puts, Finish (synced
//   and closed; buffered writers drop written pages from the page cache as
//   they go, both libraries' default). bytes/s counts key and value bytes.
//   ":par2": two compression threads (SstFileWriterOptions::parallel_threads;
//   RocksDB's compression_opts.parallel_threads). strata writes full
//   buffers on its own thread (SstFileWriterOptions::background_writes, on
//   by default); strata ":syncwrite" turns that off.
// Scan/<none|zstd>/<warm|cold|direct>/<lib>: one full forward iteration.
//   warm: buffered, file in the page cache; cold: buffered, file dropped
//   from the page cache (fsync, then posix_fadvise DONTNEED); direct: direct
//   reads. Readahead: each library's automatic one (8 KiB doubling to
//   256 KiB), or --readahead_kib on every miss (ReadOptions::readahead_size
//   on both).
// Get/<none|zstd>/<warm|direct>/<lib>: --lookups uniformly random existing
//   keys, one at a time. strata: SstFileReader::Get; RocksDB 7.8.3 has no
//   SstFileReader::Get, so one iterator Seek + key compare per lookup (one
//   iterator for all lookups). The value is copied into a std::string by both.
//   items/s is lookups/s. warm: buffered, file in the page cache; direct:
//   direct reads, so every lookup costs one device read.
// RawRead/direct/<4096|4608|8192>: pread with O_DIRECT at random 4 KiB-
//   aligned offsets of the uncompressed table, queue depth 1: the device's
//   rate for the reads a direct Get makes. A 4 KiB block plus its trailer
//   read at the file's direct-I/O alignment is 4608 bytes with 512-byte
//   alignment and 8192 with 4 KiB alignment. Compare with fio 4 KiB randread
//   on the same directory.
//
// GetVsRawRead/<none|zstd>/direct: per iteration one direct strata Get and
//   one 4 KiB O_DIRECT pread at a random 4 KiB-aligned offset of the table,
//   in alternating order, each timed on its own. get_us and read_us are their
//   mean latencies and get_rate_pct the Get rate as a share of the bare read
//   rate: a paired comparison the device's drift cannot bias. Run it with
//   --block_align so an uncompressed Get reads one page; --cache_mib gives
//   the reader a block cache (blocks then go through the cache's path).
//
// RawRead/warm/4101: buffered pread of 4101 bytes (a 4 KiB block and its
//   trailer) at random offsets of the uncompressed table in the page cache,
//   then XXH3 over them: the floor under a warm Get, which cannot avoid the
//   kernel's copy of the block or its checksum (computed as a Get does).
//
// Read benchmarks share one file per compression, written by RocksDB's
// SstFileWriter at first use and removed at exit (kept with
// --keep_read_tables, as sst_bench_read_<none|zstd>.sst in --dir, so that
// fio can read the same blocks). Counters: resident_pct is
// the share of the file in the page cache when timing starts, dev_KiB_op the
// bytes the process read from the device per item (/proc/self/io).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "strata/env.h"
#include "strata/sst_file_reader.h"
#include "strata/sst_file_writer.h"
#include "util/aligned_buffer.h"
#include "util/checksum.h"
#include "util/page_cache.h"

namespace strata {
namespace {

std::string g_dir;
uint64_t g_num = 5'000'000;
uint64_t g_lookups = 1'000'000;
int g_bloom_bits = 0;
bool g_block_align = false;  // Uncompressed tables only.
uint64_t g_cache_mib = 0;
uint64_t g_readahead_kib = 0;
bool g_rocksdb_first = false;
bool g_keep_read_tables = false;

constexpr size_t kKeyBytes = 16;
constexpr size_t kValueBytes = 100;
constexpr uint64_t kLookupSeed = 42;

enum class Lib { kStrata, kRocksDb };
enum class ReadMode { kWarm, kCold, kDirect };

const char* LibName(Lib lib) {
  return lib == Lib::kStrata ? "strata" : "rocksdb";
}
const char* CompressionName(bool zstd) { return zstd ? "zstd" : "none"; }
const char* ReadModeName(ReadMode mode) {
  return mode == ReadMode::kWarm   ? "warm"
         : mode == ReadMode::kCold ? "cold"
                                   : "direct";
}

// db_bench's GenerateKeyFromInt for key_size 16 without prefixes: the number
// big-endian, padded with '0' characters.
void MakeKey(uint64_t n, char* key) {
  for (int i = 0; i < 8; ++i) {
    key[i] = static_cast<char>(n >> (56 - 8 * i));
  }
  std::memset(key + 8, '0', kKeyBytes - 8);
}

// RocksDB's util/random.h Random (Park-Miller), which db_bench seeds with 301.
class ParkMillerRandom {
 public:
  explicit ParkMillerRandom(uint32_t seed) : seed_(seed & 0x7fffffffu) {
    if (seed_ == 0 || seed_ == 2147483647u) seed_ = 1;
  }
  uint32_t Uniform(uint32_t n) {
    seed_ = static_cast<uint32_t>((uint64_t{seed_} * 16807) % 2147483647u);
    return seed_ % n;
  }

 private:
  uint32_t seed_;
};

// db_bench's RandomGenerator at compression_ratio 0.5: 1 MiB of 100-byte
// pieces, each 50 random printable characters written twice; values are
// consecutive windows of it, wrapping at the end.
class ValueGenerator {
 public:
  ValueGenerator() {
    ParkMillerRandom rnd(301);
    while (data_.size() < (1 << 20)) {
      std::string raw(50, ' ');
      for (char& c : raw) c = static_cast<char>(' ' + rnd.Uniform(95));
      data_ += raw;
      data_ += raw;
    }
  }
  std::string_view Next() {
    if (pos_ + kValueBytes > data_.size()) pos_ = 0;
    pos_ += kValueBytes;
    return std::string_view(data_).substr(pos_ - kValueBytes, kValueBytes);
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// Calls put(key, value) for the --num entries in order; stops early when it
// returns false.
template <typename PutFn>
void FeedEntries(PutFn&& put) {
  ValueGenerator values;
  char key[kKeyBytes];
  for (uint64_t i = 0; i < g_num; ++i) {
    MakeKey(i, key);
    if (!put(std::string_view(key, kKeyBytes), values.Next())) return;
  }
}

Status FromRocksDb(const rocksdb::Status& s) {
  return s.ok() ? Status::OK() : Status::IOError("RocksDB: " + s.ToString());
}

void Fail(benchmark::State& state, const Status& s) {
  state.SkipWithError(s.ToString().c_str());
}

// Bytes this process has read from block devices so far (/proc/self/io);
// 0 when the kernel does not account them.
uint64_t DeviceReadBytes() {
  std::ifstream io("/proc/self/io");
  std::string name;
  uint64_t value = 0;
  while (io >> name >> value) {
    if (name == "read_bytes:") return value;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Page cache control

Status DropFromPageCache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IOStatus::FromErrno("open " + path, errno);
  // Only clean pages can be dropped: make sure none is dirty first.
  int err = ::fsync(fd) == 0 ? 0 : errno;
  if (err == 0) err = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
  if (err != 0) return IOStatus::FromErrno("fsync/fadvise " + path, err);
  return Status::OK();
}

Status LoadIntoPageCache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IOStatus::FromErrno("open " + path, errno);
  std::vector<char> chunk(1 << 20);
  ssize_t n = 0;
  while ((n = ::read(fd, chunk.data(), chunk.size())) > 0) {
  }
  const int err = n < 0 ? errno : 0;
  ::close(fd);
  if (err != 0) return IOStatus::FromErrno("read " + path, err);
  return Status::OK();
}

// Puts `path` in the state `mode` reads expect and records how much of it is
// cached in the resident_pct counter.
Status PreparePageCache(benchmark::State& state, const std::string& path,
                        ReadMode mode) {
  STRATA_RETURN_IF_ERROR(mode == ReadMode::kWarm ? LoadIntoPageCache(path)
                                                 : DropFromPageCache(path));
  PageCacheResidency residency;
  STRATA_RETURN_IF_ERROR(MeasurePageCacheResidency(path, &residency));
  state.counters["resident_pct"] =
      residency.total_pages == 0
          ? 0.0
          : 100.0 * static_cast<double>(residency.resident_pages) /
                static_cast<double>(residency.total_pages);
  return Status::OK();
}

// ---------------------------------------------------------------------------
// Options, the same for both libraries

TableOptions StrataTableOptions(bool zstd) {
  TableOptions t;
  t.format_version = 5;
  t.checksum = ChecksumType::kXXH3;
  t.block_size = 4096;
  t.block_restart_interval = 16;
  t.compression =
      zstd ? CompressionType::kZSTD : CompressionType::kNoCompression;
  t.bloom_bits_per_key = g_bloom_bits;
  t.block_align = g_block_align && !zstd;
  return t;
}

SstFileReaderOptions StrataReaderOptions(bool direct) {
  SstFileReaderOptions o;
  o.use_direct_reads = direct;
  if (g_cache_mib > 0) o.block_cache = NewLRUCache(g_cache_mib << 20);
  return o;
}

rocksdb::Options RocksDbOptions(bool zstd, bool direct_reads,
                                int parallel_threads) {
  rocksdb::BlockBasedTableOptions t;
  t.format_version = 5;
  t.checksum = rocksdb::kXXH3;
  t.block_size = 4096;
  t.block_restart_interval = 16;
  if (g_bloom_bits > 0) {
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(g_bloom_bits));
  }
  t.block_align = g_block_align && !zstd;
  if (g_cache_mib > 0) {
    t.block_cache = rocksdb::NewLRUCache(g_cache_mib << 20);
  } else {
    t.no_block_cache = true;  // Else RocksDB makes an 8 MiB one.
  }
  rocksdb::Options o;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  o.compression = zstd ? rocksdb::kZSTD : rocksdb::kNoCompression;
  o.compression_opts.parallel_threads = parallel_threads;
  o.use_direct_reads = direct_reads;
  return o;
}

// ---------------------------------------------------------------------------
// Writers

struct WriteCase {
  Lib lib = Lib::kStrata;
  bool zstd = false;
  bool direct = false;
  int parallel_threads = 1;
  bool background_writes = true;  // strata only: SstFileWriter's default.
};

Status StrataWrite(const WriteCase& c, const std::string& path,
                   uint64_t* file_bytes) {
  SstFileWriterOptions o;
  o.table = StrataTableOptions(c.zstd);
  o.use_direct_io_for_flush_and_compaction = c.direct;
  o.parallel_threads = c.parallel_threads;
  o.background_writes = c.background_writes;
  SstFileWriter writer(o);
  STRATA_RETURN_IF_ERROR(writer.Open(path));
  Status s;
  FeedEntries([&](std::string_view key, std::string_view value) {
    s = writer.Put(key, value);
    return s.ok();
  });
  STRATA_RETURN_IF_ERROR(s);  // The destructor abandons the file.
  ExternalSstFileInfo info;
  STRATA_RETURN_IF_ERROR(writer.Finish(&info));
  *file_bytes = info.file_size;
  return Status::OK();
}

Status RocksDbWrite(const WriteCase& c, const std::string& path,
                    uint64_t* file_bytes) {
  rocksdb::EnvOptions env_options;
  env_options.use_direct_writes = c.direct;
  env_options.writable_file_max_buffer_size = 1 << 20;
  rocksdb::Options options =
      RocksDbOptions(c.zstd, /*direct_reads=*/false, c.parallel_threads);
  options.use_direct_io_for_flush_and_compaction = c.direct;
  rocksdb::SstFileWriter writer(env_options, options);
  STRATA_RETURN_IF_ERROR(FromRocksDb(writer.Open(path)));
  rocksdb::Status s;
  FeedEntries([&](std::string_view key, std::string_view value) {
    s = writer.Put(rocksdb::Slice(key), rocksdb::Slice(value));
    return s.ok();
  });
  STRATA_RETURN_IF_ERROR(FromRocksDb(s));
  rocksdb::ExternalSstFileInfo info;
  STRATA_RETURN_IF_ERROR(FromRocksDb(writer.Finish(&info)));
  *file_bytes = info.file_size;
  return Status::OK();
}

void SetEntryCounters(benchmark::State& state) {
  const auto entries = static_cast<int64_t>(state.iterations() * g_num);
  state.SetItemsProcessed(entries);
  state.SetBytesProcessed(entries *
                          static_cast<int64_t>(kKeyBytes + kValueBytes));
}

void BM_Write(benchmark::State& state, WriteCase c) {
  const std::string path = g_dir + "/sst_bench_write.sst";
  uint64_t file_bytes = 0;
  for (auto _ : state) {
    Status s = c.lib == Lib::kRocksDb ? RocksDbWrite(c, path, &file_bytes)
                                      : StrataWrite(c, path, &file_bytes);
    if (!s.ok()) {
      Fail(state, s);
      break;
    }
  }
  SetEntryCounters(state);
  state.counters["file_MiB"] = static_cast<double>(file_bytes) / (1 << 20);
  ::unlink(path.c_str());  // Scratch file; a failure to remove is harmless.
}

// ---------------------------------------------------------------------------
// Readers

// The table the read benchmarks share, written by RocksDB once per process.
Status ReadTable(bool zstd, std::string* path) {
  static std::optional<Status> created[2];
  *path = g_dir + "/sst_bench_read_" + CompressionName(zstd) + ".sst";
  std::optional<Status>& done = created[zstd ? 1 : 0];
  if (!done.has_value()) {
    WriteCase c;
    c.lib = Lib::kRocksDb;
    c.zstd = zstd;
    uint64_t file_bytes = 0;
    done = RocksDbWrite(c, *path, &file_bytes);
  }
  return *done;
}

void RemoveReadTables() {
  for (bool zstd : {false, true}) {
    const std::string path =
        g_dir + "/sst_bench_read_" + CompressionName(zstd) + ".sst";
    ::unlink(path.c_str());  // May not exist.
  }
}

// Opens the shared table for `mode` with the page cache prepared.
template <typename OpenFn>
Status PrepareRead(benchmark::State& state, bool zstd, ReadMode mode,
                   OpenFn&& open) {
  std::string path;
  STRATA_RETURN_IF_ERROR(ReadTable(zstd, &path));
  STRATA_RETURN_IF_ERROR(PreparePageCache(state, path, mode));
  return open(path);
}

void SetDeviceCounter(benchmark::State& state, uint64_t start_bytes,
                      uint64_t items) {
  state.counters["dev_KiB_op"] =
      items == 0 ? 0.0
                 : static_cast<double>(DeviceReadBytes() - start_bytes) /
                       1024.0 / static_cast<double>(items);
}

void BM_Scan(benchmark::State& state, Lib lib, bool zstd, ReadMode mode) {
  const bool direct = mode == ReadMode::kDirect;
  std::unique_ptr<SstFileReader> strata;
  std::unique_ptr<rocksdb::SstFileReader> rocks;
  const rocksdb::Options rocks_options = RocksDbOptions(zstd, direct, 1);
  Status s = PrepareRead(state, zstd, mode, [&](const std::string& path) {
    if (lib == Lib::kStrata) {
      strata = std::make_unique<SstFileReader>(StrataReaderOptions(direct));
      return strata->Open(path);
    }
    rocks = std::make_unique<rocksdb::SstFileReader>(rocks_options);
    return FromRocksDb(rocks->Open(path));
  });
  if (!s.ok()) return Fail(state, s);
  const uint64_t start_bytes = DeviceReadBytes();
  for (auto _ : state) {
    uint64_t entries = 0;
    uint64_t bytes = 0;
    if (lib == Lib::kStrata) {
      SstReadOptions read_options;
      read_options.readahead_size = g_readahead_kib << 10;
      std::unique_ptr<Iterator> it = strata->NewIterator(read_options);
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++entries;
        bytes += it->key().size() + it->value().size();
      }
      s = it->status();
    } else {
      rocksdb::ReadOptions read_options;
      read_options.readahead_size = g_readahead_kib << 10;
      std::unique_ptr<rocksdb::Iterator> it(rocks->NewIterator(read_options));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++entries;
        bytes += it->key().size() + it->value().size();
      }
      s = FromRocksDb(it->status());
    }
    benchmark::DoNotOptimize(bytes);
    if (s.ok() && entries != g_num) {
      s = Status::Corruption("scan saw " + std::to_string(entries) +
                             " entries, expected " + std::to_string(g_num));
    }
    if (!s.ok()) {
      Fail(state, s);
      break;
    }
  }
  SetEntryCounters(state);
  SetDeviceCounter(state, start_bytes, state.iterations() * g_num);
}

void BM_Get(benchmark::State& state, Lib lib, bool zstd, ReadMode mode) {
  const bool direct = mode == ReadMode::kDirect;
  std::unique_ptr<SstFileReader> strata;
  std::unique_ptr<rocksdb::SstFileReader> rocks;
  const rocksdb::Options rocks_options = RocksDbOptions(zstd, direct, 1);
  Status s = PrepareRead(state, zstd, mode, [&](const std::string& path) {
    if (lib == Lib::kStrata) {
      strata = std::make_unique<SstFileReader>(StrataReaderOptions(direct));
      return strata->Open(path);
    }
    rocks = std::make_unique<rocksdb::SstFileReader>(rocks_options);
    return FromRocksDb(rocks->Open(path));
  });
  if (!s.ok()) return Fail(state, s);
  std::unique_ptr<rocksdb::Iterator> rocks_it;
  if (rocks != nullptr) {
    rocks_it.reset(rocks->NewIterator(rocksdb::ReadOptions()));
  }
  const SstReadOptions read_options;
  std::mt19937_64 rng(kLookupSeed);
  char key_bytes[kKeyBytes];
  const std::string_view key(key_bytes, kKeyBytes);
  std::string value;
  const uint64_t start_bytes = DeviceReadBytes();
  for (auto _ : state) {
    MakeKey(rng() % g_num, key_bytes);
    if (strata != nullptr) {
      s = strata->Get(read_options, key, &value);
    } else {
      rocks_it->Seek(rocksdb::Slice(key));
      if (rocks_it->Valid() && rocks_it->key() == rocksdb::Slice(key)) {
        value.assign(rocks_it->value().data(), rocks_it->value().size());
      } else {
        s = rocks_it->status().ok() ? Status::NotFound("Seek missed a key")
                                    : FromRocksDb(rocks_it->status());
      }
    }
    if (!s.ok() || value.size() != kValueBytes) {
      Fail(state, s.ok() ? Status::Corruption("wrong value size") : s);
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  SetDeviceCounter(state, start_bytes, state.iterations());
}

void BM_RawRead(benchmark::State& state, size_t read_bytes) {
  std::string path;
  Status s = ReadTable(/*zstd=*/false, &path);
  if (!s.ok()) return Fail(state, s);
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (fd < 0) return Fail(state, IOStatus::FromErrno("open " + path, errno));
  const off_t file_bytes = ::lseek(fd, 0, SEEK_END);
  constexpr uint64_t kPage = 4096;
  const uint64_t positions =
      file_bytes > static_cast<off_t>(read_bytes)
          ? (static_cast<uint64_t>(file_bytes) - read_bytes) / kPage
          : 0;
  AlignedBuffer buffer(kPage);
  buffer.Allocate(read_bytes);
  std::mt19937_64 rng(kLookupSeed);
  const uint64_t start_bytes = DeviceReadBytes();
  for (auto _ : state) {
    const uint64_t offset = positions == 0 ? 0 : (rng() % positions) * kPage;
    const ssize_t n =
        ::pread(fd, buffer.data(), read_bytes, static_cast<off_t>(offset));
    if (n != static_cast<ssize_t>(read_bytes)) {
      Fail(state, IOStatus::FromErrno("pread " + path, n < 0 ? errno : EIO));
      break;
    }
  }
  ::close(fd);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * read_bytes));
  SetDeviceCounter(state, start_bytes, state.iterations());
}

// One direct strata Get and one 4 KiB O_DIRECT pread at a random 4 KiB-
// aligned offset of the same file per iteration, in alternating order, each
// timed on its own: the device serves both at the same moments, so its drift
// (tens of percent within a run on a virtual disk) cancels out of the ratio.
void BM_GetVsRawRead(benchmark::State& state, bool zstd) {
  std::string path;
  Status s = ReadTable(zstd, &path);
  if (s.ok()) s = PreparePageCache(state, path, ReadMode::kDirect);
  if (!s.ok()) return Fail(state, s);
  SstFileReader reader(StrataReaderOptions(/*direct=*/true));
  s = reader.Open(path);
  if (!s.ok()) return Fail(state, s);
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (fd < 0) return Fail(state, IOStatus::FromErrno("open " + path, errno));
  constexpr uint64_t kPage = 4096;
  const off_t file_bytes = ::lseek(fd, 0, SEEK_END);
  const uint64_t positions =
      file_bytes > static_cast<off_t>(kPage)
          ? static_cast<uint64_t>(file_bytes) / kPage - 1
          : 1;
  AlignedBuffer buffer(kPage);
  buffer.Allocate(kPage);
  std::mt19937_64 rng(kLookupSeed);
  char key_bytes[kKeyBytes];
  const std::string_view key(key_bytes, kKeyBytes);
  std::string value;
  const SstReadOptions read_options;
  using Clock = std::chrono::steady_clock;
  Clock::duration get_time{};
  Clock::duration read_time{};
  bool get_first = true;
  for (auto _ : state) {
    for (int step = 0; step < 2; ++step) {
      const bool get = (step == 0) == get_first;
      const Clock::time_point start = Clock::now();
      if (get) {
        MakeKey(rng() % g_num, key_bytes);
        s = reader.Get(read_options, key, &value);
        if (s.ok() && value.size() != kValueBytes) {
          s = Status::Corruption("wrong value size");
        }
        get_time += Clock::now() - start;
      } else {
        const uint64_t offset = (rng() % positions) * kPage;
        const ssize_t n =
            ::pread(fd, buffer.data(), kPage, static_cast<off_t>(offset));
        if (n != static_cast<ssize_t>(kPage)) {
          s = IOStatus::FromErrno("pread " + path + " at " +
                                      std::to_string(offset),
                                  n < 0 ? errno : EIO);
        }
        read_time += Clock::now() - start;
      }
      if (!s.ok()) break;
    }
    if (!s.ok()) {
      Fail(state, s);
      break;
    }
    get_first = !get_first;
  }
  ::close(fd);
  const double n = static_cast<double>(std::max<int64_t>(
      static_cast<int64_t>(state.iterations()), 1));
  const double get_us =
      std::chrono::duration<double, std::micro>(get_time).count() / n;
  const double read_us =
      std::chrono::duration<double, std::micro>(read_time).count() / n;
  state.counters["get_us"] = get_us;
  state.counters["read_us"] = read_us;
  // Get rate as a share of the bare read rate at queue depth 1.
  state.counters["get_rate_pct"] = get_us > 0 ? 100.0 * read_us / get_us : 0;
}

void BM_RawReadWarm(benchmark::State& state, size_t read_bytes) {
  std::string path;
  Status s = ReadTable(/*zstd=*/false, &path);
  if (s.ok()) s = PreparePageCache(state, path, ReadMode::kWarm);
  if (!s.ok()) return Fail(state, s);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(state, IOStatus::FromErrno("open " + path, errno));
  const off_t file_bytes = ::lseek(fd, 0, SEEK_END);
  const uint64_t positions =
      file_bytes > static_cast<off_t>(read_bytes)
          ? static_cast<uint64_t>(file_bytes) - read_bytes
          : 1;
  std::vector<char> buffer(read_bytes);
  std::mt19937_64 rng(kLookupSeed);
  uint64_t hashes = 0;
  for (auto _ : state) {
    const uint64_t offset = rng() % positions;
    const ssize_t n =
        ::pread(fd, buffer.data(), read_bytes, static_cast<off_t>(offset));
    if (n != static_cast<ssize_t>(read_bytes)) {
      Fail(state, IOStatus::FromErrno("pread " + path, n < 0 ? errno : EIO));
      break;
    }
    // The block checksum a Get verifies: XXH3 over the block and type byte.
    hashes += ComputeBuiltinChecksum(ChecksumType::kXXH3, buffer.data(),
                                     read_bytes - 4);
  }
  benchmark::DoNotOptimize(hashes);
  ::close(fd);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// ---------------------------------------------------------------------------
// Registration: every case for both libraries back to back.

void RegisterWrite(const WriteCase& c) {
  std::string name = std::string("Write/") + CompressionName(c.zstd) +
                     (c.direct ? "/direct/" : "/buffered/") + LibName(c.lib);
  if (c.parallel_threads > 1) {
    name += ":par" + std::to_string(c.parallel_threads);
  }
  if (c.lib == Lib::kStrata && !c.background_writes) name += ":syncwrite";
  benchmark::RegisterBenchmark(name.c_str(), BM_Write, c)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
}

void RegisterAll() {
  const std::vector<Lib> libs =
      g_rocksdb_first ? std::vector<Lib>{Lib::kRocksDb, Lib::kStrata}
                      : std::vector<Lib>{Lib::kStrata, Lib::kRocksDb};
  for (bool zstd : {false, true}) {
    for (bool direct : {false, true}) {
      for (int threads : zstd ? std::vector<int>{1, 2} : std::vector<int>{1}) {
        for (Lib lib : libs) {
          RegisterWrite({lib, zstd, direct, threads});
        }
      }
      // What the writer's own write thread gains.
      RegisterWrite({Lib::kStrata, zstd, direct, 1, /*background_writes=*/false});
    }
  }
  for (bool zstd : {false, true}) {
    for (ReadMode mode :
         {ReadMode::kWarm, ReadMode::kCold, ReadMode::kDirect}) {
      for (Lib lib : libs) {
        const std::string name = std::string("Scan/") + CompressionName(zstd) +
                                 "/" + ReadModeName(mode) + "/" + LibName(lib);
        benchmark::RegisterBenchmark(name.c_str(), BM_Scan, lib, zstd, mode)
            ->Iterations(1)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
  for (bool zstd : {false, true}) {
    for (ReadMode mode : {ReadMode::kWarm, ReadMode::kDirect}) {
      for (Lib lib : libs) {
        const std::string name = std::string("Get/") + CompressionName(zstd) +
                                 "/" + ReadModeName(mode) + "/" + LibName(lib);
        benchmark::RegisterBenchmark(name.c_str(), BM_Get, lib, zstd, mode)
            ->Iterations(static_cast<benchmark::IterationCount>(g_lookups))
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
      }
    }
  }
  for (bool zstd : {false, true}) {
    const std::string name =
        std::string("GetVsRawRead/") + CompressionName(zstd) + "/direct";
    benchmark::RegisterBenchmark(name.c_str(), BM_GetVsRawRead, zstd)
        ->Iterations(static_cast<benchmark::IterationCount>(g_lookups))
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("RawRead/warm/4101", BM_RawReadWarm, 4101)
      ->Iterations(static_cast<benchmark::IterationCount>(g_lookups))
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime();
  for (size_t read_bytes : {size_t{4096}, size_t{4608}, size_t{8192}}) {
    const std::string name = "RawRead/direct/" + std::to_string(read_bytes);
    benchmark::RegisterBenchmark(name.c_str(), BM_RawRead, read_bytes)
        ->Iterations(static_cast<benchmark::IterationCount>(g_lookups))
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) {
  // Our own flags first; the rest go to Google Benchmark.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (std::strncmp(arg, "--dir=", 6) == 0) {
      strata::g_dir = arg + 6;
    } else if (std::strncmp(arg, "--num=", 6) == 0) {
      strata::g_num = std::strtoull(arg + 6, nullptr, 10);
    } else if (std::strncmp(arg, "--lookups=", 10) == 0) {
      strata::g_lookups = std::strtoull(arg + 10, nullptr, 10);
    } else if (std::strncmp(arg, "--bloom_bits=", 13) == 0) {
      strata::g_bloom_bits = std::atoi(arg + 13);
    } else if (std::strncmp(arg, "--cache_mib=", 12) == 0) {
      strata::g_cache_mib = std::strtoull(arg + 12, nullptr, 10);
    } else if (std::strncmp(arg, "--readahead_kib=", 16) == 0) {
      strata::g_readahead_kib = std::strtoull(arg + 16, nullptr, 10);
    } else if (std::strcmp(arg, "--block_align") == 0) {
      strata::g_block_align = true;
    } else if (std::strcmp(arg, "--rocksdb_first") == 0) {
      strata::g_rocksdb_first = true;
    } else if (std::strcmp(arg, "--keep_read_tables") == 0) {
      strata::g_keep_read_tables = true;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (strata::g_dir.empty() || strata::g_num == 0 || strata::g_lookups == 0) {
    std::fprintf(stderr,
                 "usage: sst_bench --dir=<dir> [--num=5000000] "
                 "[--lookups=1000000] [--bloom_bits=0] [--cache_mib=0] "
                 "[--readahead_kib=0] [--block_align] [--rocksdb_first] "
                 "[--keep_read_tables] [benchmark flags]\n");
    return 2;
  }
  strata::RegisterAll();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!strata::g_keep_read_tables) strata::RemoveReadTables();
  return 0;
}
