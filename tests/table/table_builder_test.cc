#include "table/table_builder.h"

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "table/internal_key.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

// tiny3_fv5_crc32c_nocomp.sst as RocksDB 7.8.3's SstFileWriter wrote it:
// ../shared/spec/sst-format.md section 20.1, all 1048 bytes. (The spec's
// dump misprints the last session-id character as '0'; the file, and the
// properties checksum, say '3'.)
const char kTiny3Hex[] =
    "000d036170706c650100000000000000726564000e0662616e616e6101000000"
    "0000000079656c6c6f77000e0063686572727901000000000000000000000001"
    "000000005524e6730006636865727279004300000000010000000090244ae800"
    "2404726f636b7364622e626c6f636b2e62617365642e7461626c652e696e6465"
    "782e74797065000000001a10017072656669782e66696c746572696e67301a13"
    "0177686f6c652e6b65792e66696c746572696e6731081005636f6c756d6e2e66"
    "616d696c792e6964ffffffff070a081a6d70617261746f726c6576656c64622e"
    "4279746577697365436f6d70617261746f720c070d72657373696f6e4e6f436f"
    "6d7072657373696f6e130891015f6f7074696f6e7377696e646f775f62697473"
    "3d2d31343b206c6576656c3d33323736373b2073747261746567793d303b206d"
    "61785f646963745f62797465733d303b207a7374645f6d61785f747261696e5f"
    "62797465733d303b20656e61626c65643d303b206d61785f646963745f627566"
    "6665725f62797465733d303b207573655f7a7374645f646963745f747261696e"
    "65723d313b2009130a72656174696e672e64622e6964656e7469747953535420"
    "577269746572110d0a686f73742e6964656e74697479676f6c64656e2d67656e"
    "11101473657373696f6e2e6964656e746974794d385548384953574a52594d4a"
    "4b4a4f56594e330e07016f6e2e74696d6500080901646174612e73697a654809"
    "0b01656c657465642e6b65797300081e0865787465726e616c5f7373745f6669"
    "6c652e676c6f62616c5f7365716e6f00000000000000001a070476657273696f"
    "6e02000000080b0166696c7465722e73697a65000a0e017865642e6b65792e6c"
    "656e67746800090d016f726d61742e76657273696f6e00081501696e6465782e"
    "6b65792e69732e757365722e6b6579010e040173697a65170e160176616c7565"
    "2e69732e64656c74612e656e636f64656401080e016d657267652e6f70657261"
    "6e647300130307746f726e756c6c707472080f016e756d2e646174612e626c6f"
    "636b73010c0701656e7472696573030c0e0166696c7465725f656e7472696573"
    "000c0f0172616e67652d64656c6574696f6e7300080f016f6c646573742e6b65"
    "792e74696d6500091301726967696e616c2e66696c652e6e756d626572010815"
    "077072656669782e657874726163746f722e6e616d656e756c6c7074720a1102"
    "6f70657274792e636f6c6c6563746f72735b5d080c017261772e6b65792e7369"
    "7a65290c0a0176616c75652e73697a6509000000000100000000eeda4e3e0012"
    "03726f636b7364622e70726f706572746965735fda060000000001000000008f"
    "88a79e01be072048120000000000000000000000000000000000000000000000"
    "00000000000000000000000005000000f7cff485b741e288"    ;

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

TableBuilderOptions SstFileWriterOptions() {
  TableBuilderOptions o;
  o.format_version = 5;
  o.checksum_type = ChecksumType::kCRC32c;
  o.identity.db_id = "SST Writer";
  o.identity.db_host_id = "golden-gen";
  o.identity.db_session_id = "M8UH8ISWJRYMJKJOVYN3";
  o.identity.original_file_number = 1;
  o.identity.is_external = true;
  o.identity.external_sst_file_version = 2;
  return o;
}

// Builds `entries` (Puts at seqno 0) into a table; fills *props when given.
std::string BuildTable(const TableBuilderOptions& options,
                       const std::vector<std::pair<std::string, std::string>>&
                           entries,
                       TableProperties* props = nullptr) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> file;
  EXPECT_OK(fs.NewWritableFile("/t.sst", FileOptions(), &file));
  std::unique_ptr<WritableFileWriter> writer;
  EXPECT_OK(WritableFileWriter::Create(std::move(file),
                                       WritableFileWriterOptions(), &writer));
  TableBuilder builder(options, writer.get());
  for (const auto& [key, value] : entries) {
    EXPECT_OK(builder.Add(MakeInternalKey(key, 0, ValueType::kValue), value));
  }
  EXPECT_OK(builder.Finish());
  EXPECT_OK(writer->Close());
  std::string content;
  EXPECT_OK(fs.ReadFileContent("/t.sst", &content));
  EXPECT_EQ(content.size(), builder.file_size());
  if (props != nullptr) *props = builder.properties();
  return content;
}

TEST(TableBuilderTest, WorkedExampleIsByteIdenticalToRocksDB) {
  const std::string got = BuildTable(
      SstFileWriterOptions(),
      {{"apple", "red"}, {"banana", "yellow"}, {"cherry", ""}});
  const std::string want = FromHex(kTiny3Hex);
  ASSERT_EQ(want.size(), 1048u);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(static_cast<uint8_t>(got[i]), static_cast<uint8_t>(want[i]))
        << "first difference at byte " << i;
  }
}

