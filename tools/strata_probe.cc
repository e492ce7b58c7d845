// strata_probe: what a directory's file system really does with direct I/O.
//
// Writes and reads a test file through strata's PosixFileSystem, buffered and
// direct, and reports the alignment the file system asks for, throughput, and
// the page-cache residency each mode leaves behind (mincore), so a user can
// see before choosing options whether direct I/O is real on that directory.
//
//   strata_probe --dir=/data/db [--mib=64] [--block_kib=1024]
#include <gflags/gflags.h>

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>

#include "strata/env.h"
#include "strata/file_system.h"
#include "util/aligned_buffer.h"
#include "util/page_cache.h"

DEFINE_string(dir, "", "Directory to probe (created if missing). Required.");
DEFINE_uint64(mib, 64, "Size of the test file, in MiB.");
DEFINE_uint64(block_kib, 1024, "Size of each write and read call, in KiB.");

namespace strata {
namespace {

struct PassResult {
  double seconds = 0;
  PageCacheResidency residency;
};

double Seconds(Clock* clock, uint64_t start_nanos) {
  return static_cast<double>(clock->NowNanos() - start_nanos) / 1e9;
}

void PrintPass(const char* what, uint64_t bytes, const PassResult& r) {
  const double mib = static_cast<double>(bytes) / (1 << 20);
  const double resident_pct =
      r.residency.file_bytes == 0
          ? 0.0
          : 100.0 * static_cast<double>(r.residency.resident_bytes) /
                static_cast<double>(r.residency.file_bytes);
  std::printf("%-16s %8.1f MiB in %7.3f s  %9.1f MB/s   resident after: "
              "%" PRIu64 " bytes (%.1f%%)\n",
              what, mib, r.seconds,
              r.seconds > 0 ? static_cast<double>(bytes) / 1e6 / r.seconds : 0,
              r.residency.resident_bytes, resident_pct);
}

Status WritePass(FileSystem* fs, const std::string& path, bool direct,
                 uint64_t total_bytes, AlignedBuffer* block,
                 PassResult* result) {
  FileOptions options;
  options.use_direct_writes = direct;
  options.kind = FileKind::kTemp;
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(fs->NewWritableFile(path, options, &file));
  Clock* clock = SystemClock();
  const uint64_t start = clock->NowNanos();
  for (uint64_t done = 0; done < total_bytes; done += block->size()) {
    STRATA_RETURN_IF_ERROR(file->Append(Slice(block->data(), block->size())));
  }
  STRATA_RETURN_IF_ERROR(file->Fsync());
  STRATA_RETURN_IF_ERROR(file->Close());
  result->seconds = Seconds(clock, start);
  return MeasurePageCacheResidency(path, &result->residency);
}

Status ReadPass(FileSystem* fs, const std::string& path, bool direct,
                AlignedBuffer* block, PassResult* result) {
  FileOptions options;
  options.use_direct_reads = direct;
  options.kind = FileKind::kTemp;
  std::unique_ptr<RandomAccessFile> file;
  STRATA_RETURN_IF_ERROR(fs->NewRandomAccessFile(path, options, &file));
  Clock* clock = SystemClock();
  const uint64_t start = clock->NowNanos();
  uint64_t offset = 0;
  for (;;) {
    Slice got;
    STRATA_RETURN_IF_ERROR(
        file->Read(offset, block->capacity(), &got, block->data()));
    if (got.empty()) {
      break;
    }
    offset += got.size();
  }
  result->seconds = Seconds(clock, start);
  return MeasurePageCacheResidency(path, &result->residency);
}

// Creates `dir` and any missing parents.
Status CreateDirs(FileSystem* fs, const std::string& dir) {
  for (size_t pos = dir.find('/', 1); pos != std::string::npos;
       pos = dir.find('/', pos + 1)) {
    STRATA_RETURN_IF_ERROR(fs->CreateDirIfMissing(dir.substr(0, pos)));
  }
  return fs->CreateDirIfMissing(dir);
}

int Run() {
  if (FLAGS_dir.empty()) {
    std::fprintf(stderr, "strata_probe: --dir is required\n");
    return 2;
  }
  if (FLAGS_mib == 0 || FLAGS_block_kib == 0) {
    std::fprintf(stderr, "strata_probe: --mib and --block_kib must be > 0\n");
    return 2;
  }
  FileSystem* fs = Env::Default()->file_system();
  Status s = CreateDirs(fs, FLAGS_dir);
  if (!s.ok()) {
    std::fprintf(stderr, "strata_probe: %s\n", s.ToString().c_str());
    return 1;
  }
  const std::string path = FLAGS_dir + "/strata_probe.tmp";
  const uint64_t block_bytes = FLAGS_block_kib << 10;
  const uint64_t total_bytes = FLAGS_mib << 20;

  std::printf("strata_probe: %s\n", FLAGS_dir.c_str());

  // Which alignment does a direct file here ask for?
  DirectIOAlignment alignment;
  {
    FileOptions options;
    options.use_direct_writes = true;
    options.kind = FileKind::kTemp;
    std::unique_ptr<WritableFile> file;
    s = fs->NewWritableFile(path, options, &file);
    if (!s.ok()) {
      std::printf("direct I/O:      not available: %s\n", s.ToString().c_str());
    } else {
      alignment = file->alignment();
      std::printf("direct I/O:      open accepted; alignment: offset %zu, "
                  "memory %zu\n",
                  alignment.offset, alignment.memory);
      s = file->Close();
    }
  }
  const bool direct_ok = s.ok();
  ResidencyProbeResult probe = ProbeResidencyMeasurable(FLAGS_dir);
  std::printf("page cache:      %s: %s\n",
              probe.measurable ? "measurable" : "not measurable",
              probe.reason.c_str());

  // 64 KiB satisfies any alignment a direct file reports.
  AlignedBuffer block(64 << 10);
  block.Allocate(block_bytes);
  for (uint64_t i = 0; i < block_bytes; ++i) {
    const char c = static_cast<char>('a' + i % 26);
    block.PadWith(1, c);
  }

  struct Pass {
    const char* name;
    bool write;
    bool direct;
  };
  const Pass passes[] = {{"buffered write", true, false},
                         {"buffered read", false, false},
                         {"direct write", true, true},
                         {"direct read", false, true}};
  for (const Pass& pass : passes) {
    if (pass.direct && !direct_ok) {
      continue;
    }
    if (!pass.write) {
      // Start every read pass cold, so residency shows what the read did.
      std::unique_ptr<RandomAccessFile> f;
      s = fs->NewRandomAccessFile(path, FileOptions(), &f);
      if (s.ok()) {
        s = f->InvalidateCache(0, 0);
      }
    }
    PassResult result;
    if (s.ok()) {
      s = pass.write
              ? WritePass(fs, path, pass.direct, total_bytes, &block, &result)
              : ReadPass(fs, path, pass.direct, &block, &result);
    }
    if (!s.ok()) {
      std::fprintf(stderr, "strata_probe: %s: %s\n", pass.name,
                   s.ToString().c_str());
      fs->DeleteFile(path).PermitUncheckedError();  // Best-effort cleanup.
      return 1;
    }
    PrintPass(pass.name, total_bytes, result);
  }
  s = fs->DeleteFile(path);
  if (!s.ok()) {
    std::fprintf(stderr, "strata_probe: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) {
  gflags::SetUsageMessage(
      "reports what a directory's file system does with direct I/O\n"
      "  strata_probe --dir=<dir> [--mib=64] [--block_kib=1024]");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  return strata::Run();
}
