#include "table/table_properties.h"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace strata {
namespace {

// The properties of ../shared/spec/sst-format.md section 20
// (tiny3_fv5_crc32c_nocomp.sst: SstFileWriter, 3 Puts, no filter).
TableProperties Tiny3Properties() {
  TableProperties p;
  p.data_size = 72;
  p.index_size = 23;
  p.index_key_is_user_key = 1;
  p.index_value_is_delta_encoded = 1;
  p.raw_key_size = 41;
  p.raw_value_size = 9;
  p.num_data_blocks = 1;
  p.num_entries = 3;
  p.original_file_number = 1;
  p.compression_options = CompressionOptionsString(32767);
  p.db_id = "SST Writer";
  p.db_host_id = "golden-gen";
  p.db_session_id = "M8UH8ISWJRYMJKJOVYN0";
  p.is_external = true;
  p.external_sst_file_version = 2;
  return p;
}

TEST(TablePropertiesTest, EncodesTheWorkedExampleInOrder) {
  const std::vector<std::pair<std::string, std::string>> want = {
      {"rocksdb.block.based.table.index.type", std::string(4, '\0')},
      {"rocksdb.block.based.table.prefix.filtering", "0"},
      {"rocksdb.block.based.table.whole.key.filtering", "1"},
      {"rocksdb.column.family.id", "\xff\xff\xff\xff\x07"},
      {"rocksdb.comparator", "leveldb.BytewiseComparator"},
      {"rocksdb.compression", "NoCompression"},
      {"rocksdb.compression_options",
       "window_bits=-14; level=32767; strategy=0; max_dict_bytes=0; "
       "zstd_max_train_bytes=0; enabled=0; max_dict_buffer_bytes=0; "
       "use_zstd_dict_trainer=1; "},
      {"rocksdb.creating.db.identity", "SST Writer"},
      {"rocksdb.creating.host.identity", "golden-gen"},
      {"rocksdb.creating.session.identity", "M8UH8ISWJRYMJKJOVYN0"},
      {"rocksdb.creation.time", std::string(1, '\0')},
      {"rocksdb.data.size", "\x48"},
      {"rocksdb.deleted.keys", std::string(1, '\0')},
      {"rocksdb.external_sst_file.global_seqno", std::string(8, '\0')},
      {"rocksdb.external_sst_file.version", std::string("\x02\0\0\0", 4)},
      {"rocksdb.filter.size", std::string(1, '\0')},
      {"rocksdb.fixed.key.length", std::string(1, '\0')},
      {"rocksdb.format.version", std::string(1, '\0')},
      {"rocksdb.index.key.is.user.key", "\x01"},
      {"rocksdb.index.size", "\x17"},
      {"rocksdb.index.value.is.delta.encoded", "\x01"},
      {"rocksdb.merge.operands", std::string(1, '\0')},
      {"rocksdb.merge.operator", "nullptr"},
      {"rocksdb.num.data.blocks", "\x01"},
      {"rocksdb.num.entries", "\x03"},
      {"rocksdb.num.filter_entries", std::string(1, '\0')},
      {"rocksdb.num.range-deletions", std::string(1, '\0')},
      {"rocksdb.oldest.key.time", std::string(1, '\0')},
      {"rocksdb.original.file.number", "\x01"},
      {"rocksdb.prefix.extractor.name", "nullptr"},
      {"rocksdb.property.collectors", "[]"},
      {"rocksdb.raw.key.size", "\x29"},
      {"rocksdb.raw.value.size", "\x09"},
  };
  const auto got = EncodeTableProperties(Tiny3Properties());
  ASSERT_EQ(got.size(), 33u);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].first, want[i].first) << i;
    EXPECT_EQ(Slice(got[i].second).ToHex(), Slice(want[i].second).ToHex())
        << want[i].first;
  }
}

TEST(TablePropertiesTest, FilterAddsPolicyAndDbFilesDropExternalProps) {
  TableProperties p = Tiny3Properties();
  p.filter_policy_name = "bloomfilter";
  EXPECT_EQ(EncodeTableProperties(p).size(), 34u);
  p.is_external = false;
  p.column_family_name = "default";
  p.file_creation_time = 1700000000;
  const auto got = EncodeTableProperties(p);
  EXPECT_EQ(got.size(), 34u);  // -2 external, +name, +file creation time.
  bool has_name = false;
  for (const auto& [name, value] : got) {
    EXPECT_EQ(std::string(name).find("external_sst_file"), std::string::npos);
    has_name |= name == "rocksdb.column.family.name";
  }
  EXPECT_TRUE(has_name);
}

TEST(TablePropertiesTest, DecodeRoundTripsEveryField) {
  TableProperties p = Tiny3Properties();
  p.filter_policy_name = "bloomfilter";
  p.filter_size = 1234;
  p.num_deletions = 7;
  p.num_merge_operands = 2;
  p.num_range_deletions = 1;
  p.index_partitions = 3;
  p.top_level_index_size = 99;
  p.file_creation_time = 5;
  p.column_family_id = 0;
  p.column_family_name = "default";
  p.external_sst_file_global_seqno = 42;
  p.index_type = 3;
  p.prefix_filtering = true;
  p.whole_key_filtering = false;
  p.user_collected["my.prop"] = std::string("\0\x01", 2);
  TableProperties q;
  q.whole_key_filtering = true;
  for (const auto& [name, value] : EncodeTableProperties(p)) {
    ASSERT_OK(DecodeTableProperty(name, value, &q));
  }
  EXPECT_EQ(EncodeTableProperties(q), EncodeTableProperties(p));
  EXPECT_EQ(q.filter_size, 1234u);
  EXPECT_EQ(q.external_sst_file_global_seqno, 42u);
  EXPECT_TRUE(q.is_external);
  EXPECT_FALSE(q.whole_key_filtering);
  EXPECT_EQ(q.user_collected.at("my.prop"), std::string("\0\x01", 2));
}

TEST(TablePropertiesTest, MalformedNumbersAreCorruptionNamingTheProperty) {
  TableProperties p;
  Status s = DecodeTableProperty("rocksdb.num.entries", "\x80", &p);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find("rocksdb.num.entries"), std::string::npos);
  EXPECT_TRUE(
      DecodeTableProperty("rocksdb.data.size", "\x01\x02", &p).IsCorruption());
  EXPECT_TRUE(DecodeTableProperty("rocksdb.block.based.table.index.type",
                                  "abc", &p)
                  .IsCorruption());
  EXPECT_TRUE(
      DecodeTableProperty("rocksdb.external_sst_file.global_seqno", "x", &p)
          .IsCorruption());
}

}  // namespace
}  // namespace strata