TEST(TableBuilderTest, RejectsOutOfOrderKeysShowingBoth) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs.NewWritableFile("/o.sst", FileOptions(), &file));
  std::unique_ptr<WritableFileWriter> writer;
  ASSERT_OK(WritableFileWriter::Create(std::move(file),
                                       WritableFileWriterOptions(), &writer));
  TableBuilder builder(TableBuilderOptions(), writer.get());
  ASSERT_OK(builder.Add(MakeInternalKey("b", 0, ValueType::kValue), "1"));
  Status s = builder.Add(MakeInternalKey("a", 0, ValueType::kValue), "2");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("/o.sst"), std::string::npos) << s.ToString();
  // Sticky.
  EXPECT_TRUE(
      builder.Add(MakeInternalKey("c", 0, ValueType::kValue), "3").IsInvalidArgument());
  builder.Abandon();
  writer->Close().PermitUncheckedError();  // The file is discarded.
}

TEST(TableBuilderTest, UnsupportedFormatVersionIsRejected) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs.NewWritableFile("/v.sst", FileOptions(), &file));
  std::unique_ptr<WritableFileWriter> writer;
  ASSERT_OK(WritableFileWriter::Create(std::move(file),
                                       WritableFileWriterOptions(), &writer));
  TableBuilderOptions o;
  o.format_version = 6;
  TableBuilder builder(o, writer.get());
  EXPECT_TRUE(builder.status().IsInvalidArgument());
  EXPECT_NE(builder.status().ToString().find("format_version 6"),
            std::string::npos);
  builder.Abandon();
  writer->Close().PermitUncheckedError();  // The file is discarded.
}

// Builds `entries` (n keys "key%06d" with 100-byte values) and returns the
// builder's properties and the file.
struct Built {
  TableProperties props;
  std::string content;
};
Built BuildNumbered(const TableBuilderOptions& options, int n) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (int i = 0; i < n; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%06d", i);
    entries.emplace_back(key,
                         std::string(100, static_cast<char>('a' + i % 26)));
  }
  Built b;
  b.content = BuildTable(options, entries, &b.props);
  return b;
}

TEST(TableBuilderTest, BlockAlignPadsEveryDataBlockToWholePages) {
  TableBuilderOptions o;
  o.block_align = true;
  const Built aligned = BuildNumbered(o, 3000);
  o.block_align = false;
  const Built packed = BuildNumbered(o, 3000);
  ASSERT_GT(aligned.props.num_data_blocks, 10u);
  // Each block plus trailer fits one 4 KiB page and starts on one, so the
  // data region is exactly one page per block, padded with zeros.
  EXPECT_EQ(aligned.props.data_size, aligned.props.num_data_blocks * 4096);
  EXPECT_LT(packed.props.data_size, aligned.props.data_size);
  EXPECT_FALSE(aligned.props.index_value_is_delta_encoded);
  EXPECT_TRUE(packed.props.index_value_is_delta_encoded);
  size_t zero_tail_pages = 0;
  for (uint64_t page = 0; page < aligned.props.num_data_blocks; ++page) {
    // The byte before the next page is padding unless the block filled it.
    zero_tail_pages += aligned.content[page * 4096 + 4095] == '\0';
  }
  EXPECT_GT(zero_tail_pages, aligned.props.num_data_blocks / 2);
}

TEST(TableBuilderTest, BlockAlignUnitIsTheSmallerOfBlockSizeAndAPage) {
  TableBuilderOptions o;
  o.block_align = true;
  o.block_size = 1024;
  const Built b = BuildNumbered(o, 500);
  EXPECT_EQ(b.props.data_size % 1024, 0u);
  EXPECT_LE(b.props.data_size, b.props.num_data_blocks * 1024);
}

TEST(TableBuilderTest, BlockAlignRejectsCompressionAndOddBlockSizes) {
  for (int variant = 0; variant < 2; ++variant) {
    FakeFileSystem fs;
    std::unique_ptr<WritableFile> file;
    ASSERT_OK(fs.NewWritableFile("/a.sst", FileOptions(), &file));
    std::unique_ptr<WritableFileWriter> writer;
    ASSERT_OK(WritableFileWriter::Create(std::move(file),
                                         WritableFileWriterOptions(), &writer));
    TableBuilderOptions o;
    o.block_align = true;
    if (variant == 0) {
      o.compression = CompressionType::kZSTD;
    } else {
      o.block_size = 3000;
    }
    TableBuilder builder(o, writer.get());
    EXPECT_TRUE(builder.status().IsInvalidArgument());
    EXPECT_THAT(builder.status().ToString(),
                ::testing::HasSubstr(variant == 0 ? "requires compression none"
                                                  : "power-of-two block_size, "
                                                    "got 3000"));
    EXPECT_THAT(builder.status().ToString(), ::testing::HasSubstr("/a.sst"));
    builder.Abandon();
    writer->Close().PermitUncheckedError();  // The file is discarded.
  }
}

}  // namespace
}  // namespace strata
