#include "table/internal_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "testutil/testutil.h"

namespace strata {
namespace {

std::string Hex(Slice s) { return s.ToHex(); }

TEST(InternalKeyTest, ValueTypeBytesArePersistedValues) {
  EXPECT_EQ(0x00, static_cast<int>(ValueType::kDeletion));
  EXPECT_EQ(0x01, static_cast<int>(ValueType::kValue));
  EXPECT_EQ(0x02, static_cast<int>(ValueType::kMerge));
  EXPECT_EQ(0x07, static_cast<int>(ValueType::kSingleDeletion));
  EXPECT_EQ(0x0F, static_cast<int>(ValueType::kRangeDeletion));
  EXPECT_EQ(0x11, static_cast<int>(ValueType::kBlobIndex));
  EXPECT_EQ(0x14, static_cast<int>(ValueType::kDeletionWithTimestamp));
  EXPECT_EQ(0x16, static_cast<int>(ValueType::kWideColumnEntity));
  EXPECT_EQ(0x17, static_cast<int>(ValueType::kColumnFamilyWideColumnEntity));
  EXPECT_EQ(0x16, static_cast<int>(kValueTypeForSeek));
  EXPECT_EQ(0x00, static_cast<int>(kValueTypeForSeekForPrev));
}

TEST(InternalKeyTest, SequenceNumberLimits) {
  EXPECT_EQ(0x00FFFFFFFFFFFFFFull, kMaxSequenceNumber);
  EXPECT_EQ(0xFFFFFFFFFFFFFF16ull,
            PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
  EXPECT_EQ(0x0000000000000101ull, PackSequenceAndType(1, ValueType::kValue));
}

TEST(InternalKeyTest, OnlySstValueTypesAreAccepted) {
  const std::vector<int> sst = {0x00, 0x01, 0x02, 0x07, 0x0F, 0x11, 0x14, 0x16};
  for (int t = 0; t < 256; ++t) {
    const bool expected = std::find(sst.begin(), sst.end(), t) != sst.end();
    EXPECT_EQ(expected, IsSstValueType(static_cast<uint8_t>(t))) << t;
  }
  EXPECT_STREQ("kTypeValue", ValueTypeName(0x01));
  EXPECT_STREQ("unknown", ValueTypeName(0x03));
}

TEST(InternalKeyTest, PutWithSequenceZeroEndsInTypeThenSevenZeros) {
  EXPECT_EQ("6170706c650100000000000000",
            Hex(MakeInternalKey("apple", 0, ValueType::kValue)));
  // Little-endian trailer: type byte first, then the sequence number.
  EXPECT_EQ(
      "6b"
      "0734120000000000",
      Hex(MakeInternalKey("k", 0x1234, ValueType::kSingleDeletion)));
  EXPECT_EQ("16ffffffffffffff",
            Hex(MakeInternalKey("", kMaxSequenceNumber, kValueTypeForSeek)));
}

TEST(InternalKeyTest, ParseRoundTripsEveryField) {
  const std::string user_key(
      "\x00\xff"
      "abc",
      5);
  const std::string key =
      MakeInternalKey(user_key, 123456789, ValueType::kMerge);
  ParsedInternalKey parsed;
  ASSERT_OK(ParseInternalKey(key, &parsed));
  EXPECT_EQ(Slice(user_key), parsed.user_key);
  EXPECT_EQ(123456789u, parsed.sequence);
  EXPECT_EQ(ValueType::kMerge, parsed.type);
  EXPECT_EQ(Slice(user_key), ExtractUserKey(key));
  EXPECT_EQ(123456789u, ExtractSequenceNumber(key));
  EXPECT_EQ(0x02, ExtractValueTypeByte(key));
  EXPECT_EQ(PackSequenceAndType(123456789, ValueType::kMerge),
            ExtractTrailer(key));

  std::string appended = "prefix";
  AppendInternalKey(&appended, parsed);
  EXPECT_EQ("prefix" + key, appended);
}

TEST(InternalKeyTest, EmptyUserKeyIsEightBytes) {
  const std::string key = MakeInternalKey("", 7, ValueType::kDeletion);
  ASSERT_EQ(8u, key.size());
  ParsedInternalKey parsed;
  ASSERT_OK(ParseInternalKey(key, &parsed));
  EXPECT_TRUE(parsed.user_key.empty());
  EXPECT_EQ(7u, parsed.sequence);
}

TEST(InternalKeyTest, ParseRejectsShortKeysWithLengthAndBytes) {
  ParsedInternalKey parsed;
  Status s = ParseInternalKey(Slice("\x01\x02\x03", 3), &parsed);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("3 bytes")) << s.ToString();
  EXPECT_NE(std::string::npos, s.ToString().find("010203")) << s.ToString();
  EXPECT_TRUE(ParseInternalKey(Slice(), &parsed).IsCorruption());
}

TEST(InternalKeyTest, ParseRejectsWalOnlyAndUnknownTypes) {
  ParsedInternalKey parsed;
  for (int t : {0x03, 0x04, 0x0E, 0x10, 0x15, 0x17, 0x18, 0x7F, 0xFF}) {
    std::string key = "user";
    key.push_back(static_cast<char>(t));
    key.append(7, '\0');
    Status s = ParseInternalKey(key, &parsed);
    ASSERT_TRUE(s.IsCorruption()) << t;
    EXPECT_NE(std::string::npos,
              s.ToString().find("value type " + std::to_string(t)))
        << s.ToString();
  }
}

TEST(InternalKeyTest, OrderIsUserKeyAscendingThenTrailerDescending) {
  // Sorted the way every block and file is.
  const std::vector<std::string> sorted = {
      MakeInternalKey("", 5, ValueType::kValue),
      MakeInternalKey("", 0, ValueType::kValue),
      MakeInternalKey(std::string(1, '\0'), 0, ValueType::kValue),
      MakeInternalKey("a", kMaxSequenceNumber, kValueTypeForSeek),
      MakeInternalKey("a", 9, ValueType::kValue),
      MakeInternalKey("a", 9, ValueType::kDeletion),
      MakeInternalKey("a", 8, ValueType::kWideColumnEntity),
      MakeInternalKey("a", 0, ValueType::kValue),
      MakeInternalKey(std::string("a\x00", 2), 100, ValueType::kValue),
      MakeInternalKey("ab", 100, ValueType::kValue),
      MakeInternalKey("b", 0, ValueType::kValue),
      MakeInternalKey("\x7f", 0, ValueType::kValue),
      MakeInternalKey("\x80", 0, ValueType::kValue),
      MakeInternalKey("\xff", 0, ValueType::kValue),
      MakeInternalKey("\xff\xff", 0, ValueType::kValue),
  };
  for (size_t i = 0; i < sorted.size(); ++i) {
    for (size_t j = 0; j < sorted.size(); ++j) {
      const int expected = i < j ? -1 : (i > j ? 1 : 0);
      const int got = InternalKeyComparator::Compare(sorted[i], sorted[j]);
      EXPECT_EQ(expected, got < 0 ? -1 : (got > 0 ? 1 : 0)) << i << " vs " << j;
    }
  }
  EXPECT_TRUE(InternalKeyComparator()(sorted[0], sorted[1]));
  EXPECT_FALSE(InternalKeyComparator()(sorted[1], sorted[0]));
}

TEST(InternalKeyTest, ParsedAndEncodedComparisonsAgree) {
  test::Random rnd(20240601);
  for (int i = 0; i < 2000; ++i) {
    const std::string ua = rnd.RandomBytes(rnd.Uniform(3));
    const std::string ub = rnd.OneIn(3) ? ua : rnd.RandomBytes(rnd.Uniform(3));
    const ParsedInternalKey a(
        ua, rnd.Uniform(4),
        rnd.OneIn(2) ? ValueType::kValue : ValueType::kDeletion);
    const std::string b =
        MakeInternalKey(ub, rnd.Uniform(4), ValueType::kMerge);
    std::string a_encoded;
    AppendInternalKey(&a_encoded, a);
    const int x = InternalKeyComparator::Compare(a, b);
    const int y = InternalKeyComparator::Compare(a_encoded, b);
    EXPECT_EQ(x < 0, y < 0);
    EXPECT_EQ(x == 0, y == 0);
  }
}

TEST(InternalKeyTest, DebugStringShowsHexKeySequenceAndType) {
  EXPECT_EQ("'6162' seq:5, type:1",
            ParsedInternalKey("ab", 5, ValueType::kValue).DebugString());
}

}  // namespace
}  // namespace strata
