#include "table/footer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

Status Decode(const std::string& file_tail, uint64_t file_size,
              Footer* footer) {
  return Footer::DecodeFrom(file_tail, "t.sst", file_size, footer);
}

const ChecksumType kAllChecksums[] = {
    ChecksumType::kNoChecksum, ChecksumType::kCRC32c, ChecksumType::kxxHash,
    ChecksumType::kxxHash64, ChecksumType::kXXH3};

// ../shared/spec/sst-format.md section 20.6.
const char kWorkedExampleFooter[] =
    "01"
    "be0720"
    "4812"
    "0000000000000000000000000000000000000000000000000000000000000000000000"
    "05000000"
    "f7cff485b741e288";

TEST(FooterTest, EncodesTheWorkedExampleByteForByte) {
  Footer footer;
  footer.format_version = 5;
  footer.checksum_type = ChecksumType::kCRC32c;
  footer.metaindex_handle = BlockHandle(958, 32);
  footer.index_handle = BlockHandle(72, 18);
  std::string encoded;
  ASSERT_OK(footer.EncodeTo(&encoded));
  ASSERT_EQ(53u, encoded.size());
  EXPECT_EQ(kWorkedExampleFooter, Slice(encoded).ToHex());
}

TEST(FooterTest, DecodesTheWorkedExample) {
  Footer footer;
  ASSERT_OK(Decode(FromHex(kWorkedExampleFooter), 1048, &footer));
  EXPECT_EQ(5u, footer.format_version);
  EXPECT_EQ(ChecksumType::kCRC32c, footer.checksum_type);
  EXPECT_EQ(BlockHandle(958, 32), footer.metaindex_handle);
  EXPECT_EQ(BlockHandle(72, 18), footer.index_handle);
}

TEST(FooterTest, RoundTripsEveryFormatVersionAndChecksum) {
  for (uint32_t version = 0; version <= kLatestFormatVersion; ++version) {
    for (ChecksumType checksum : kAllChecksums) {
      if (version == 0 && checksum != ChecksumType::kCRC32c) {
        continue;
      }
      Footer footer;
      footer.format_version = version;
      footer.checksum_type = checksum;
      footer.metaindex_handle = BlockHandle(~uint64_t{0}, 1234567);
      footer.index_handle = BlockHandle(1, ~uint64_t{0});
      std::string encoded = "file body";
      ASSERT_OK(footer.EncodeTo(&encoded));
      const size_t expected_length = version == 0 ? 48 : 53;
      ASSERT_EQ(9 + expected_length, encoded.size());
      EXPECT_EQ(expected_length, footer.EncodedLength());
      // A reader passes the last min(53, file size) bytes.
      const std::string tail = encoded.substr(encoded.size() - 53);
      Footer decoded;
      ASSERT_OK(Decode(tail, 1 << 20, &decoded));
      EXPECT_EQ(footer, decoded) << version;
    }
  }
}

TEST(FooterTest, LegacyFooterHasLevelDbMagicAndNoChecksumByte) {
  Footer footer;
  footer.format_version = 0;
  footer.metaindex_handle = BlockHandle(958, 32);
  footer.index_handle = BlockHandle(72, 18);
  std::string encoded;
  ASSERT_OK(footer.EncodeTo(&encoded));
  ASSERT_EQ(48u, encoded.size());
  EXPECT_EQ(
      "be0720"
      "4812"
      "0000000000000000000000000000000000000000000000000000000000000000"
      "000000"
      "57fb808b247547db",
      Slice(encoded).ToHex());
  // Exactly 48 bytes (a tiny file) are enough to read it.
  Footer decoded;
  ASSERT_OK(Decode(encoded, 48, &decoded));
  EXPECT_EQ(0u, decoded.format_version);
  EXPECT_EQ(ChecksumType::kCRC32c, decoded.checksum_type);
  EXPECT_EQ(footer, decoded);
}

TEST(FooterTest, NewFooterMagicBytes) {
  Footer footer;
  std::string encoded;
  ASSERT_OK(footer.EncodeTo(&encoded));
  EXPECT_EQ("f7cff485b741e288", Slice(encoded).ToHex().substr(90));
  EXPECT_EQ(kBlockBasedTableMagicNumber, DecodeFixed64(encoded.data() + 45));
}

TEST(FooterTest, EncodeRejectsLegacyFooterWithOtherChecksums) {
  Footer footer;
  footer.format_version = 0;
  footer.checksum_type = ChecksumType::kXXH3;
  std::string encoded;
  Status s = footer.EncodeTo(&encoded);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("format_version 0"));
  EXPECT_TRUE(encoded.empty());
}

TEST(FooterTest, EncodeRejectsUnsupportedFormatVersion) {
  Footer footer;
  footer.format_version = 6;
  std::string encoded;
  EXPECT_TRUE(footer.EncodeTo(&encoded).IsInvalidArgument());
  EXPECT_TRUE(encoded.empty());
}

TEST(FooterTest, BadMagicIsCorruptionNamingFileAndOffset) {
  std::string tail = FromHex(kWorkedExampleFooter);
  tail[52] ^= 0x01;
  Footer footer;
  Status s = Decode(tail, 1048, &footer);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("t.sst @ 1040+8"));
  EXPECT_THAT(s.ToString(), HasSubstr("bad table magic number"));
  EXPECT_THAT(s.ToString(), HasSubstr("0x88e241b785f4cff7"));
}

