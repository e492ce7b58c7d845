#include "db_bench/page_cache_report.h"

#include <filesystem>

#include "util/page_cache.h"

namespace strata::bench {

const char* DirFileKindName(DirFileKind kind) {
  switch (kind) {
    case DirFileKind::kSst:
      return "sst";
    case DirFileKind::kWal:
      return "wal";
    case DirFileKind::kManifest:
      return "manifest";
    case DirFileKind::kOther:
      break;
  }
  return "other";
}

DirFileKind DirFileKindOf(const std::string& name) {
  auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() &&
           name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with(".sst")) return DirFileKind::kSst;
  if (ends_with(".log")) return DirFileKind::kWal;
  if (name.rfind("MANIFEST-", 0) == 0) return DirFileKind::kManifest;
  return DirFileKind::kOther;
}

DirPageCache MeasureDirPageCache(const std::string& dir) {
  DirPageCache result;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    result.errors.push_back(dir + ": " + ec.message());
    return result;
  }
  for (const auto& entry : it) {
    if (!entry.is_regular_file(ec)) continue;
    PageCacheResidency residency;
    Status s = MeasurePageCacheResidency(entry.path().string(), &residency);
    if (!s.ok()) {
      // A file deleted since the listing (an obsolete WAL or SST) is
      // reported, not fatal: the figures are a best effort.
      result.errors.push_back(s.ToString());
      continue;
    }
    PageCacheUsage& usage = result.by_kind[static_cast<size_t>(
        DirFileKindOf(entry.path().filename().string()))];
    ++usage.files;
    usage.file_bytes += residency.file_bytes;
    usage.resident_bytes += residency.resident_bytes;
  }
  return result;
}

}  // namespace strata::bench
