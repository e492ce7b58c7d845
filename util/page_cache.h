// Page-cache residency: how many bytes of a file the kernel holds in memory.
//
// Measured with mincore(2) on a read-only shared mapping of the file: mapping
// a file does not read it, and mincore only reports. Used by tests and
// db_bench to show that direct I/O really bypassed the page cache.
//
// Residency means nothing on memory file systems (tmpfs, ramfs: everything is
// "resident") and is unreliable where direct writes may fall back to buffered
// ones (btrfs, ZFS). ProbeResidencyMeasurable() says whether a directory is
// fit, and why not, by experiment.
// Thread-safety: free functions, safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>

#include "strata/status.h"

namespace strata {

struct PageCacheResidency {
  uint64_t file_bytes = 0;      // The file's size.
  uint64_t resident_bytes = 0;  // Resident pages * page size, capped at size.
  uint64_t total_pages = 0;
  uint64_t resident_pages = 0;
};

// Measures `path`. An empty file is 0 of 0. Errors name the path and errno.
Status MeasurePageCacheResidency(const std::string& path,
                                 PageCacheResidency* residency);

struct ResidencyProbeResult {
  bool measurable = false;
  std::string reason;  // Why not, when !measurable; a summary otherwise.
};

// Decides whether page-cache residency of files in `dir` can be measured:
// rejects tmpfs, ramfs, btrfs and ZFS by statfs type, then self-tests in a
// temporary file: 1 MiB written with O_DIRECT and fsynced must show 0
// resident pages, and 1 MiB written buffered must show resident pages.
ResidencyProbeResult ProbeResidencyMeasurable(const std::string& dir);

}  // namespace strata
