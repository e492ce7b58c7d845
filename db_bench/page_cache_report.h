// The page-cache footprint of a DB directory's files for db_bench's I/O
// report: file bytes and resident bytes (mincore, util/page_cache.h) summed
// per kind of file, told apart by name: *.sst, *.log (WAL), MANIFEST-*,
// everything else. Formatting is io_report.h's.
// Thread-safety: free functions; safe to call concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace strata::bench {

// Kinds of files in a DB directory, by name. Not persisted.
enum class DirFileKind { kSst, kWal, kManifest, kOther };
inline constexpr int kNumDirFileKinds = 4;

// "sst", "wal", "manifest", "other": the report's and the JSON's names.
const char* DirFileKindName(DirFileKind kind);
// The kind of a file named `name` (no directory part).
DirFileKind DirFileKindOf(const std::string& name);

struct PageCacheUsage {
  uint64_t files = 0;
  uint64_t file_bytes = 0;
  uint64_t resident_bytes = 0;
};

struct DirPageCache {
  std::array<PageCacheUsage, kNumDirFileKinds> by_kind{};
  // Files or the directory that could not be measured, each a message that
  // names the path and the error.
  std::vector<std::string> errors;
};

// Measures every regular file directly in `dir`.
DirPageCache MeasureDirPageCache(const std::string& dir);

}  // namespace strata::bench
