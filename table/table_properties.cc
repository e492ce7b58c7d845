#include "table/table_properties.h"

#include <algorithm>
#include <random>

#include "util/coding.h"

namespace strata {

namespace {

namespace pn = property_names;

std::string Varint(uint64_t v) {
  std::string s;
  PutVarint64(&s, v);
  return s;
}

std::string Fixed32(uint32_t v) {
  std::string s;
  PutFixed32(&s, v);
  return s;
}

std::string Fixed64(uint64_t v) {
  std::string s;
  PutFixed64(&s, v);
  return s;
}

// The varint-valued properties and where they live in the struct.
struct NumericProperty {
  const char* name;
  uint64_t TableProperties::*field;
};

constexpr NumericProperty kNumeric[] = {
    {pn::kColumnFamilyId, &TableProperties::column_family_id},
    {pn::kCreationTime, &TableProperties::creation_time},
    {pn::kDataSize, &TableProperties::data_size},
    {pn::kDeletedKeys, &TableProperties::num_deletions},
    {pn::kFileCreationTime, &TableProperties::file_creation_time},
    {pn::kFilterSize, &TableProperties::filter_size},
    {pn::kFixedKeyLen, &TableProperties::fixed_key_len},
    {pn::kFormatVersion, &TableProperties::format_version},
    {pn::kIndexKeyIsUserKey, &TableProperties::index_key_is_user_key},
    {pn::kIndexPartitions, &TableProperties::index_partitions},
    {pn::kIndexSize, &TableProperties::index_size},
    {pn::kIndexValueIsDeltaEncoded,
     &TableProperties::index_value_is_delta_encoded},
    {pn::kMergeOperands, &TableProperties::num_merge_operands},
    {pn::kNumDataBlocks, &TableProperties::num_data_blocks},
    {pn::kNumEntries, &TableProperties::num_entries},
    {pn::kNumFilterEntries, &TableProperties::num_filter_entries},
    {pn::kNumRangeDeletions, &TableProperties::num_range_deletions},
    {pn::kOldestKeyTime, &TableProperties::oldest_key_time},
    {pn::kOriginalFileNumber, &TableProperties::original_file_number},
    {pn::kRawKeySize, &TableProperties::raw_key_size},
    {pn::kRawValueSize, &TableProperties::raw_value_size},
    {pn::kTopLevelIndexSize, &TableProperties::top_level_index_size},
};

// Properties written only when non-zero.
bool WrittenOnlyWhenNonZero(const char* name) {
  const std::string_view n(name);
  return n == pn::kFileCreationTime || n == pn::kIndexPartitions ||
         n == pn::kTopLevelIndexSize;
}

struct StringProperty {
  const char* name;
  std::string TableProperties::*field;
  bool omit_when_empty;
};

constexpr StringProperty kStrings[] = {
    {pn::kColumnFamilyName, &TableProperties::column_family_name, true},
    {pn::kComparator, &TableProperties::comparator_name, false},
    {pn::kCompression, &TableProperties::compression_name, false},
    {pn::kCompressionOptions, &TableProperties::compression_options, false},
    {pn::kDbId, &TableProperties::db_id, false},
    {pn::kDbHostId, &TableProperties::db_host_id, true},
    {pn::kDbSessionId, &TableProperties::db_session_id, false},
    {pn::kFilterPolicy, &TableProperties::filter_policy_name, true},
    {pn::kMergeOperator, &TableProperties::merge_operator_name, false},
    {pn::kPrefixExtractorName, &TableProperties::prefix_extractor_name,
     false},
    {pn::kPropertyCollectors, &TableProperties::property_collectors_names,
     false},
};

Status Malformed(Slice name, const char* what) {
  return Status::Corruption("property " + name.ToString() + ": " + what);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> EncodeTableProperties(
    const TableProperties& props) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const NumericProperty& p : kNumeric) {
    const uint64_t v = props.*(p.field);
    if (v == 0 && WrittenOnlyWhenNonZero(p.name)) continue;
    out.emplace_back(p.name, Varint(v));
  }
  for (const StringProperty& p : kStrings) {
    const std::string& v = props.*(p.field);
    if (v.empty() && p.omit_when_empty) continue;
    out.emplace_back(p.name, v);
  }
  out.emplace_back(pn::kIndexType, Fixed32(props.index_type));
  out.emplace_back(pn::kPrefixFiltering, props.prefix_filtering ? "1" : "0");
  out.emplace_back(pn::kWholeKeyFiltering,
                   props.whole_key_filtering ? "1" : "0");
  if (props.is_external) {
    out.emplace_back(pn::kExternalVersion,
                     Fixed32(props.external_sst_file_version));
    out.emplace_back(pn::kGlobalSeqno,
                     Fixed64(props.external_sst_file_global_seqno));
  }
  for (const auto& [name, value] : props.user_collected) {
    out.emplace_back(name, value);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return Slice(a.first).compare(Slice(b.first)) < 0;
  });
  return out;
}

Status DecodeTableProperty(Slice name, Slice value, TableProperties* props) {
  for (const NumericProperty& p : kNumeric) {
    if (name == Slice(p.name)) {
      uint64_t v;
      Slice in = value;
      if (!GetVarint64(&in, &v) || !in.empty()) {
        return Malformed(name, "not a varint64");
      }
      props->*(p.field) = v;
      return Status::OK();
    }
  }
  for (const StringProperty& p : kStrings) {
    if (name == Slice(p.name)) {
      props->*(p.field) = value.ToString();
      return Status::OK();
    }
  }
  if (name == Slice(pn::kIndexType)) {
    if (value.size() != 4) return Malformed(name, "not a fixed32");
    props->index_type = DecodeFixed32(value.data());
  } else if (name == Slice(pn::kPrefixFiltering)) {
    props->prefix_filtering = value == Slice("1");
  } else if (name == Slice(pn::kWholeKeyFiltering)) {
    // Anything but "0" leaves whole-key filtering on, as RocksDB reads it.
    props->whole_key_filtering = value != Slice("0");
  } else if (name == Slice(pn::kExternalVersion)) {
    if (value.size() != 4) return Malformed(name, "not a fixed32");
    props->is_external = true;
    props->external_sst_file_version = DecodeFixed32(value.data());
  } else if (name == Slice(pn::kGlobalSeqno)) {
    if (value.size() != 8) return Malformed(name, "not a fixed64");
    props->external_sst_file_global_seqno = DecodeFixed64(value.data());
  } else {
    props->user_collected[name.ToString()] = value.ToString();
  }
  return Status::OK();
}

std::string CompressionOptionsString(int level) {
  return "window_bits=-14; level=" + std::to_string(level) +
         "; strategy=0; max_dict_bytes=0; zstd_max_train_bytes=0; enabled=0; "
         "max_dict_buffer_bytes=0; use_zstd_dict_trainer=1; ";
}

std::string NewDbSessionId() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::random_device device;
  std::mt19937_64 gen((static_cast<uint64_t>(device()) << 32) ^ device());
  std::string id(20, '0');
  for (char& c : id) {
    c = kAlphabet[gen() % 36];
  }
  return id;
}

}  // namespace strata
