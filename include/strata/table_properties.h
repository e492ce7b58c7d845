// TableProperties: what an SST's properties block says about the table
// (../shared/spec/sst-format.md section 12): sizes, counts, the format
// options used, and who wrote it. Returned by SstFileReader; RocksDB 7.8.3
// writes and reads the same set.
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace strata {

// "Unknown column family": what SstFileWriter records without a handle.
inline constexpr uint64_t kUnknownColumnFamilyId = 2147483647;

struct TableProperties {
  // Sizes and counts.
  uint64_t data_size = 0;   // All data blocks, trailers included.
  uint64_t index_size = 0;  // Index block contents + trailer.
  uint64_t index_partitions = 0;      // Written only when non-zero.
  uint64_t top_level_index_size = 0;  // Written only when non-zero.
  uint64_t index_key_is_user_key = 0;
  uint64_t index_value_is_delta_encoded = 0;
  uint64_t filter_size = 0;  // Filter block contents, no trailer.
  uint64_t raw_key_size = 0;
  uint64_t raw_value_size = 0;
  uint64_t num_data_blocks = 0;
  uint64_t num_entries = 0;
  uint64_t num_filter_entries = 0;
  uint64_t num_deletions = 0;  // rocksdb.deleted.keys
  uint64_t num_merge_operands = 0;
  uint64_t num_range_deletions = 0;
  uint64_t format_version = 0;  // Always 0 for block-based tables.
  uint64_t fixed_key_len = 0;
  uint64_t column_family_id = kUnknownColumnFamilyId;
  uint64_t creation_time = 0;
  uint64_t oldest_key_time = 0;
  uint64_t file_creation_time = 0;  // Written only when non-zero.
  uint64_t original_file_number = 0;

  // Names and identities. Empty column_family_name, db_host_id and
  // filter_policy_name are not written.
  std::string column_family_name;
  std::string filter_policy_name;
  std::string comparator_name = "leveldb.BytewiseComparator";
  std::string merge_operator_name = "nullptr";
  std::string prefix_extractor_name = "nullptr";
  std::string property_collectors_names = "[]";
  std::string compression_name = "NoCompression";
  std::string compression_options;
  std::string db_id;
  std::string db_session_id;
  std::string db_host_id;

  // Block-based table specifics.
  uint32_t index_type = 0;  // kBinarySearch.
  bool prefix_filtering = false;
  bool whole_key_filtering = true;

  // External files (SstFileWriter output): version 2 and global seqno 0.
  bool is_external = false;
  uint32_t external_sst_file_version = 0;
  uint64_t external_sst_file_global_seqno = 0;

  // Every property with a name not listed above, raw.
  std::map<std::string, std::string> user_collected;
};

}  // namespace strata
