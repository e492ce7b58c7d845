// io_bench: the I/O layer against the device.
//
//   io_bench --dir=<dir on the disk under test> [--file_mib=1024]
//            [google benchmark flags]
//
// BM_SequentialWrite: WritableFileWriter appends of 100 B or 4 KiB until
//   --file_mib MiB, then Close (direct: padded tail, truncate, fsync;
//   buffered: Sync). Bytes/s counts logical bytes. background:1 hands full
//   buffers to a one-thread executor (copying overlaps device time).
// BM_RandomRead: 4 KiB reads at random 4 KiB-aligned offsets of a
//   --file_mib MiB file, one at a time (queue depth 1), through
//   RandomAccessFileReader; buffered runs start with the file evicted from the
//   page cache. items/s is IOPS.
// Compare with fio on the same directory (README, "Benchmarks").
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "env/posix_file_system.h"
#include "env/random_access_file_reader.h"
#include "env/writable_file_writer.h"
#include "strata/thread_pool.h"
#include "util/aligned_buffer.h"

namespace strata {
namespace {

std::string g_dir;
uint64_t g_file_bytes = uint64_t{1} << 30;

FileSystem* Fs() {
  static std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  return fs.get();
}

void Fail(benchmark::State& state, const Status& s) {
  state.SkipWithError(s.ToString().c_str());
}

void BM_SequentialWrite(benchmark::State& state) {
  const bool direct = state.range(0) != 0;
  const size_t append_bytes = static_cast<size_t>(state.range(1));
  // background: full buffers are written on a one-thread executor while the
  // next one fills (direct only).
  const bool background = state.range(2) != 0;
  ThreadPool pool;
  pool.SetBackgroundThreads(background ? 1 : 0);
  WritableFileWriterOptions writer_options;
  writer_options.executor = background ? &pool : nullptr;
  const std::string path = g_dir + "/io_bench_write.dat";
  std::string chunk(append_bytes, '\0');
  std::mt19937_64 rng(42);
  for (char& c : chunk) c = static_cast<char>(rng());
  for (auto _ : state) {
    FileOptions fo;
    fo.use_direct_writes = direct;
    fo.kind = FileKind::kTableFlush;
    std::unique_ptr<WritableFile> file;
    Status s = Fs()->NewWritableFile(path, fo, &file);
    if (!s.ok()) return Fail(state, s);
    std::unique_ptr<WritableFileWriter> writer;
    s = WritableFileWriter::Create(std::move(file), writer_options, &writer);
    if (!s.ok()) return Fail(state, s);
    for (uint64_t done = 0; done < g_file_bytes; done += append_bytes) {
      s = writer->Append(chunk);
      if (!s.ok()) break;
    }
    if (s.ok() && !direct) s = writer->Sync();
    Status close = writer->Close();
    if (s.ok()) s = close;
    if (!s.ok()) return Fail(state, s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() *
                                               g_file_bytes));
  Fs()->DeleteFile(path).PermitUncheckedError();  // Scratch file.
}

// Creates the read target once (direct writes, so nothing is cached).
Status EnsureReadFile(const std::string& path) {
  uint64_t size = 0;
  if (Fs()->GetFileSize(path, &size).ok() && size == g_file_bytes) {
    return Status::OK();
  }
  FileOptions fo;
  fo.use_direct_writes = true;
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(Fs()->NewWritableFile(path, fo, &file));
  std::unique_ptr<WritableFileWriter> writer;
  STRATA_RETURN_IF_ERROR(WritableFileWriter::Create(
      std::move(file), WritableFileWriterOptions(), &writer));
  std::string chunk(1 << 20, 'r');
  Status s;
  for (uint64_t done = 0; s.ok() && done < g_file_bytes; done += chunk.size()) {
    s = writer->Append(chunk);
  }
  Status close = writer->Close();
  return s.ok() ? close : s;
}

void BM_RandomRead(benchmark::State& state) {
  const bool direct = state.range(0) != 0;
  const std::string path = g_dir + "/io_bench_read.dat";
  Status s = EnsureReadFile(path);
  if (!s.ok()) return Fail(state, s);
  FileOptions fo;
  fo.use_direct_reads = direct;
  fo.kind = FileKind::kTableUserRead;
  std::unique_ptr<RandomAccessFile> file;
  s = Fs()->NewRandomAccessFile(path, fo, &file);
  if (!s.ok()) return Fail(state, s);
  if (!direct) {
    s = file->InvalidateCache(0, 0);  // Start cold, like the direct run.
    if (s.ok()) s = file->Hint(AccessPattern::kRandom);
    if (!s.ok()) return Fail(state, s);
  }
  RandomAccessFileReader reader(std::move(file));
  constexpr size_t kBlock = 4096;
  AlignedBuffer scratch(kBlock);
  scratch.Allocate(kBlock);
  std::mt19937_64 rng(7);
  const uint64_t blocks = g_file_bytes / kBlock;
  for (auto _ : state) {
    const uint64_t offset = (rng() % blocks) * kBlock;
    Slice got;
    s = reader.Read(offset, kBlock, &got, scratch.data());
    if (!s.ok() || got.size() != kBlock) {
      return Fail(state, s.ok() ? Status::Corruption("short read") : s);
    }
    benchmark::DoNotOptimize(got.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBlock));
}

BENCHMARK(BM_SequentialWrite)
    ->ArgNames({"direct", "append_bytes", "background"})
    ->Args({1, 4096, 0})
    ->Args({1, 4096, 1})
    ->Args({0, 4096, 0})
    ->Args({1, 100, 0})
    ->Args({1, 100, 1})
    ->Args({0, 100, 0})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_RandomRead)
    ->ArgNames({"direct"})
    ->Arg(1)
    ->Arg(0)
    ->MinTime(5.0)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
}  // namespace strata

int main(int argc, char** argv) {
  // Our own flags first; the rest go to Google Benchmark.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--dir=", 6) == 0) {
      strata::g_dir = argv[i] + 6;
    } else if (std::strncmp(argv[i], "--file_mib=", 11) == 0) {
      strata::g_file_bytes = std::strtoull(argv[i] + 11, nullptr, 10) << 20;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (strata::g_dir.empty()) {
    std::fprintf(stderr,
                 "usage: io_bench --dir=<dir> [--file_mib=1024] "
                 "[benchmark flags]\n");
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
