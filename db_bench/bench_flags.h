// db_bench's flags beyond RocksDB's (strata only), and the conversions of
// flags into strata's option structs shared by the suites.
#pragma once

#include <gflags/gflags.h>

#include <string>

#include "db_bench/rocksdb_flags.h"
#include "strata/options.h"
#include "strata/status.h"
#include "strata/table_options.h"

DECLARE_bool(io_report);
DECLARE_string(report_json);
DECLARE_bool(direct_io_fallback);
DECLARE_bool(background_readahead);
DECLARE_bool(block_memory_pool);
DECLARE_uint64(micro_bench_bytes);

namespace strata::bench {

// --io_report's default depends on other flags: on when either direct option
// is set, off otherwise. Call once after parsing; a value given on the
// command line (--io_report, --noio_report, --io_report=false) is kept.
void ApplyIOReportDefault();

// --compression_type as a CompressionType; InvalidArgument naming the value
// (and NotSupported when this build lacks the library).
Status CompressionFromFlag(CompressionType* type);
// TableOptions of new SSTs from --block_size, --format_version,
// --checksum_type, --compression_type, --compression_level, --bloom_bits,
// --block_restart_interval, --index_block_restart_interval.
Status TableOptionsFromFlags(TableOptions* table);
// Every store option db_bench sets, from the flags.
Status OptionsFromFlags(Options* options);

// The RocksDB flags strata does not implement that were set on the command
// line, comma-separated ("" when none).
std::string IgnoredFlagsSet();

}  // namespace strata::bench
