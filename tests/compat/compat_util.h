// Shared pieces of the RocksDB compatibility suites (tests/compat/): the
// pairwise option matrix, the data sets, and small adapters that write or
// read one SST file with RocksDB 7.8.3 (librocksdb-dev, the `sst_dump` tool)
// or with strata, all reporting entries in one common form.
//
// RocksDB is the reference: these tests prove that each side reads the
// other's files exactly (../shared/spec/sst-format.md sections 16-19).
// Thread-safety: plain functions over caller-owned data; nothing is shared.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/status.h>
#include <rocksdb/table_properties.h>

#include "strata/status.h"
#include "table/internal_key.h"
#include "table/table_properties.h"
#include "table/table_reader.h"
#include "testutil/testutil.h"
#include "util/checksum.h"
#include "util/compression.h"

namespace strata::compat {

// ---------------------------------------------------------------------------
// Options

// One point of the option matrix, applied identically to RocksDB's
// BlockBasedTableOptions and to strata's TableBuilderOptions.
struct Combo {
  uint32_t format_version = 5;
  ChecksumType checksum = ChecksumType::kXXH3;
  CompressionType compression = CompressionType::kNoCompression;
  size_t block_size = 4096;
  int restart_interval = 16;
  int index_restart_interval = 1;
  bool bloom = false;  // 10 bits per key.
  bool block_align = false;  // Outside the pairwise matrix (needs no
                             // compression); named "_Align".
};

// "Fv5_XXH3_Zstd_B4096_R16_Ir1_Bloom".
std::string ComboName(const Combo& combo);
// How GoogleTest (and so ctest's test list) prints a parameter.
inline void PrintTo(const Combo& combo, std::ostream* os) {
  *os << ComboName(combo);
}

// The values each option takes in the matrix.
inline constexpr uint32_t kFormatVersions[] = {2, 3, 4, 5};
inline constexpr ChecksumType kChecksums[] = {
    ChecksumType::kCRC32c, ChecksumType::kxxHash, ChecksumType::kxxHash64,
    ChecksumType::kXXH3};
inline constexpr CompressionType kCompressions[] = {
    CompressionType::kNoCompression, CompressionType::kZSTD};
inline constexpr size_t kBlockSizes[] = {512, 4096, 16384};
inline constexpr int kRestartIntervals[] = {1, 16};
inline constexpr int kIndexRestartIntervals[] = {1, 16};
inline constexpr bool kBlooms[] = {false, true};

// 16 combinations in which every pair of values of any two options occurs
// at least once (a pairwise covering array; compat_matrix_test.cc proves
// the coverage), so a bug that needs two particular settings shows up.
std::vector<Combo> PairwiseCombos();

// The two option sets the edge-case data sets run under: RocksDB's defaults
// with zstd and a FastLocalBloom filter, and the oldest format with small
// blocks, restart interval 1 and the legacy bloom filter.
std::vector<Combo> EdgeCaseCombos();

// ---------------------------------------------------------------------------
// Entries

// One point entry as every reader here reports it.
struct Entry {
  std::string user_key;
  SequenceNumber sequence = 0;
  ValueType type = ValueType::kValue;
  std::string value;

  bool operator==(const Entry& other) const = default;
};
// "'6b6579' seq:0, type:1 => 76616c" (long values shortened).
std::ostream& operator<<(std::ostream& os, const Entry& entry);

// A range tombstone [begin, end) at `sequence`.
struct RangeDeletion {
  std::string begin;
  std::string end;
  SequenceNumber sequence = 0;

