#include "db_bench/page_cache_report.h"

#include <cinttypes>
#include <cstdio>
#include <filesystem>

#include "util/page_cache.h"

namespace strata::bench {
namespace {

enum Kind { kSst, kWal, kManifest, kOther, kNumKinds };
const char* const kKindNames[kNumKinds] = {"sst", "wal", "manifest", "other"};

Kind KindOf(const std::string& name) {
  auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() &&
           name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with(".sst")) return kSst;
  if (ends_with(".log")) return kWal;
  if (name.rfind("MANIFEST-", 0) == 0) return kManifest;
  return kOther;
}

}  // namespace

std::string PageCacheReport(const std::string& dir) {
  struct Sum {
    uint64_t files = 0, bytes = 0, resident = 0;
  } sums[kNumKinds];
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return "page cache: " + dir + ": " + ec.message() + "\n";
  std::string errors;
  for (const auto& entry : it) {
    if (!entry.is_regular_file(ec)) continue;
    PageCacheResidency residency;
    Status s = MeasurePageCacheResidency(entry.path().string(), &residency);
    if (!s.ok()) {
      errors += "page cache: " + s.ToString() + "\n";
      continue;
    }
    Sum& sum = sums[KindOf(entry.path().filename().string())];
    ++sum.files;
    sum.bytes += residency.file_bytes;
    sum.resident += residency.resident_bytes;
  }
  std::string out;
  char line[200];
  for (int k = 0; k < kNumKinds; ++k) {
    if (sums[k].files == 0) continue;
    std::snprintf(line, sizeof(line),
                  "page cache: %-9s %5" PRIu64 " files %14" PRIu64
                  " bytes %14" PRIu64 " resident (%.1f%%)\n",
                  kKindNames[k], sums[k].files, sums[k].bytes, sums[k].resident,
                  sums[k].bytes == 0
                      ? 0.0
                      : 100.0 * static_cast<double>(sums[k].resident) /
                            static_cast<double>(sums[k].bytes));
    out += line;
  }
  if (out.empty() && errors.empty())
    out = "page cache: no files in " + dir + "\n";
  return out + errors;
}

}  // namespace strata::bench
