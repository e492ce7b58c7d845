// TableProperties: what the properties meta block of an SST says about the
// table (../shared/spec/sst-format.md section 12).
//
// EncodeTableProperties() gives the (name, value) pairs exactly as RocksDB
// 7.8.3's block-based table builder writes them, sorted bytewise, ready for a
// BlockBuilder with one restart (the properties block is never compressed).
// DecodeTableProperty() takes them back one by one; names it does not know
// are kept as user-collected properties.
// Thread-safety: plain data and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "strata/slice.h"
#include "strata/status.h"
#include "strata/table_properties.h"

namespace strata {

// Property names (persisted; RocksDB's spelling).
namespace property_names {
inline constexpr char kIndexType[] = "rocksdb.block.based.table.index.type";
inline constexpr char kPrefixFiltering[] =
    "rocksdb.block.based.table.prefix.filtering";
inline constexpr char kWholeKeyFiltering[] =
    "rocksdb.block.based.table.whole.key.filtering";
inline constexpr char kColumnFamilyId[] = "rocksdb.column.family.id";
inline constexpr char kColumnFamilyName[] = "rocksdb.column.family.name";
inline constexpr char kComparator[] = "rocksdb.comparator";
inline constexpr char kCompression[] = "rocksdb.compression";
inline constexpr char kCompressionOptions[] = "rocksdb.compression_options";
inline constexpr char kDbId[] = "rocksdb.creating.db.identity";
inline constexpr char kDbHostId[] = "rocksdb.creating.host.identity";
inline constexpr char kDbSessionId[] = "rocksdb.creating.session.identity";
inline constexpr char kCreationTime[] = "rocksdb.creation.time";
inline constexpr char kDataSize[] = "rocksdb.data.size";
inline constexpr char kDeletedKeys[] = "rocksdb.deleted.keys";
inline constexpr char kGlobalSeqno[] = "rocksdb.external_sst_file.global_seqno";
inline constexpr char kExternalVersion[] = "rocksdb.external_sst_file.version";
inline constexpr char kFileCreationTime[] = "rocksdb.file.creation.time";
inline constexpr char kFilterPolicy[] = "rocksdb.filter.policy";
inline constexpr char kFilterSize[] = "rocksdb.filter.size";
inline constexpr char kFixedKeyLen[] = "rocksdb.fixed.key.length";
inline constexpr char kFormatVersion[] = "rocksdb.format.version";
inline constexpr char kIndexKeyIsUserKey[] = "rocksdb.index.key.is.user.key";
inline constexpr char kIndexPartitions[] = "rocksdb.index.partitions";
inline constexpr char kIndexSize[] = "rocksdb.index.size";
inline constexpr char kIndexValueIsDeltaEncoded[] =
    "rocksdb.index.value.is.delta.encoded";
inline constexpr char kMergeOperands[] = "rocksdb.merge.operands";
inline constexpr char kMergeOperator[] = "rocksdb.merge.operator";
inline constexpr char kNumDataBlocks[] = "rocksdb.num.data.blocks";
inline constexpr char kNumEntries[] = "rocksdb.num.entries";
inline constexpr char kNumFilterEntries[] = "rocksdb.num.filter_entries";
inline constexpr char kNumRangeDeletions[] = "rocksdb.num.range-deletions";
inline constexpr char kOldestKeyTime[] = "rocksdb.oldest.key.time";
inline constexpr char kOriginalFileNumber[] = "rocksdb.original.file.number";
inline constexpr char kPrefixExtractorName[] = "rocksdb.prefix.extractor.name";
inline constexpr char kPropertyCollectors[] = "rocksdb.property.collectors";
inline constexpr char kRawKeySize[] = "rocksdb.raw.key.size";
inline constexpr char kRawValueSize[] = "rocksdb.raw.value.size";
inline constexpr char kTopLevelIndexSize[] = "rocksdb.top-level.index.size";
}  // namespace property_names


// The (name, encoded value) pairs to store, sorted bytewise by name.
std::vector<std::pair<std::string, std::string>> EncodeTableProperties(
    const TableProperties& props);

// Applies one stored property. Malformed values of known numeric names
// give Corruption with a detail naming the property (the caller adds the
// file and block offset).
Status DecodeTableProperty(Slice name, Slice value, TableProperties* props);

// RocksDB's compression_options text for the defaults and `level` (32767
// means "default level"), e.g. "window_bits=-14; level=32767; strategy=0;
// max_dict_bytes=0; zstd_max_train_bytes=0; enabled=0;
// max_dict_buffer_bytes=0; use_zstd_dict_trainer=1; ".
std::string CompressionOptionsString(int level);

// A fresh random session id: 20 characters of [0-9A-Z], like RocksDB's
// (the rocksdb.db.session.id property of every table a session writes).
std::string NewDbSessionId();

}  // namespace strata
