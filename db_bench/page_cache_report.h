// The page-cache footprint of a DB directory's files for db_bench's I/O
// report: file bytes and resident bytes (mincore, util/page_cache.h) summed
// per kind of file, told apart by name: *.sst, *.log (WAL), MANIFEST-*,
// everything else.
// Thread-safety: a free function; safe to call concurrently.
#pragma once

#include <string>

namespace strata::bench {

// One line per kind present, without a trailing prefix, e.g.
//   "page cache: sst       3 files        2411021 bytes      0 resident (0.0%)"
// or a line saying why nothing could be measured.
std::string PageCacheReport(const std::string& dir);

}  // namespace strata::bench