  bool operator==(const RangeDeletion& other) const = default;
};
std::ostream& operator<<(std::ostream& os, const RangeDeletion& tombstone);

// Equal sequences, or a failure naming the first differing position and both
// entries there (and the lengths).
::testing::AssertionResult SameEntries(const std::vector<Entry>& want,
                                       const std::vector<Entry>& got);

// Internal-key order of Entry: user key ascending, then (sequence, type)
// descending.
bool EntryLess(const Entry& a, const Entry& b);

// ---------------------------------------------------------------------------
// Data sets: what gets written, as an SstFileWriter would take it (strictly
// increasing unique user keys, sequence 0, Put/Delete/Merge, range
// tombstones in call order).

enum class DataSetKind {
  kRandom,               // ~1200 mixed entries and two range tombstones.
  kEdgeKeys,             // Empty key, 0x00 and 0xff keys, empty values.
  kEmptyValues,          // Every value empty.
  kBigValues,            // 100 KiB values, random and compressible.
  kOneEntry,             // A single Put.
  kManyEntries,          // 100,000 small entries.
  kDeletesAndMerges,     // Mostly Delete and Merge entries.
  kRangeTombstones,      // Puts plus overlapping DeleteRange tombstones.
  kOnlyRangeTombstones,  // Range tombstones and no point entry.
};
std::string DataSetName(DataSetKind kind);  // "Random", "EdgeKeys", ...

struct DataSet {
  std::vector<Entry> entries;             // In order.
  std::vector<RangeDeletion> tombstones;  // In call order.
};

// The fixed seed every data set, probe key list and session id derives from
// (DataSeedTrace prints it with every failure).
inline constexpr uint64_t kDataSeed = 0x5354524154410001ull;

// Prints the data seed with every failure of the test that holds it (a
// fixture member lives through SetUp, the test body and TearDown).
class DataSeedTrace : public ::testing::ScopedTrace {
 public:
  DataSeedTrace()
      : ::testing::ScopedTrace(__FILE__, __LINE__,
                               "data seed = " + std::to_string(kDataSeed)) {}
};

// The data set of `kind`, the same on every run.
DataSet MakeDataSet(DataSetKind kind);

// User keys that are not in `data`, some between its keys, some outside its
// range, the same on every run.
std::vector<std::string> AbsentKeys(const DataSet& data, size_t count);

// About `count` keys to seek to or look up: half AbsentKeys(), half keys of
// `data` spread evenly over it, plus its last key.
std::vector<std::string> ProbeKeys(const DataSet& data, size_t count);

// One test case: a data set written under one option combination.
struct Case {
  DataSetKind data = DataSetKind::kRandom;
  Combo combo;
};
std::string CaseName(const Case& c);  // "Random_Fv5_XXH3_Zstd_..."
inline void PrintTo(const Case& c, std::ostream* os) { *os << CaseName(c); }
// Random x PairwiseCombos(), then every edge data set x EdgeCaseCombos().
std::vector<Case> AllCases();
// The cases with a bloom filter and absent keys between present ones (so
// not the single-entry and tombstone-only data sets).
std::vector<Case> BloomCases();
struct CaseNamer {
  std::string operator()(const ::testing::TestParamInfo<Case>& info) const {
    return CaseName(info.param);
  }
};

// ---------------------------------------------------------------------------
// RocksDB side

::testing::AssertionResult RocksOk(const rocksdb::Status& s);

// RocksDB's "stringappend" merge operator: a single Merge operand with no
// base value reads back as the operand itself.
std::shared_ptr<rocksdb::MergeOperator> StringAppendOperator();

// Options whose block-based table factory and compression follow `combo`
// (the same settings strata gets).
rocksdb::Options RocksDbOptions(const Combo& combo);

// Writes `data` with rocksdb::SstFileWriter under `combo`.
rocksdb::Status WriteWithSstFileWriter(const Combo& combo, const DataSet& data,
                                       const std::string& path);

// What rocksdb::SstFileReader sees: the properties, and the iterator's
// (user key, value) pairs (Deletes hidden, a Merge read as its operand).
struct RocksDbView {
  std::shared_ptr<const rocksdb::TableProperties> properties;
  std::vector<std::pair<std::string, std::string>> visible;
};
rocksdb::Status ReadWithSstFileReader(const std::string& path,
                                      RocksDbView* view);

// The (key, value) pairs RocksDB's iterator shows for `entries`: Puts and
// Merges (a lone Merge operand reads back as itself), no Deletes.
std::vector<std::pair<std::string, std::string>> VisiblePairs(
    const std::vector<Entry>& entries);

// Runs `sst_dump args...` with stdout and stderr captured in files under
// `dir`. exit_code is the tool's exit status (-1 if it did not exit
// normally).
struct ToolResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
ToolResult RunSstDump(const std::vector<std::string>& args,
                      const std::string& dir);

// Parses the lines of `sst_dump --command=scan --output_hex` of the form
//   '<KEY HEX>' seq:<n>, type:<t> => <VALUE HEX>
// Every line starting with a quote must have this form, else false with
// the offending line in *error.
bool ParseSstDumpScan(const std::string& out, std::vector<Entry>* entries,
                      std::string* error);

// Compares every property both readers know, naming the first difference.
::testing::AssertionResult SameProperties(const rocksdb::TableProperties& want,
                                          const TableProperties& got);

// ---------------------------------------------------------------------------
// strata side

// The identity SstFileWriter records: db_id "SST Writer", the given session
// and host ids, original file number 1, external file version 2, global
// seqno 0, the "unknown" column family.
TableProperties SstFileWriterIdentity(const std::string& session_id,
                                      const std::string& host_id);

// A 20-character [0-9A-Z] session id, fixed for a given seed.
std::string MakeSessionId(uint64_t seed);

// Writes `data` with strata's TableBuilder under `combo` into `path` (on
// the real file system).
Status BuildWithStrata(const Combo& combo, const DataSet& data,
                       const TableProperties& identity,
                       const std::string& path);

Status OpenWithStrata(const std::string& path,
                      std::unique_ptr<TableReader>* table);

// Every point entry, front to back (or back to front), through a strata
// TableIterator.
Status ReadAllWithStrata(const TableReader& table, bool backward,
                         std::vector<Entry>* entries);

// Converts a strata internal key and value; Corruption if the key does not
// parse.
Status ToEntry(Slice internal_key, Slice value, Entry* entry);

// The whole content of a file.
std::string ReadFileBytes(const std::string& path);

// For a byte-identity failure: where `want` (RocksDB's file at
// `rocksdb_path`) and `got` first differ, which block holds that offset
// (located through RocksDB's file's own footer, index and metaindex) and
// the bytes around it in both files. Empty if they are equal.
std::string DescribeFirstDifference(const std::string& want,
                                    const std::string& got,
                                    const std::string& rocksdb_path);

}  // namespace strata::compat