TEST(FooterTest, PlainTableMagicIsNamed) {
  for (uint64_t magic :
       {kPlainTableMagicNumber, kLegacyPlainTableMagicNumber}) {
    std::string tail = FromHex(kWorkedExampleFooter);
    EncodeFixed64(tail.data() + 45, magic);
    Footer footer;
    Status s = Decode(tail, 1048, &footer);
    ASSERT_TRUE(s.IsCorruption());
    EXPECT_THAT(s.ToString(), HasSubstr("plain-table"));
  }
}

TEST(FooterTest, UnsupportedFormatVersionIsCorruption) {
  std::string tail = FromHex(kWorkedExampleFooter);
  EncodeFixed32(tail.data() + 41, 6);
  Footer footer;
  Status s = Decode(tail, 1048, &footer);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("t.sst @ 1036+4"));
  EXPECT_THAT(s.ToString(), HasSubstr("format_version 6"));
}

TEST(FooterTest, UnknownChecksumTypeIsCorruption) {
  std::string tail = FromHex(kWorkedExampleFooter);
  tail[0] = 5;
  Footer footer;
  Status s = Decode(tail, 1048, &footer);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("t.sst @ 995+1"));
  EXPECT_THAT(s.ToString(), HasSubstr("checksum type 5"));
}

TEST(FooterTest, FileShorterThanAnyFooterIsCorruption) {
  const std::string tail = FromHex(kWorkedExampleFooter).substr(53 - 47);
  Footer footer;
  Status s = Decode(tail, 47, &footer);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("t.sst @ 0+47"));
  EXPECT_THAT(s.ToString(), HasSubstr("too short"));
}

TEST(FooterTest, NewMagicInFileShorterThanNewFooterIsCorruption) {
  const std::string tail = FromHex(kWorkedExampleFooter).substr(3);  // 50.
  Footer footer;
  Status s = Decode(tail, 50, &footer);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("too short"));
}

TEST(FooterTest, BadHandleVarintIsCorruption) {
  std::string tail = FromHex(kWorkedExampleFooter);
  for (int i = 1; i <= 40; ++i) {
    tail[i] = '\xff';  // Varints that never end inside the handle area.
  }
  Footer footer;
  Status s = Decode(tail, 1048, &footer);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("t.sst @ 995+53"));
  EXPECT_THAT(s.ToString(), HasSubstr("bad block handle"));
}

TEST(FooterTest, NonCanonicalHandleVarintsFillingTheAreaAreAccepted) {
  // Four 10-byte varints (nine 0x80 bytes, then 0x00) fill the 40 bytes;
  // RocksDB's varint decoder accepts such padding, and so do we.
  std::string tail = FromHex(kWorkedExampleFooter);
  for (int i = 1; i <= 40; ++i) {
    tail[i] = (i % 10 == 0) ? '\x00' : '\x80';
  }
  Footer footer;
  ASSERT_OK(Decode(tail, 1048, &footer));
  EXPECT_EQ(BlockHandle(0, 0), footer.metaindex_handle);
  EXPECT_EQ(BlockHandle(0, 0), footer.index_handle);
  // One more continuation bit makes the last varint overlong.
  tail[40] = '\x80';
  Status s = Decode(tail, 1048, &footer);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("bad block handle"));
}

TEST(FooterTest, EncodeRejectsUnknownChecksumType) {
  Footer footer;
  footer.checksum_type = static_cast<ChecksumType>(9);
  std::string encoded;
  Status s = footer.EncodeTo(&encoded);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(s.ToString(), HasSubstr("checksum type 9"));
  EXPECT_TRUE(encoded.empty());
}

TEST(FooterTest, OnlyTheLast53BytesAreLookedAt) {
  const std::string tail =
      std::string(100, 'x') + FromHex(kWorkedExampleFooter);
  Footer footer;
  ASSERT_OK(Decode(tail, 1048, &footer));
  EXPECT_EQ(BlockHandle(72, 18), footer.index_handle);
}

TEST(FooterTest, NewLayoutWithFormatVersionZeroIsAccepted) {
  std::string tail = FromHex(kWorkedExampleFooter);
  EncodeFixed32(tail.data() + 41, 0);
  Footer footer;
  ASSERT_OK(Decode(tail, 1048, &footer));
  EXPECT_EQ(0u, footer.format_version);
  EXPECT_EQ(ChecksumType::kCRC32c, footer.checksum_type);
}

TEST(FooterTest, PaddingIsNotChecked) {
  std::string tail = FromHex(kWorkedExampleFooter);
  tail[40] = 'p';
  Footer footer;
  EXPECT_OK(Decode(tail, 1048, &footer));
}

TEST(FooterTest, ToStringNamesEveryField) {
  Footer footer;
  footer.checksum_type = ChecksumType::kXXH3;
  footer.index_handle = BlockHandle(72, 18);
  const std::string s = footer.ToString();
  EXPECT_THAT(s, HasSubstr("kXXH3"));
  EXPECT_THAT(s, HasSubstr("(72, 18)"));
  EXPECT_THAT(s, HasSubstr("format_version: 5"));
}

}  // namespace
}  // namespace strata
