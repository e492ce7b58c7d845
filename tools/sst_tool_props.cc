#include "tools/sst_tool_props.h"

#include <cstdio>
#include <set>
#include <string_view>

#include "strata/slice.h"
#include "table/table_properties.h"
#include "util/coding.h"

namespace strata::sst_tool {

namespace {

namespace pn = property_names;

// RocksDB 7.8.3 knows these properties but strata keeps them raw in
// TableProperties::user_collected; RocksDB does not list them as
// user-collected, so neither do we.
constexpr char kSlowCompressionSize[] =
    "rocksdb.sample_for_compression.slow.data.size";
constexpr char kFastCompressionSize[] =
    "rocksdb.sample_for_compression.fast.data.size";
constexpr char kSeqnoTimeMap[] = "rocksdb.seqno.time.map";

// Properties RocksDB reads into named fields yet also keeps among the
// user-collected ones (for API compatibility), plus those it has no field
// for: what sst_dump lists under "Raw user collected properties".
bool ListedAsUserCollected(std::string_view name,
                           const TableProperties& props) {
  static const std::set<std::string_view> kAlwaysListed = {
      pn::kDeletedKeys,     pn::kMergeOperands,     pn::kIndexType,
      pn::kPrefixFiltering, pn::kWholeKeyFiltering, pn::kExternalVersion,
      pn::kGlobalSeqno,
  };
  if (kAlwaysListed.count(name) != 0) return true;
  if (name == kSlowCompressionSize || name == kFastCompressionSize ||
      name == kSeqnoTimeMap) {
    return false;
  }
  return props.user_collected.count(std::string(name)) != 0;
}

// A varint property RocksDB has a field for but strata keeps raw; 0 when
// absent or malformed, as RocksDB's default.
uint64_t RawVarintProperty(const TableProperties& props, const char* name) {
  auto it = props.user_collected.find(name);
  uint64_t value = 0;
  if (it == props.user_collected.end()) return 0;
  Slice in(it->second);
  if (!GetVarint64(&in, &value)) return 0;
  return value;
}

class Printer {
 public:
  void Add(std::string_view label, std::string_view value) {
    out_ += "  ";
    out_.append(label);
    out_ += ": ";
    out_.append(value);
    out_ += '\n';
  }
  void Add(std::string_view label, uint64_t value) {
    Add(label, std::to_string(value));
  }
  // std::to_string(double) is "%f", as RocksDB prints averages.
  void AddAverage(std::string_view label, uint64_t total, uint64_t count) {
    Add(label, std::to_string(count != 0 ? 1.0 * static_cast<double>(total) /
                                               static_cast<double>(count)
                                         : 0.0));
  }
  void AddOrNA(std::string_view label, const std::string& value) {
    Add(label, value.empty() ? std::string_view("N/A") : value);
  }
  std::string* out() { return &out_; }

 private:
  std::string out_;
};

}  // namespace

std::string FormatTableProperties(const TableProperties& p) {
  Printer pr;
  std::string* out = pr.out();
  *out += "Table Properties:\n------------------------------\n";
  pr.Add("# data blocks", p.num_data_blocks);
  pr.Add("# entries", p.num_entries);
  pr.Add("# deletions", p.num_deletions);
  pr.Add("# merge operands", p.num_merge_operands);
  pr.Add("# range deletions", p.num_range_deletions);
  pr.Add("raw key size", p.raw_key_size);
  pr.AddAverage("raw average key size", p.raw_key_size, p.num_entries);
  pr.Add("raw value size", p.raw_value_size);
  pr.AddAverage("raw average value size", p.raw_value_size, p.num_entries);
  pr.Add("data block size", p.data_size);
  char index_label[80];
  std::snprintf(index_label, sizeof(index_label),
                "index block size (user-key? %d, delta-value? %d)",
                static_cast<int>(p.index_key_is_user_key),
                static_cast<int>(p.index_value_is_delta_encoded));
  pr.Add(index_label, p.index_size);
  if (p.index_partitions != 0) {
    pr.Add("# index partitions", p.index_partitions);
    pr.Add("top-level index size", p.top_level_index_size);
  }
  pr.Add("filter block size", p.filter_size);
  pr.Add("# entries for filter", p.num_filter_entries);
  pr.Add("(estimated) table size", p.data_size + p.index_size + p.filter_size);
  pr.AddOrNA("filter policy name", p.filter_policy_name);
  pr.AddOrNA("prefix extractor name", p.prefix_extractor_name);
  pr.Add("column family ID", p.column_family_id == kUnknownColumnFamilyId
                                 ? std::string("N/A")
                                 : std::to_string(p.column_family_id));
  pr.AddOrNA("column family name", p.column_family_name);
  pr.AddOrNA("comparator name", p.comparator_name);
  pr.AddOrNA("merge operator name", p.merge_operator_name);
  pr.AddOrNA("property collectors names", p.property_collectors_names);
  pr.AddOrNA("SST file compression algo", p.compression_name);
  pr.AddOrNA("SST file compression options", p.compression_options);
  pr.Add("creation time", p.creation_time);
  pr.Add("time stamp of earliest key", p.oldest_key_time);
  pr.Add("file creation time", p.file_creation_time);
  pr.Add("slow compression estimated data size",
         RawVarintProperty(p, kSlowCompressionSize));
  pr.Add("fast compression estimated data size",
         RawVarintProperty(p, kFastCompressionSize));
  pr.Add("DB identity", p.db_id);
  pr.Add("DB session identity", p.db_session_id);
  pr.Add("DB host id", p.db_host_id);
  pr.Add("original file number", p.original_file_number);

  // sst_dump's own spacing: the properties' delimiter indents this title.
  *out += "  Raw user collected properties\n------------------------------\n";
  // The stored encodings, sorted by name as sst_dump's std::map is.
  for (const auto& [name, value] : EncodeTableProperties(p)) {
    if (!ListedAsUserCollected(name, p)) continue;
    std::string hex = Slice(value).ToHex();
    for (char& c : hex) {
      if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    }
    *out += "  # " + name + ": 0x" + hex + "\n";
  }
  return *out;
}

}  // namespace strata::sst_tool
